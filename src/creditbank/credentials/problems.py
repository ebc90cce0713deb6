"""The problem types of signing keys, verifiable credentials and status lists.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-key", 422, "Invalid signing key"),
    ProblemType("key-conflict", 409, "Another signing key was registered at the same moment"),
    ProblemType("key-not-found", 404, "Signing key not found"),
    ProblemType("no-signing-key", 409, "No signing key valid now"),
    ProblemType("credential-not-found", 404, "Credential not found"),
    ProblemType("invalid-format", 422, "Unknown credential format"),
    ProblemType("invalid-selection", 422, "Invalid choice of outcomes"),
    ProblemType("invalid-status", 422, "Invalid status change"),
    ProblemType("status-list-not-found", 404, "Status list not found"),
    ProblemType("outcome-not-logged", 409, "Outcome not in the log yet"),
    ProblemType("malformed-receipt", 422, "Malformed ledger receipt"),
    ProblemType("credential-mismatch", 422, "Credential does not match its ledger receipt"),
)
