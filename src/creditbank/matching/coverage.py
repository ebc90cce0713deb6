"""A programme's coverage of what occupations or jobs require: the handler ShowCoverage.

A programme's components are completed by catalogue items; what an item teaches is its
alignments' sets in force (at any level, and at each level: a component's course or
certificate teaches what any of its levels teaches). Against an occupation, a job, or every
open job in the region of the programme's institution (each skill counted with the number of
those jobs that ask for it), each required skill is taught by the components listed, or by
none. Staff of the programme's institution who read coverage (registrars, accreditation
officers), bank administrators and auditors.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from creditbank.access.policy import Action, Principal, require
from creditbank.alignments import api as alignments
from creditbank.conversion import api as conversion
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.jobs import api as jobs
from creditbank.matching.commands import ShowCoverage
from creditbank.matching.gaps import Target, job_target, occupation_target
from creditbank.matching.learners import item_ids
from creditbank.matching.model import (
    MatchingError,
    fit,
    share_of,
    split_requirements,
)
from creditbank.messages import msg
from creditbank.skills import api as skills
from creditbank.skills.api import Skill
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class TaughtBy:
    """A component of the programme that teaches a skill, through its item."""

    component: str
    component_name: str
    item: str


@dataclass(frozen=True, slots=True)
class SkillCoverage:
    skill_id: int
    required: bool
    """Required (essential, or listed by a target with no essential skill); else optional."""
    taught_by: tuple[TaughtBy, ...]
    demand: int
    """How many of the targets (the occupation, the job, the region's open jobs) list it."""


@dataclass(frozen=True, slots=True)
class TargetCoverage:
    """One target (a job of the region) and the share of its required skills taught."""

    target: Target
    share: Fraction


@dataclass(frozen=True, slots=True)
class Coverage:
    programme: conversion.Programme
    kind: str
    """"occupation", "job" or "region"."""
    region: str | None
    targets: list[TargetCoverage]
    skills: list[SkillCoverage]
    """Required skills first (untaught first), then optional ones."""
    skill_details: dict[int, Skill]

    @property
    def required(self) -> list[SkillCoverage]:
        return [s for s in self.skills if s.required]

    @property
    def untaught(self) -> list[int]:
        """Required skills no component teaches."""
        return [s.skill_id for s in self.skills if s.required and not s.taught_by]

    @property
    def share(self) -> Fraction:
        required = self.required
        return share_of(sum(1 for s in required if s.taught_by), len(required))


def _teaching(uow: UnitOfWork, programme: conversion.Programme) -> dict[int, list[TaughtBy]]:
    """What the programme's components teach: skill -> components."""
    refs = {c.item for c in programme.components if c.item}
    ids = item_ids(uow, refs)
    by_item: dict[int, set[int]] = {}
    for alignment in alignments.alignments_of_items(uow, set(ids.values())):
        by_item.setdefault(alignment.item_id, set()).add(alignment.skill_id)
    taught: dict[int, list[TaughtBy]] = {}
    for component in programme.components:
        if component.item and component.item in ids:
            for skill in sorted(by_item.get(ids[component.item], ())):
                taught.setdefault(skill, []).append(
                    TaughtBy(component.code, component.name, component.item)
                )
    return taught


@handler
def show_coverage(query: ShowCoverage, *, principal: Principal, uow: UnitOfWork) -> Coverage:
    """How the programme's components cover an occupation's, a job's or the region's open
    jobs' skills, and which required skills no component teaches."""
    programme = conversion.get_programme(uow=uow, code=query.programme)
    require(principal, Action.READ_COVERAGE, programme.institution)
    named = sum(1 for x in (query.occupation, query.job) if x is not None) + int(query.region)
    if named != 1:
        raise MatchingError(
            "invalid_matching_query",
            msg("Name one of an occupation, a job or the region's open jobs."),
        )
    region = None
    if query.occupation is not None:
        kind, targets = "occupation", [occupation_target(uow, query.occupation)]
    elif query.job is not None:
        kind, targets = "job", [job_target(jobs.get_job(uow, query.job))]
    else:
        owner = institutions.institutions_coded(uow=uow, codes=[programme.institution])
        region = owner[programme.institution].region
        kind, targets = "region", [job_target(job) for job in jobs.open_jobs(uow, region=region)]
    taught = _teaching(uow, programme)
    required: dict[int, int] = {}
    optional: dict[int, int] = {}
    for target in targets:
        essential, extra = split_requirements(target.requirements)
        for skill in essential:
            required[skill] = required.get(skill, 0) + 1
        for skill in extra:
            optional[skill] = optional.get(skill, 0) + 1
    rows = [
        SkillCoverage(skill, True, tuple(taught.get(skill, ())), count)  # noqa: FBT003
        for skill, count in required.items()
    ]
    rows.sort(key=lambda row: (bool(row.taught_by), -row.demand, row.skill_id))
    rows += [
        SkillCoverage(skill, False, tuple(taught.get(skill, ())), count)  # noqa: FBT003
        for skill, count in sorted(optional.items())
        if skill not in required
    ]
    covered = [TargetCoverage(target, fit(target.requirements, taught)[0]) for target in targets]
    covered.sort(key=lambda c: (-c.share, c.target.code))
    return Coverage(
        programme=programme,
        kind=kind,
        region=region,
        targets=covered,
        skills=rows,
        skill_details=skills.get_skills(uow, [row.skill_id for row in rows]),
    )
