"""The problem types of jobs and matching consents (RFC 9457); ``creditbank.web.problems``
collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-job", 422, "Invalid job"),
    ProblemType("job-not-found", 404, "Job not found"),
    ProblemType("job-closed", 409, "The job is closed"),
    ProblemType("invalid-job-search", 400, "Invalid text to suggest from"),
    ProblemType("not-an-enterprise", 422, "Not an enterprise"),
)
