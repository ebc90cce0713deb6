"""What the ledger holds of alignments to skills, and how to read it back.

Facts of record: a version of a subject's alignment approved (``skill_alignment.approved``) or
retired (``skill_alignment.retired``), each a v2 record (ADR 0017) under the version's public
id: the item as ``OWNER:CODE``, the level as ``FRAMEWORK@VERSION:LEVEL`` (None: any level), the
version, the skills by URI and name as drafted, the author and the decider as ``user:<uuid>``,
the reason and the time. ``creditbank log verify`` reads the same fields back with
:data:`READERS` and checks every commitment; :func:`unlogged` finds decisions missing from it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.alignments.inforce import level_label
from creditbank.alignments.tables import AlignmentEventRow, AlignmentRow, AlignmentSkillRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

KINDS = {
    "approved": LogKind.SKILL_ALIGNMENT_APPROVED,
    "retired": LogKind.SKILL_ALIGNMENT_RETIRED,
}


def _records(
    uow: UnitOfWork, found: list[tuple[AlignmentRow, AlignmentEventRow]]
) -> dict[str, tuple[str, dict[str, object]]]:
    """Each version's owner (its entry's issuer) and record, by public id."""
    if not found:
        return {}
    ids = [row.id for row, _ in found]
    skills: dict[int, list[dict[str, object]]] = {i: [] for i in ids}
    for skill in uow.session.scalars(
        select(AlignmentSkillRow)
        .where(AlignmentSkillRow.alignment_id.in_(ids))
        .order_by(AlignmentSkillRow.alignment_id, AlignmentSkillRow.position)
    ):
        skills[skill.alignment_id].append({"uri": skill.uri, "name": skill.name})
    names = catalog.item_names(uow=uow, item_ids={row.item_id for row, _ in found})
    levels = frameworks.pinned_levels(
        uow=uow, level_ids={row.level_id for row, _ in found if row.level_id is not None}
    )
    actors = institutions.actor_ids(
        uow=uow,
        user_ids={row.drafted_by_user_id for row, _ in found}
        | {event.by_user_id for _, event in found},
    )
    bank = ledger.log_origin(uow=uow)
    made: dict[str, tuple[str, dict[str, object]]] = {}
    for row, event in found:
        name = names[row.item_id]
        made[row.public_id] = (
            name.owner,
            {
                "schema": RECORD_SCHEMA,
                "bank": bank,
                "item": f"{name.owner}:{name.code}",
                "level": None if row.level_id is None else level_label(levels[row.level_id]),
                "version": row.version,
                "skills": skills[row.id],
                "note": row.note,
                "drafted_by": actors[row.drafted_by_user_id],
                "drafted_at": row.drafted_at,
                "event": event.kind,
                "by": actors[event.by_user_id],
                "reason": event.reason,
                "at": event.at,
            },
        )
    return made


def alignment_fact(uow: UnitOfWork, alignment_id: int, event: AlignmentEventRow) -> LogFact:
    """The log fact of a version's approval or retirement (``event``)."""
    row = uow.session.get(AlignmentRow, alignment_id)
    assert row is not None  # noqa: S101 - the version exists
    owner, record = _records(uow, [(row, event)])[row.public_id]
    return LogFact(KINDS[event.kind], row.public_id, owner, event.at, record)


def _reader(kind: str) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        found = uow.session.execute(
            select(AlignmentRow, AlignmentEventRow)
            .join(AlignmentEventRow, AlignmentEventRow.alignment_id == AlignmentRow.id)
            .where(AlignmentRow.public_id.in_(set(record_ids)), AlignmentEventRow.kind == kind)
        ).all()
        made = _records(uow, [(row, event) for row, event in found])
        return {public_id: record for public_id, (_, record) in made.items()}

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (log_kind, RECORD_SCHEMA): _reader(kind) for kind, log_kind in KINDS.items()
}
"""For each kind of entry this area logs (records of schema 2 only): the records of the given
public ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Approvals and retirements that have no entry in the log (there should be none)."""
    found: dict[LogKind, list[str]] = {}
    for kind, log_kind in KINDS.items():
        missing = list(
            uow.session.scalars(
                select(AlignmentRow.public_id)
                .join(AlignmentEventRow, AlignmentEventRow.alignment_id == AlignmentRow.id)
                .where(
                    AlignmentEventRow.kind == kind,
                    ~ledger.is_logged(log_kind, AlignmentRow.public_id),
                )
                .order_by(AlignmentRow.id)
                .limit(limit)
            )
        )
        if missing:
            found[log_kind] = missing
    return found
