"""A learner's gaps and fits: the handlers ShowGaps and ListFits.

Who may read: the learner (a :class:`LearnerPrincipal`, their own account only), an
institution's staff while the learner consents to that institution reading their record
(``require_consented`` on ``READ_GAPS``; never an employer: employers read no learner records),
bank administrators and auditors.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    require_consented,
    require_own_account,
)
from creditbank.accounts import api as accounts
from creditbank.consents import api as consents
from creditbank.db import UnitOfWork
from creditbank.jobs import api as jobs
from creditbank.matching.commands import ListFits, ShowGaps
from creditbank.matching.learners import (
    ask_certificates,
    certificate_offers,
    learner_standing,
    offers_teaching,
)
from creditbank.matching.model import (
    Gap,
    MatchingError,
    Requirement,
    analyse_gap,
    fit,
    rank_key,
    split_requirements,
)
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.skills import api as skills
from creditbank.skills.api import Skill
from creditbank.usecases import handler

MAX_FITS = 100


@dataclass(frozen=True, slots=True)
class Target:
    """What a learner is compared with: an occupation (by code) or a posted job (by id)."""

    kind: str
    """"occupation" or "job"."""
    code: str
    """The occupation's code, or the job's id."""
    name: str
    name_en: str | None
    requirements: tuple[Requirement, ...]
    institution: str | None = None
    """A job's employer (its code)."""
    public_id: str | None = None
    """A job's public id."""
    certificates: tuple[str, ...] = ()
    """The certificates a job asks for (``OWNER:CODE`` or ``OWNER:CODE@LEVEL``)."""


@dataclass(frozen=True, slots=True)
class GapReport:
    """A learner's gap to a target, with the skills it names."""

    account_number: str
    target: Target
    gap: Gap
    skills: dict[int, Skill]


def check_learner_reader(
    uow: UnitOfWork, principal: Principal | LearnerPrincipal, account_number: str, now: datetime
) -> None:
    """The learner themselves; staff with the learner's consent; bank-wide readers."""
    if isinstance(principal, LearnerPrincipal):
        require_own_account(principal, account_number)
        return
    consenting = consents.consenting_institutions(uow=uow, account_number=account_number, now=now)
    require_consented(
        principal, Action.READ_GAPS, principal.institution or "", consenting=consenting
    )


def occupation_target(uow: UnitOfWork, code: str) -> Target:
    """An occupation and the skills it requires (``unknown_occupation`` if the bank has none)."""
    code = code.strip()
    names = occupations.occupation_names(uow, [code]) if occupations.is_code(code) else {}
    if code not in names:
        raise MatchingError(
            "unknown_occupation", msg("No occupation has code {code}.", code=code[:20])
        )
    name, name_en = names[code]
    required = occupations_requirements(uow, code)
    return Target("occupation", code, name, name_en, required)


def occupations_requirements(uow: UnitOfWork, code: str) -> tuple[Requirement, ...]:
    return tuple(
        Requirement(found.skill.id, found.relation, found.importance)
        for found in skills.occupation_skills(uow, code)
    )


def job_target(job: jobs.Job) -> Target:
    return Target(
        "job",
        str(job.id),
        job.title,
        None,
        tuple(Requirement(s.skill_id, s.relation) for s in job.skills),
        institution=job.institution,
        public_id=job.public_id,
        certificates=job.certificates,
    )


def target_of(uow: UnitOfWork, occupation: str | None, job: int | None) -> Target:
    """The occupation or the job a query names (exactly one of them)."""
    if (occupation is None) == (job is None):
        raise MatchingError("invalid_matching_query", msg("Name an occupation or a job, not both."))
    if occupation is not None:
        return occupation_target(uow, occupation)
    assert job is not None  # noqa: S101 - one of the two, checked above
    return job_target(jobs.get_job(uow, job))


@handler
def show_gaps(
    query: ShowGaps,
    *,
    principal: Principal | LearnerPrincipal,
    uow: UnitOfWork,
    now: datetime,
) -> GapReport:
    """The learner's gap to an occupation or a job (its skills and the certificates it asks
    for), explained, with what to learn next."""
    check_learner_reader(uow, principal, query.account_number, now)
    number = accounts.check_account_number(query.account_number)
    learner_id = accounts.learner_id_of(uow, number)
    target = target_of(uow, query.occupation, query.job)
    asked = ask_certificates(uow, target.certificates)
    standing = learner_standing(uow, learner_id, certificates=asked)
    held = standing.skills
    required, _ = split_requirements(target.requirements)
    missing = [s for s in required if not held.get(s)]
    lacking = [one for one in asked if one.name not in standing.certificates]
    needs = standing.needs(asked, certificate_offers(uow, lacking))
    gap = analyse_gap(target.requirements, held, offers_teaching(uow, missing), needs)
    named = {r.skill_id for r in target.requirements}
    return GapReport(number, target, gap, skills.get_skills(uow, named))


@dataclass(frozen=True, slots=True)
class Fit:
    """An occupation or open job, and how much of what it requires the learner has."""

    target: Target
    share: Fraction
    """Of the required skills and the certificates asked for, one requirement each."""
    covered: int
    required: int
    certificates_held: tuple[str, ...] = ()
    certificates_missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fits:
    account_number: str
    occupations: list[Fit]
    jobs: list[Fit]
    skills_held: int
    matching_consent: bool
    """Whether the learner consents to be matched to jobs (employers then see them)."""


@handler
def list_fits(
    query: ListFits, *, principal: Principal | LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> Fits:
    """The occupations that require a skill the learner has, and the open jobs for which the
    learner has a required skill or a certificate asked for, ranked by the share of their
    requirements (required skills, and a job's certificates) the learner meets (then how many,
    then name)."""
    check_learner_reader(uow, principal, query.account_number, now)
    if not 1 <= query.limit <= MAX_FITS:
        raise MatchingError(
            "invalid_matching_query", msg("The limit is between 1 and {n}.", n=MAX_FITS)
        )
    number = accounts.check_account_number(query.account_number)
    learner_id = accounts.learner_id_of(uow, number)
    open_jobs = jobs.open_jobs(uow)
    asked = ask_certificates(uow, [c for job in open_jobs for c in job.certificates])
    standing = learner_standing(uow, learner_id, certificates=asked)
    held = standing.skills
    codes = sorted({c for found in skills.occupations_requiring(uow, held).values() for c in found})
    names = occupations.occupation_names(uow, codes)
    occupation_fits = [
        _fit(Target("occupation", code, *names[code], occupations_requirements(uow, code)), held)
        for code in codes
        if code in names
    ]
    job_fits = [_fit(job_target(job), held, standing.certificates) for job in open_jobs]
    return Fits(
        number,
        _ranked(occupation_fits, query.limit),
        _ranked([f for f in job_fits if f.covered or f.certificates_held], query.limit),
        len(held),
        jobs.has_matching_consent(uow, learner_id),
    )


def _fit(target: Target, held: Collection[int], certificates: Collection[str] = frozenset()) -> Fit:
    has = tuple(c for c in target.certificates if c in certificates)
    share, _ = fit(
        target.requirements,
        held,
        certificates=len(target.certificates),
        certificates_held=len(has),
    )
    required, _ = split_requirements(target.requirements)
    count = sum(1 for skill in required if skill in held)
    lacks = tuple(c for c in target.certificates if c not in certificates)
    return Fit(target, share, count, len(required), has, lacks)


def _ranked(fits: list[Fit], limit: int) -> list[Fit]:
    return sorted(
        fits,
        key=lambda f: rank_key(f.share, f.covered + len(f.certificates_held), f.target.code),
    )[:limit]
