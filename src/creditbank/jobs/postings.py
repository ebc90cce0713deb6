"""Posting jobs: the bank's suggestions for a job's text (SuggestForJob), posting (PostJob) and
closing (CloseJob). Each handler checks the policy first.

The suggestions: the occupations the text names best (the occupations' search, each hit with the
name or alias that matched and the words found in it), and the skills: those the skills'
suggestions find for the text (E's ``suggest_skills``), then the main tasks of the best
occupation, each with a score and the query's words found in it. The employer keeps some and
confirms; the bank stores what they kept (PostJob), never the suggestions.

A job is open until closed; closing is a conditional update of an open job's row (``WHERE
status = 'open'``), so of two closings at once one wins and the other is told the job is closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from unicodedata import category

from sqlalchemy import update

from creditbank.access.policy import Action, Principal, require
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.jobs import reading
from creditbank.jobs.commands import MAX_SUGGESTIONS, CloseJob, PostJob, SuggestForJob
from creditbank.jobs.model import (
    MAX_CERTIFICATES,
    MAX_QUERY,
    Job,
    JobError,
    JobSkill,
    JobStatus,
    Relation,
    certificate_name,
    check_posting,
    check_skills,
    parse_certificate,
    utc,
)
from creditbank.jobs.tables import JobCertificateRow, JobRow, JobSkillRow
from creditbank.messages import Message, msg
from creditbank.occupations import api as occupations
from creditbank.skills import api as skills
from creditbank.textindex import words
from creditbank.usecases import handler

OCCUPATION = 4
"""The level of an occupation (1-3 are its groups): only an occupation has main tasks."""


@dataclass(frozen=True, slots=True)
class OccupationSuggestion:
    code: str
    name: str
    name_en: str | None
    score: float
    matched: str
    """The name or alias that matched best."""
    matched_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SkillSuggestion:
    skill: skills.Skill
    score: float
    matched_words: tuple[str, ...]
    relation: str
    """What the bank proposes: the occupation's relation for its tasks, else essential."""
    via: str | None
    """The occupation's code when the skill was found through its occupation."""


@dataclass(frozen=True, slots=True)
class Suggestions:
    occupations: list[OccupationSuggestion]
    skills: list[SkillSuggestion]


def _query(title: str, description: str) -> str:
    text = " ".join(f"{title}\n{description}".split())
    problems: list[Message] = []
    if not title.strip():
        problems.append(msg("Give the job's title."))
    if len(text) > MAX_QUERY:
        problems.append(msg("A job's text to suggest from is at most {n} characters.", n=MAX_QUERY))
    if any(category(c) == "Cc" and c not in "\t\n\r" for c in f"{title}{description}"):
        problems.append(msg("The text holds control characters."))
    if problems:
        raise JobError("invalid_job_search", msg("The bank cannot suggest from this."), problems)
    return text


def _found_words(query_words: list[str], text: str) -> tuple[str, ...]:
    """The query's words (in its order, once each) found in ``text``."""
    lowered = text.lower()
    return tuple(dict.fromkeys(w for w in query_words if w in lowered))


@handler
def suggest_for_job(query: SuggestForJob, *, principal: Principal, uow: UnitOfWork) -> Suggestions:
    """Those who may post jobs (employers, bank administrators): the occupations and skills the
    bank suggests for a job's title and description, each with score and matched words."""
    require(principal, Action.POST_JOB, principal.institution)
    text = _query(query.title, query.description)
    if not 1 <= query.limit <= MAX_SUGGESTIONS:
        raise JobError(
            "invalid_job_search",
            msg("The bank cannot suggest from this."),
            [msg("The limit is between 1 and {n}.", n=MAX_SUGGESTIONS)],
        )
    hits = occupations.search_occupations(uow, text, query.limit)
    found_occupations = [
        OccupationSuggestion(
            hit.occupation.code,
            hit.occupation.name,
            hit.occupation.name_en,
            hit.score,
            hit.matched,
            hit.matched_words,
        )
        for hit in hits
    ]
    suggested: dict[int, SkillSuggestion] = {}
    for found in skills.suggest_skills(uow, text, limit=query.limit):
        suggested[found.skill.id] = SkillSuggestion(
            found.skill,
            found.score,
            found.matched_words,
            Relation.ESSENTIAL,
            found.via,
        )
    top = next((hit for hit in hits if hit.occupation.level == OCCUPATION), None)
    if top is not None:
        query_words = words(text)
        for required in skills.occupation_skills(uow, top.occupation.code):
            known = suggested.get(required.skill.id)
            if known is not None:  # found by the text: keep its score, take the relation
                suggested[required.skill.id] = SkillSuggestion(
                    known.skill,
                    known.score,
                    known.matched_words,
                    required.relation,
                    known.via or top.occupation.code,
                )
                continue
            skill = required.skill
            suggested[skill.id] = SkillSuggestion(
                skill,
                top.score,
                _found_words(query_words, f"{skill.name} {skill.description}"),
                required.relation,
                top.occupation.code,
            )
    ranked = sorted(suggested.values(), key=lambda s: (-s.score, s.skill.uri))
    return Suggestions(found_occupations, ranked)


def _enterprise(uow: UnitOfWork, code: str) -> institutions.Institution:
    institution = institutions.get_institution(uow=uow, code=code)
    if institution.type is not institutions.InstitutionType.ENTERPRISE:
        raise JobError(
            "not_an_enterprise",
            msg("{institution} is not an enterprise: only enterprises post jobs", institution=code),
        )
    return institution


def _check_references(uow: UnitOfWork, command: PostJob, kept: tuple[JobSkill, ...]) -> list[str]:
    """The occupation, skills and certificates named exist; the certificates' names as stored."""
    if command.occupation is not None and not occupations.known_codes(uow, {command.occupation}):
        raise JobError(
            "invalid_job",
            msg("the bank holds no occupation {code}", code=command.occupation),
        )
    held = skills.get_skills(uow, {s.skill_id for s in kept})
    missing = sorted({s.skill_id for s in kept} - set(held))
    if missing:
        raise JobError(
            "invalid_job",
            msg("the bank holds no skill {id}", id=", ".join(str(m) for m in missing)),
        )
    if len(command.certificates) > MAX_CERTIFICATES:
        raise JobError(
            "invalid_job",
            msg("a job asks for at most {count} certificates", count=MAX_CERTIFICATES),
        )
    names: list[str] = []
    for written in command.certificates:
        owner, code, level = parse_certificate(written)
        item = (
            catalog.find_item(uow=uow, institution=owner, code=code)
            if institutions.institutions_coded(uow=uow, codes={owner})
            else None
        )
        if item is None:
            raise JobError(
                "invalid_job",
                msg("the catalogue holds no item {item}", item=f"{owner}:{code}"),
            )
        if level is not None:
            pinned = item.level_named(level)
            if isinstance(pinned, Message):
                raise JobError("invalid_job", pinned)
            level = pinned.level.code
        names.append(certificate_name(owner, code, level))
    return sorted(set(names))


def _by_uri(uow: UnitOfWork, named: tuple[tuple[str, str], ...]) -> list[JobSkill]:
    found: list[JobSkill] = []
    for uri, relation in named:
        skill = skills.skill_by_uri(uow, uri.strip())
        if skill is None:
            raise JobError("invalid_job", msg("the bank holds no skill {uri}", uri=uri.strip()))
        found.append(JobSkill(skill.id, relation))
    return found


@handler
def post_job(command: PostJob, *, principal: Principal, uow: UnitOfWork, now: datetime) -> Job:
    """An employer of the enterprise (or a bank administrator) posts a job with the skills and
    certificates they kept."""
    code = command.institution.strip().upper()
    require(principal, Action.POST_JOB, code)
    institution = _enterprise(uow, code)
    posting = check_posting(
        title=command.title,
        description=command.description,
        language=command.language,
        region=command.region,
    )
    kept = check_skills((*command.skills, *_by_uri(uow, command.skill_uris)))
    certificates = _check_references(uow, command, kept)
    row = JobRow(
        public_id=uuid.uuid4().hex,
        institution_id=institutions.institution_id(uow=uow, code=institution.code),
        title=posting.title,
        description=posting.description,
        language=posting.language,
        region=posting.region,
        occupation_code=command.occupation,
        status=JobStatus.OPEN.value,
        posted_at=utc(now),
        posted_by=principal.email,
    )
    session = uow.session
    session.add(row)
    session.flush()
    session.add_all(
        [JobSkillRow(job_id=row.id, skill_id=s.skill_id, relation=s.relation) for s in kept]
    )
    session.add_all([JobCertificateRow(job_id=row.id, certificate=c) for c in certificates])
    session.flush()
    return reading.get_job(uow, row.id)


@handler
def close_job(command: CloseJob, *, principal: Principal, uow: UnitOfWork, now: datetime) -> Job:
    """An employer of the job's enterprise (or a bank administrator) closes an open job; a job
    closed already (by another, perhaps at the same moment) is ``job_closed``."""
    require(principal, Action.POST_JOB, reading.job_owner(uow, command.job))
    closed = uow.session.execute(
        update(JobRow)
        .where(JobRow.id == command.job, JobRow.status == JobStatus.OPEN.value)
        .values(status=JobStatus.CLOSED.value, closed_at=utc(now), closed_by=principal.email)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise JobError("job_closed", msg("job {id} is closed already", id=command.job))
    return reading.get_job(uow, command.job)
