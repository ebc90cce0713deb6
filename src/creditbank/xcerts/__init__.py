"""The 1+X vocational skill level certificate operations: X certificates' details, pilot
schools, teachers' training and certification, assessment sessions and their results, and
statistics."""
