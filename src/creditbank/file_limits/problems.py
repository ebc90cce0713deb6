"""The problem types of uploaded files refused as a whole.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-file", 422, "File cannot be read"),
    ProblemType("file-too-large", 413, "File too large"),
)
