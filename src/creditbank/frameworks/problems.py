"""The problem types of qualifications frameworks, their versions, levels and crosswalks.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("framework-not-found", 404, "Framework not found"),
    ProblemType("version-not-found", 404, "Framework version not found"),
    ProblemType("level-not-found", 404, "Level not found"),
    ProblemType("track-not-found", 404, "Track not found"),
    ProblemType("invalid-level-reference", 422, "Invalid level reference"),
    ProblemType("invalid-framework", 422, "Invalid framework definition"),
    ProblemType("invalid-crosswalk", 422, "Invalid crosswalk"),
    ProblemType("levels-not-comparable", 422, "Levels cannot be compared"),
    ProblemType("framework-unchanged", 409, "Nothing changed"),
    ProblemType("version-conflict", 409, "Version conflict"),
    ProblemType("crosswalk-exists", 409, "Crosswalk exists already"),
)
