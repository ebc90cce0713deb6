"""The problem types of transfer packages, their import and recognition decisions (RFC 9457);
``creditbank.web.problems`` collects them. The refusals of a peer's checkpoint (unknown peer,
too few cosignatures, a fork) are the peers area's own problems."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-transfer-package", 422, "Invalid transfer package"),
    ProblemType("transfer-package-not-for-us", 422, "The transfer package is for another bank"),
    ProblemType("transfer-package-altered", 422, "The transfer package was altered"),
    ProblemType("transfer-package-expired", 422, "The transfer package has expired"),
    ProblemType("transfer-package-replayed", 409, "The transfer package was handed over before"),
    ProblemType("transfer-identity-mismatch", 422, "The transfer package names another learner"),
    ProblemType("issuer-key-unobtainable", 422, "The issuer's key cannot be had"),
    ProblemType("credential-status-unobtainable", 422, "The credential's status cannot be had"),
    ProblemType("transferred-credential-invalid", 422, "A transferred credential does not verify"),
    ProblemType("transferred-credential-revoked", 422, "A transferred credential was revoked"),
    ProblemType("transfer-receipt-invalid", 422, "A transferred outcome's receipt does not verify"),
    ProblemType("outcome-already-imported", 409, "The outcome was imported before"),
    ProblemType("invalid-transfer-request", 422, "Invalid transfer request"),
    ProblemType("transfer-not-found", 404, "Transfer not found"),
    ProblemType("transfer-link-not-found", 404, "Transfer link not found or used"),
    ProblemType("recognition-not-found", 404, "Imported outcome not found"),
    ProblemType("recognition-decided", 409, "The imported outcome was decided already"),
    ProblemType("invalid-recognition", 422, "Invalid recognition decision"),
)
