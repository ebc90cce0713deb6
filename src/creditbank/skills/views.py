"""Reading the skills: one skill by its id, and the search. Public, as the occupations are: the
skills are a published classification's (or the bank's own), nothing in them is personal (the
importer's e-mail is not shown)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.occupations.api import Source
from creditbank.skills.commands import ListOccupationSkills, SearchSkills, ShowSkill
from creditbank.skills.model import RELATIONS, RequiredSkill, Skill, SkillsError
from creditbank.skills.reading import occupation_skills, skill_select, skills_of
from creditbank.skills.suggest import SkillHit, suggest_skills
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from creditbank.usecases import handler

MAX_QUERY = 200
MAX_LIMIT = 50
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class RequiringOccupation:
    """An occupation that requires the skill, how, and its names."""

    code: str
    name: str
    name_en: str | None
    relation: str
    importance: Decimal | None


@dataclass(frozen=True, slots=True)
class SkillDetail:
    """A skill with the occupations requiring it and its provenance."""

    skill: Skill
    occupations: tuple[RequiringOccupation, ...]
    source: Source


@handler
def show_skill(
    query: ShowSkill, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> SkillDetail:
    """Public: one skill by its id."""
    del principal
    session = uow.session
    found = (
        skills_of(session.execute(skill_select().where(SkillRow.id == query.skill_id)))
        if 1 <= query.skill_id <= MAX_ID
        else []
    )
    if not found:
        raise SkillsError(
            "unknown_skill", msg("No skill has id {id}.", id=str(query.skill_id)[:20])
        )
    skill = found[0]
    links = session.execute(
        select(
            OccupationSkillRow.occupation_code,
            OccupationSkillRow.relation,
            OccupationSkillRow.importance,
        ).where(OccupationSkillRow.skill_id == skill.id)
    ).all()
    names = occupations.occupation_names(uow, [code for code, _, _ in links])
    requiring = sorted(
        (
            RequiringOccupation(code, *names.get(code, (code, None)), relation, importance)
            for code, relation, importance in links
        ),
        key=lambda o: (RELATIONS.index(o.relation) if o.relation in RELATIONS else 9, o.code),
    )
    provenance = session.execute(
        select(SkillImportRow)
        .join(SkillRow, SkillRow.import_id == SkillImportRow.id)
        .where(SkillRow.id == skill.id)
    ).scalar_one()
    return SkillDetail(
        skill=skill,
        occupations=tuple(requiring),
        source=Source(
            source=provenance.source,
            version=provenance.version,
            licence=provenance.licence,
            file_name=provenance.file_name,
            sha256=provenance.sha256,
            imported_at=provenance.imported_at,
        ),
    )


@handler
def list_occupation_skills(
    query: ListOccupationSkills,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
) -> list[RequiredSkill]:
    """Public: what an occupation requires, essential first (an occupation the bank does not
    hold requires nothing: the occupations' own look-up answers that it is unknown)."""
    del principal
    return occupation_skills(uow, query.code[:16])


@handler
def search_skills(
    query: SearchSkills, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> list[SkillHit]:
    """Public: the skills that best fit ``query.q``, best first, each explained: their own texts
    searched, fused with the tasks of the occupations the text finds (``skills.suggest``)."""
    del principal
    q = " ".join(query.q.split())
    problems = []
    if not q:
        problems.append(msg("Say what to search for."))
    if len(q) > MAX_QUERY:
        problems.append(msg("A search is at most {n} characters.", n=MAX_QUERY))
    if not 1 <= query.limit <= MAX_LIMIT:
        problems.append(msg("The limit is between 1 and {n}.", n=MAX_LIMIT))
    if problems:
        raise SkillsError("invalid_skill_search", msg("The search cannot be made."), problems)
    return suggest_skills(uow, q, limit=query.limit)
