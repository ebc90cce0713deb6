"""The problem types of the bank's alliances (RFC 9457); ``creditbank.web.problems`` collects
them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-alliance", 422, "Invalid alliance"),
    ProblemType("alliance-not-found", 404, "Alliance not found"),
    ProblemType("alliance-exists", 409, "The bank has joined or proposed this alliance already"),
    ProblemType("alliance-status-conflict", 409, "The alliance's status does not allow this"),
    ProblemType(
        "alliance-four-eyes", 403, "The administrator who proposed joining may not approve it"
    ),
)
