"""The problem types of the statistics across banks (RFC 9457); ``creditbank.web.problems``
collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-stats-export", 422, "Invalid export of a bank's statistics"),
    ProblemType("stats-directory-unwritable", 422, "The statistics cannot be written there"),
    ProblemType("unknown-stats-engine", 400, "No such engine to combine statistics on"),
    ProblemType(
        "stats-engine-unavailable", 503, "The engine that combines statistics is unavailable"
    ),
)
