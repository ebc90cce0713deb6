"""The problem types of the occupations (RFC 9457); ``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-occupations-file", 422, "Invalid occupations file"),
    ProblemType("unknown-occupation", 404, "No such occupation"),
    ProblemType("invalid-occupation-search", 400, "Invalid search for occupations"),
    ProblemType("occupations-data-missing", 422, "The built-in occupations are not installed"),
)
