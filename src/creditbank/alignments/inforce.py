"""The alignments in force: the skills of each subject's newest approved version (unless
retired), read from ``aligned_skills``, the table the approving transaction replaces.

An outcome of item I at level L gives skill S when an alignment in force has (I, any level, S)
or (I, L, S).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select

from creditbank.alignments.tables import (
    AlignedSkillRow,
    AlignmentEventRow,
    AlignmentRow,
    AlignmentSkillRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks


@dataclass(frozen=True, slots=True)
class Alignment:
    """A skill of a subject's alignment in force."""

    alignment_id: int
    """The version's id."""
    version: int
    item_id: int
    item: str
    """``OWNER:CODE``."""
    item_name: str
    level_id: int | None
    """None: any level of the item."""
    level: str | None
    """``FRAMEWORK@VERSION:LEVEL``."""
    skill_id: int


def level_label(pinned: frameworks.PinnedLevel) -> str:
    """How records name a level of one framework version (ADR 0017)."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


def aligned_skills_select() -> Select[int, int | None, int]:
    """The sets in force for SQL joins: columns ``item_id``, ``level_id`` (NULL: any level of
    the item) and ``skill_id``."""
    return select(AlignedSkillRow.item_id, AlignedSkillRow.level_id, AlignedSkillRow.skill_id)


def _alignments(uow: UnitOfWork, rows: Iterable[AlignedSkillRow]) -> list[Alignment]:
    found = list(rows)
    if not found:
        return []
    versions = dict(
        uow.session.execute(
            select(AlignmentRow.id, AlignmentRow.version).where(
                AlignmentRow.id.in_({row.alignment_id for row in found})
            )
        ).all()
    )
    names = catalog.item_names(uow=uow, item_ids={row.item_id for row in found})
    labels = catalog.item_labels(uow=uow, item_ids={row.item_id for row in found})
    levels = frameworks.pinned_levels(
        uow=uow, level_ids={row.level_id for row in found if row.level_id is not None}
    )
    return [
        Alignment(
            alignment_id=row.alignment_id,
            version=versions[row.alignment_id],
            item_id=row.item_id,
            item=f"{names[row.item_id].owner}:{names[row.item_id].code}",
            item_name=labels[row.item_id].name,
            level_id=row.level_id,
            level=None if row.level_id is None else level_label(levels[row.level_id]),
            skill_id=row.skill_id,
        )
        for row in found
    ]


def alignments_of_items(uow: UnitOfWork, item_ids: Collection[int]) -> list[Alignment]:
    """The skills in force of these items' subjects (every level), by item, level, skill."""
    if not item_ids:
        return []
    rows = uow.session.scalars(
        select(AlignedSkillRow)
        .where(AlignedSkillRow.item_id.in_(set(item_ids)))
        .order_by(AlignedSkillRow.item_id, AlignedSkillRow.level_id, AlignedSkillRow.skill_id)
    )
    return _alignments(uow, rows)


def alignments_teaching(uow: UnitOfWork, skill_ids: Collection[int]) -> dict[int, list[Alignment]]:
    """For each of these skills, the alignments in force that give it (skills nothing teaches
    are left out)."""
    if not skill_ids:
        return {}
    rows = uow.session.scalars(
        select(AlignedSkillRow)
        .where(AlignedSkillRow.skill_id.in_(set(skill_ids)))
        .order_by(AlignedSkillRow.skill_id, AlignedSkillRow.item_id, AlignedSkillRow.level_id)
    )
    found: dict[int, list[Alignment]] = {}
    for alignment in _alignments(uow, rows):
        found.setdefault(alignment.skill_id, []).append(alignment)
    return found


def skills_in_force(uow: UnitOfWork, item_id: int, level_id: int | None) -> list[int]:
    """The skills an outcome of ``item_id`` at ``level_id`` gives: those of the item's
    alignment in force at any level and at that level, in id order."""
    levels: list[ColumnElement[bool]] = [AlignedSkillRow.level_id.is_(None)]
    if level_id is not None:
        levels.append(AlignedSkillRow.level_id == level_id)
    return sorted(
        set(
            uow.session.scalars(
                select(AlignedSkillRow.skill_id).where(
                    AlignedSkillRow.item_id == item_id, or_(*levels)
                )
            )
        )
    )


@dataclass(frozen=True, slots=True)
class SkillAt:
    """A skill an item's alignment gave at a moment: its id, and its URI and name as approved."""

    skill_id: int
    uri: str
    name: str
    alignment_id: int
    version: int


def skills_in_force_at(
    uow: UnitOfWork, *, item_owner: str, item_code: str, level_id: int | None, at: datetime
) -> list[SkillAt]:
    """The skills an outcome of item ``OWNER:CODE`` at ``level_id`` gave at ``at``: of each
    subject of the item (any level, and that level), the newest version approved by then
    unless retired by then. A credential issued at ``at`` carries these, whenever exported."""
    item = catalog.find_item(uow=uow, institution=item_owner, code=item_code)
    if item is None:
        return []
    session = uow.session
    subjects = select(AlignmentRow.id).where(
        AlignmentRow.item_id == item.id,
        or_(AlignmentRow.level_id.is_(None), AlignmentRow.level_id == level_id)
        if level_id is not None
        else AlignmentRow.level_id.is_(None),
    )
    decided = session.execute(
        select(
            AlignmentRow.id, AlignmentRow.subject_id, AlignmentRow.version, AlignmentEventRow.kind
        )
        .join(AlignmentEventRow, AlignmentEventRow.alignment_id == AlignmentRow.id)
        .where(
            AlignmentRow.id.in_(subjects),
            AlignmentEventRow.kind.in_(("approved", "retired")),
            AlignmentEventRow.at <= at,
        )
    ).all()
    newest: dict[int, tuple[int, int]] = {}
    retired: set[int] = set()
    for alignment_id, subject_id, version, kind in decided:
        if kind == "retired":
            retired.add(alignment_id)
        elif version > newest.get(subject_id, (0, 0))[0]:
            newest[subject_id] = (version, alignment_id)
    chosen = {
        alignment_id: version
        for version, alignment_id in newest.values()
        if alignment_id not in retired
    }
    if not chosen:
        return []
    found: dict[int, SkillAt] = {}
    for row in session.scalars(
        select(AlignmentSkillRow)
        .where(AlignmentSkillRow.alignment_id.in_(chosen))
        .order_by(AlignmentSkillRow.alignment_id, AlignmentSkillRow.position)
    ):
        found.setdefault(
            row.skill_id,
            SkillAt(row.skill_id, row.uri, row.name, row.alignment_id, chosen[row.alignment_id]),
        )
    return list(found.values())
