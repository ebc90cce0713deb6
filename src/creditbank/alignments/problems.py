"""The problem types of the alignments (RFC 9457); ``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-alignment", 422, "Invalid alignment to skills"),
    ProblemType("alignment-not-found", 404, "Alignment not found"),
    ProblemType("alignment-conflict", 409, "Another version of the alignment is under review"),
    ProblemType("alignment-status-conflict", 409, "The alignment's status does not allow this"),
    ProblemType("alignment-four-eyes", 403, "The author of an alignment may not decide on it"),
)
