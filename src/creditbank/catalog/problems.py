"""The problem types of the catalogue of items and their grants.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-item", 422, "Invalid catalogue item"),
    ProblemType("item-exists", 409, "Catalogue item exists already"),
    ProblemType("item-not-found", 404, "Catalogue item not found"),
    ProblemType("invalid-grant", 422, "Invalid grant"),
    ProblemType("grant-exists", 409, "Grant exists already"),
    ProblemType("grant-not-found", 404, "Grant not found"),
    ProblemType("grant-withdrawn", 409, "Grant withdrawn already"),
)
