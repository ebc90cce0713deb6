"""The problem types of the statistics (RFC 9457); ``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("unknown-figure", 404, "No such figure"),
    ProblemType("unknown-breakdown", 400, "The figure cannot be broken down that way"),
    ProblemType("bad-period", 400, "The period is not a year or a month"),
    ProblemType("unknown-stats-source", 400, "No such source of figures"),
)
