"""The problem types of institutions, their staff and API tokens.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-institution", 422, "Invalid institution"),
    ProblemType("institution-not-found", 404, "Institution not found"),
    ProblemType("institution-exists", 409, "Institution exists already"),
    ProblemType("institution-changed", 409, "Institution changed meanwhile"),
    ProblemType("invalid-user", 422, "Invalid user"),
    ProblemType("user-not-found", 404, "User not found"),
    ProblemType("user-exists", 409, "User exists already"),
    ProblemType("token-not-found", 404, "Token not found"),
)
