"""The problem types of learners' consents and shares.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-consent", 422, "Invalid consent"),
    ProblemType("consent-not-found", 404, "Consent not found"),
    ProblemType("invalid-share", 422, "Invalid share"),
    ProblemType("share-not-found", 404, "Share not found"),
)
