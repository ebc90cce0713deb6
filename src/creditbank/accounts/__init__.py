"""Learners and their lifelong personal learning accounts (and, next, their learning outcomes)."""
