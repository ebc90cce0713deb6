"""The problem types of the transparency log: the kinds of error this area reports (RFC 9457)."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("log-size-out-of-range", 404, "Tree size or index not in the log"),
    ProblemType("log-index-out-of-range", 422, "Leaf index not in the tree"),
    ProblemType("log-range-invalid", 422, "Invalid range of log entries"),
    ProblemType("log-entry-not-found", 404, "No log entry with that leaf hash"),
    ProblemType("record-not-logged", 404, "Record not in the log"),
    ProblemType("log-empty", 404, "The log has no checkpoint yet"),
    ProblemType("invalid-leaf-hash", 422, "Invalid leaf hash"),
)
