"""The problem types of the skills (RFC 9457); ``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-skills-file", 422, "Invalid skills file"),
    ProblemType("unknown-skill", 404, "No such skill"),
    ProblemType("invalid-skill-search", 400, "Invalid search for skills"),
)
