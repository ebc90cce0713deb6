"""The problem types of matching (RFC 9457); ``creditbank.web.problems`` collects them. An
unknown occupation is the occupations' ``unknown-occupation``, an unknown job the jobs' own."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-matching-query", 400, "Invalid question for matching"),
)
