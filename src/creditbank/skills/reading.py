"""Reading stored skills as plain data (``model.Skill``): what ``api`` hands to other areas and
what the views show. Each skill carries its import's source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from creditbank.db import UnitOfWork
from creditbank.skills.model import RELATIONS, RequiredSkill, Skill
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow

CHUNK = 500
_DIGITS = re.compile(r"(\d+)")


def skill_select() -> Select[int, str, str, str | None, str, str, str]:
    """The columns of a :class:`Skill`, its import's source joined."""
    return select(
        SkillRow.id,
        SkillRow.uri,
        SkillRow.name,
        SkillRow.name_en,
        SkillRow.description,
        SkillRow.kind,
        SkillImportRow.source,
    ).join(SkillImportRow, SkillImportRow.id == SkillRow.import_id)


def skills_of(rows: Iterable[tuple[int, str, str, str | None, str, str, str]]) -> list[Skill]:
    """Skills from rows of :func:`skill_select`."""
    return [Skill(*row) for row in rows]


def uri_order(uri: str) -> tuple[object, ...]:
    """A URI's place in order, its numbers compared as numbers (task 2 before task 10)."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(uri))


def get_skills(uow: UnitOfWork, ids: Collection[int]) -> dict[int, Skill]:
    """The skills of ``ids`` the bank holds, by id."""
    wanted = sorted(set(ids))
    found: dict[int, Skill] = {}
    for start in range(0, len(wanted), CHUNK):
        query = skill_select().where(SkillRow.id.in_(wanted[start : start + CHUNK]))
        found.update((skill.id, skill) for skill in skills_of(uow.session.execute(query)))
    return found


def skills_by_uri(uow: UnitOfWork, uris: Collection[str]) -> dict[str, Skill]:
    """The skills of ``uris`` the bank holds, by URI."""
    wanted = sorted(set(uris))
    found: dict[str, Skill] = {}
    for start in range(0, len(wanted), CHUNK):
        query = skill_select().where(SkillRow.uri.in_(wanted[start : start + CHUNK]))
        found.update((skill.uri, skill) for skill in skills_of(uow.session.execute(query)))
    return found


def skill_by_uri(uow: UnitOfWork, uri: str) -> Skill | None:
    """The skill of ``uri``, or None."""
    found = skills_of(uow.session.execute(skill_select().where(SkillRow.uri == uri)))
    return found[0] if found else None


def occupation_skills(uow: UnitOfWork, code: str) -> list[RequiredSkill]:
    """What the occupation ``code`` requires: essential first, then by importance (highest
    first, none last), then by URI (its numbers as numbers)."""
    query = (
        skill_select()
        .add_columns(
            OccupationSkillRow.relation, OccupationSkillRow.importance, OccupationSkillRow.level
        )
        .join(OccupationSkillRow, OccupationSkillRow.skill_id == SkillRow.id)
        .where(OccupationSkillRow.occupation_code == code)
    )
    required = [
        RequiredSkill(Skill(*row[:7]), row[7], row[8], row[9]) for row in uow.session.execute(query)
    ]
    return sorted(required, key=_required_order)


def _required_order(required: RequiredSkill) -> tuple[object, ...]:
    importance = required.importance if required.importance is not None else Decimal(0)
    rank = RELATIONS.index(required.relation) if required.relation in RELATIONS else len(RELATIONS)
    return (rank, -importance, uri_order(required.skill.uri))


def occupations_requiring(uow: UnitOfWork, skill_ids: Collection[int]) -> dict[int, list[str]]:
    """The codes of the occupations requiring each of ``skill_ids`` (those required by none are
    left out), each list sorted."""
    wanted = sorted(set(skill_ids))
    found: dict[int, list[str]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = select(OccupationSkillRow.skill_id, OccupationSkillRow.occupation_code).where(
            OccupationSkillRow.skill_id.in_(wanted[start : start + CHUNK])
        )
        for skill_id, code in uow.session.execute(query):
            found.setdefault(skill_id, []).append(code)
    return {skill_id: sorted(codes) for skill_id, codes in found.items()}


def all_skills(uow: UnitOfWork) -> list[Skill]:
    """Every skill the bank holds, by id."""
    return skills_of(uow.session.execute(skill_select().order_by(SkillRow.id)))


def skills_version(uow: UnitOfWork) -> str:
    """A text that changes whenever an import changes skills: a hash of every import's id and
    file hash (an import that changes nothing stores nothing)."""
    return imports_fingerprint(uow.session)


def imports_fingerprint(session: Session) -> str:
    """The hash of the stored imports (their ids and files' hashes), in order."""
    digest = hashlib.sha256()
    for number, sha256 in session.execute(
        select(SkillImportRow.id, SkillImportRow.sha256).order_by(SkillImportRow.id)
    ):
        digest.update(f"{number}:{sha256}\n".encode())
    return digest.hexdigest()[:16]
