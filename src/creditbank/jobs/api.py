"""What other areas may call of the jobs (contract 4 of issue 20): a job by id, the open jobs
(of a region), and learners' consent to be matched (a SELECT for SQL joins and a yes/no for one
learner). No policy check here: for handlers that checked their own. Functions and plain data
types only."""

from __future__ import annotations

from creditbank.jobs.model import Job, JobError, JobSkill
from creditbank.jobs.reading import (
    get_job,
    has_matching_consent,
    matching_consent_select,
    open_jobs,
)

__all__ = [
    "Job",
    "JobError",
    "JobSkill",
    "get_job",
    "has_matching_consent",
    "matching_consent_select",
    "open_jobs",
]
