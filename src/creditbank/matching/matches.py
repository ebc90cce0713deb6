"""Learners for a job: :func:`rank_learners` and the handler MatchJob.

Only learners with an active consent to be matched (``jobs.api.matching_consent_select``) are
ever ranked. The ranking is made in two steps, so that a million consenting learners cost one
SQL query:

1. the shortlist, in SQL: the consenting learners with the most of the job's required skills
   given by their outcomes that still count (``accounts.api.held_skills_select`` joined with
   the alignments' sets in force), ``SHORTLIST_FACTOR`` times as many as asked for (reading a
   learner's skills with conversion costs tens of milliseconds: the shortlist is kept short);
2. for each of those, their skills as :func:`creditbank.matching.learners.learner_skills` reads
   them (with what approved conversion rules would already give them and every outcome that
   gave each skill), ranked by share covered, then how many, then account number.

What conversion would give counts for the learners of the shortlist only: a learner whose
skills come from conversion alone is not shortlisted. The certificates a job asks for count in
step 2 (the share is of skills and certificates, one requirement each), not in the shortlist:
a job that asks for certificates and no skill shortlists nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Select, case, distinct, exists, func, literal, null, select, union_all

from creditbank import clock
from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.conversion import api as conversion
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.jobs import api as jobs
from creditbank.matching.commands import MatchJob
from creditbank.matching.learners import ask_certificates, learner_standing
from creditbank.matching.model import (
    Covered,
    MatchingError,
    Requirement,
    fit,
    rank_key,
    split_requirements,
)
from creditbank.messages import msg
from creditbank.skills import api as skills
from creditbank.skills.api import Skill
from creditbank.usecases import handler

SHORTLIST_FACTOR = 1
MAX_MATCHES = 200


@dataclass(frozen=True, slots=True)
class LearnerMatch:
    """A consenting learner ranked for a job: the share of its required skills they have, and
    the outcomes that gave each."""

    learner_id: int
    account_number: str
    share: Fraction
    covered: tuple[Covered, ...]
    """The required skills they have, each with its evidence."""
    missing: tuple[int, ...]
    certificates_held: tuple[str, ...] = ()
    """The certificates asked for that they hold."""
    certificates_missing: tuple[str, ...] = ()


def shortlist_select(
    required: Sequence[int],
    *,
    region_ids: Sequence[int] | None = None,
    certificate_items: Sequence[int] = (),
) -> Select[int, int]:
    """The SQL of step 1: ``learner_id``, ``covered`` (required skills their standing outcomes
    give, plus the certificates asked for whose item they hold at any level), for consenting
    learners, most covered first, then by learner row id. A certificate counts here as a skill
    of its own (a negative id no skill has) that an outcome of its item gives: whether the
    level meets the one asked is decided exactly in step 2."""
    aligned = alignments.aligned_skills_select()
    aligned = aligned.where(aligned.selected_columns.skill_id.in_(list(required)))
    if certificate_items:
        pseudo = [
            select(
                literal(item_id).label("item_id"),
                null().label("level_id"),
                literal(-number).label("skill_id"),
            )
            for number, item_id in enumerate(dict.fromkeys(certificate_items), start=1)
        ]
        given = union_all(aligned, *pseudo).subquery()
        aligned = select(given.c.item_id, given.c.level_id, given.c.skill_id)
    held = accounts.held_skills_select(aligned).subquery()
    consenting = jobs.matching_consent_select().subquery()
    covered = func.count(distinct(held.c.skill_id)).label("covered")
    query = (
        select(held.c.learner_id, covered)
        # EXISTS, not IN: SQLite then scans the outcomes once instead of starting from the
        # consents (0.93 s against 1.2 s for 200,000 learners, 600,000 outcomes)
        .where(exists().where(consenting.c.learner_id == held.c.learner_id))
        .group_by(held.c.learner_id)
        .order_by(covered.desc(), held.c.learner_id)
    )
    if region_ids is not None:
        in_region = case((held.c.institution_id.in_(list(region_ids)), 1), else_=0)
        query = query.having(func.sum(in_region) > 0)
    return query


def rank_learners(
    uow: UnitOfWork,
    skills: Sequence[jobs.JobSkill],
    *,
    region: str | None = None,
    limit: int = 50,
    certificates: Sequence[str] = (),
) -> list[LearnerMatch]:
    """The consenting learners who best fit these skills and ``certificates`` (a job's), best
    first: at most ``limit``. With ``region``, only learners with an outcome giving one of the
    required skills from an institution of that region."""
    requirements = tuple(Requirement(s.skill_id, s.relation) for s in skills)
    required, _ = split_requirements(requirements)
    if (not required and not certificates) or limit < 1:
        return []
    asked = ask_certificates(uow, certificates) if certificates else ()
    region_ids = None if region is None else _institutions_in(uow, region)
    query = shortlist_select(
        required,
        region_ids=region_ids,
        certificate_items=[c.item_id for c in asked if c.item_id is not None],
    ).limit(limit * SHORTLIST_FACTOR)
    shortlist = [row.learner_id for row in uow.session.execute(query)]
    numbers = accounts.account_numbers(uow=uow, learner_ids=shortlist)
    rules = conversion.rules_in_force(uow=uow, on=clock.today())  # once for all of them
    found: list[LearnerMatch] = []
    for learner_id in shortlist:
        standing = learner_standing(uow, learner_id, certificates=asked, rules=rules)
        held = standing.skills
        has = tuple(c.name for c in asked if c.name in standing.certificates)
        share, _ = fit(requirements, held, certificates=len(asked), certificates_held=len(has))
        found.append(
            LearnerMatch(
                learner_id=learner_id,
                account_number=numbers[learner_id],
                share=share,
                covered=tuple(Covered(s, tuple(held[s])) for s in required if held.get(s)),
                missing=tuple(s for s in required if not held.get(s)),
                certificates_held=has,
                certificates_missing=tuple(c.name for c in asked if c.name not in has),
            )
        )
    found.sort(
        key=lambda m: rank_key(m.share, len(m.covered) + len(m.certificates_held), m.account_number)
    )
    return [m for m in found if m.share > 0][:limit]  # a lower level of a certificate alone: none


def _institutions_in(uow: UnitOfWork, region: str) -> list[int]:
    codes = institutions.institution_codes(uow=uow)
    found = institutions.institutions_coded(uow=uow, codes=list(codes.values()))
    ids = {code: id_ for id_, code in codes.items()}
    return [ids[code] for code, one in found.items() if one.region == region]


@dataclass(frozen=True, slots=True)
class MatchedLearner:
    """A match as the job's employer sees it: what the learner consented to show."""

    name: str | None
    """None where the learner's personal data was erased."""
    match: LearnerMatch


@dataclass(frozen=True, slots=True)
class JobMatches:
    job: jobs.Job
    learners: list[MatchedLearner]
    skills: dict[int, Skill]


@handler
def match_job(
    query: MatchJob,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
) -> JobMatches:
    """The job's employer (an employer of its enterprise) or a bank administrator: the
    learners who consented to be matched, best first, with name, account number, share covered
    and the outcomes that gave each skill, and the certificates asked for held and missing."""
    job = jobs.get_job(uow, query.job)
    require(principal, Action.MATCH_JOB, job.institution)
    if not 1 <= query.limit <= MAX_MATCHES:
        raise MatchingError(
            "invalid_matching_query", msg("The limit is between 1 and {n}.", n=MAX_MATCHES)
        )
    found = rank_learners(uow, job.skills, limit=query.limit, certificates=job.certificates)
    names = accounts.shared_names(uow=uow, cipher=cipher, learner_ids=[m.learner_id for m in found])
    return JobMatches(
        job,
        [MatchedLearner(names.get(m.learner_id), m) for m in found],
        skills.get_skills(uow, {s.skill_id for s in job.skills}),
    )
