"""The problem types of the access policy: the kinds of error this area reports (RFC 9457)."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("forbidden", 403, "Not allowed"),
)
