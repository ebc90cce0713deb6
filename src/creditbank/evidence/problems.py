"""The problem types of evidence files: the kinds of error this area reports (RFC 9457)."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-evidence", 422, "Invalid evidence file"),
    ProblemType("evidence-not-found", 404, "Evidence file not found"),
    ProblemType("evidence-too-large", 413, "Evidence file too large"),
    ProblemType("unsupported-evidence-type", 415, "Evidence file of a type not accepted"),
)
