"""The use cases of jobs and matching consents: one frozen dataclass each (commands in the
imperative, queries named for their answer). Plain data only."""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.jobs.model import JobSkill

DEFAULT_SUGGESTIONS = 10
MAX_SUGGESTIONS = 50


@dataclass(frozen=True, slots=True)
class SuggestForJob:
    """The occupations and skills the bank suggests for a job's title and description, each
    with its score and the words that matched."""

    title: str
    description: str = ""
    limit: int = DEFAULT_SUGGESTIONS


@dataclass(frozen=True, slots=True)
class PostJob:
    """Post a job for enterprise ``institution``: the skills and certificates the employer kept
    (certificates as ``OWNER:CODE`` or ``OWNER:CODE@LEVEL``)."""

    institution: str
    title: str
    description: str
    language: str
    region: str
    occupation: str | None
    skills: tuple[JobSkill, ...] = ()
    certificates: tuple[str, ...] = ()
    skill_uris: tuple[tuple[str, str], ...] = ()
    """Skills named by URI, each with its relation (the API's and the CLI's way)."""


@dataclass(frozen=True, slots=True)
class CloseJob:
    job: int


@dataclass(frozen=True, slots=True)
class ShowJob:
    job: int


@dataclass(frozen=True, slots=True)
class ListJobs:
    """Posted jobs, newest first: of one enterprise, in one status (``open``, ``closed``), in
    one region (a name or code)."""

    institution: str | None = None
    status: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentToMatching:
    """The logged-in learner consents to be matched to jobs (employers then see them among a
    job's matches)."""


@dataclass(frozen=True, slots=True)
class WithdrawMatchingConsent:
    """The logged-in learner withdraws their consent to be matched."""


@dataclass(frozen=True, slots=True)
class ListMatchingConsents:
    """The logged-in learner's consents to be matched, newest first (the history)."""
