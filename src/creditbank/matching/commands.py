"""The use cases of matching, one frozen dataclass each (all queries: matching changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShowGaps:
    """A learner's gap to an occupation (``occupation``, a code) or a posted job (``job``, its
    id): the required skills covered with the outcomes that gave them, what is missing, the
    smallest set of catalogue items that would close the gap and what nothing teaches."""

    account_number: str
    occupation: str | None = None
    job: int | None = None


@dataclass(frozen=True, slots=True)
class ListFits:
    """The occupations and open jobs that fit a learner, ranked by the share of their required
    skills the learner has."""

    account_number: str
    limit: int = 20


@dataclass(frozen=True, slots=True)
class MatchJob:
    """The learners who consented to be matched, ranked for one job by the share of its skills
    they have: name, account number and the outcomes that gave each skill."""

    job: int
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ShowCoverage:
    """How a programme's components cover the skills of an occupation (``occupation``), a job
    (``job``) or the open jobs in the region of the programme's institution (``region``), and
    which required skills no component teaches."""

    programme: str
    occupation: str | None = None
    job: int | None = None
    region: bool = False
