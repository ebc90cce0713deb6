"""The problem types of users' sign-in: the kinds of error this area reports (RFC 9457)."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-password", 422, "Password cannot be used"),
    ProblemType("user-disabled", 409, "User disabled"),
    ProblemType("invalid-code-validity", 422, "Invalid validity of a code"),
)
