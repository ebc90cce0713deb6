"""The problem types of the demo bank's data: the kinds of error this area reports (RFC 9457)."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("demo-rejected", 500, "Demo data rejected"),
)
