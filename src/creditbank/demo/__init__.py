"""Demo data for `creditbank init --demo`: institutions, staff, catalogue, learners, outcomes."""
