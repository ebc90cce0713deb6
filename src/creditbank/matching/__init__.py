"""Matching learners to occupations and jobs: gaps, fits, matches, programmes' coverage."""
