"""The problem types of 1+X certificates: offerings, training, assessment sessions, results.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-xcert", 422, "Invalid X certificate details"),
    ProblemType("xcert-not-found", 404, "X certificate not found"),
    ProblemType("invalid-offering", 422, "Invalid pilot school offering"),
    ProblemType("invalid-training", 422, "Invalid teacher training record"),
    ProblemType("invalid-session", 422, "Invalid assessment session"),
    ProblemType("session-not-found", 404, "Assessment session not found"),
    ProblemType("session-conflict", 409, "Assessment session conflict"),
    ProblemType("results-rejected", 422, "Results rejected; nothing was recorded"),
)
