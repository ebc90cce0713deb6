"""The problem types of the national platform (RFC 9457); ``creditbank.web.problems`` collects
them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-batch", 422, "Invalid batch of references"),
    ProblemType(
        "unknown-sender", 403, "The batch's sender is neither a trusted bank nor a pilot school"
    ),
    ProblemType("bad-batch-signature", 403, "The batch's signature does not verify"),
    ProblemType("invalid-question", 422, "The question about the figures cannot be answered"),
    ProblemType("invalid-school", 422, "Invalid pilot school"),
    ProblemType("school-exists", 409, "The pilot school is registered already"),
    ProblemType("invalid-national-url", 422, "Invalid URL of the national bank"),
    ProblemType("nothing-to-send", 409, "No new references to send"),
    ProblemType("send-in-progress", 409, "Another batch is being sent"),
    ProblemType("national-refused", 502, "The national bank refused the batch"),
    ProblemType("national-unreachable", 502, "The national bank does not answer"),
)
