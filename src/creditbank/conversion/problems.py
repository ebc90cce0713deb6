"""The problem types of programmes, conversion rules and conversions.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-programme", 422, "Invalid programme"),
    ProblemType("programme-not-found", 404, "Programme not found"),
    ProblemType("invalid-rule", 422, "Invalid conversion rule"),
    ProblemType("rule-not-found", 404, "Conversion rule not found"),
    ProblemType("rule-conflict", 409, "Another version of the rule is open"),
    ProblemType("rule-status-conflict", 409, "The rule's status does not allow this"),
    ProblemType("four-eyes", 403, "The author of a rule may not decide on it"),
    ProblemType("conversion-conflict", 409, "Conversion conflict"),
    ProblemType("conversion-not-found", 404, "Conversion not found"),
    ProblemType("conversion-status-conflict", 409, "The conversion's status does not allow this"),
    ProblemType("idempotency-key-reused", 422, "Idempotency key used with another request"),
)
