"""The problem types of joint certification (RFC 9457); ``creditbank.web.problems`` collects
them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-joint-scheme", 422, "Invalid joint-certification scheme"),
    ProblemType("joint-scheme-exists", 409, "The joint-certification scheme exists already"),
    ProblemType("joint-scheme-not-found", 404, "Joint-certification scheme not found"),
    ProblemType("invalid-joint-outcome", 422, "Invalid joint outcome"),
    ProblemType("joint-outcome-not-found", 404, "Not an outcome of a joint assessment"),
)
