"""The problem types of the statistics (RFC 9457); ``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("unknown-figure", 404, "No such figure"),
    ProblemType("unknown-breakdown", 400, "The figure cannot be broken down that way"),
    ProblemType("bad-period", 400, "The period is not a year or a month"),
    ProblemType("unknown-stats-source", 400, "No such source of figures"),
    # statistics across banks (stats.exchange): an export, a combine and its engine
    ProblemType("invalid-stats-export", 422, "Invalid export of a bank's statistics"),
    ProblemType("stats-directory-unwritable", 422, "The statistics cannot be written there"),
    ProblemType("unknown-stats-engine", 400, "No such engine to combine statistics on"),
    ProblemType(
        "stats-engine-unavailable", 503, "The engine that combines statistics is unavailable"
    ),
)
