"""The problem types of learners, their accounts, outcomes and bulk deposits.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-id-number", 422, "Invalid identity number"),
    ProblemType("invalid-learner", 422, "Invalid learner"),
    ProblemType("invalid-account-number", 422, "Invalid account number"),
    ProblemType("account-not-found", 404, "Account not found"),
    ProblemType("personal-data-erased", 410, "Personal data erased"),
    ProblemType("invalid-purpose", 422, "Purpose missing or too long"),
    ProblemType("invalid-outcome", 422, "Invalid learning outcome"),
    ProblemType("record-conflict", 409, "Record deposited with other facts"),
    ProblemType("account-exists", 409, "Account cannot be opened with these details"),
    ProblemType("invalid-cursor", 422, "Invalid cursor"),
    ProblemType("outcome-not-found", 404, "Learning outcome not found"),
    ProblemType("outcome-status-conflict", 409, "The outcome's status does not allow this"),
    ProblemType("invalid-reason", 422, "Invalid reason"),
    ProblemType("batch-rejected", 422, "Batch rejected; nothing was deposited"),
    ProblemType("batch-not-found", 404, "Batch not found"),
    ProblemType("upload-not-found", 404, "Uploaded file not found"),
    ProblemType("upload-not-ready", 409, "The uploaded file cannot be deposited"),
)
