"""The supply side of "skills in demand and held", counted ahead of reading: a snapshot.

Counting the distinct learners who hold each aligned skill reads every standing outcome of every
aligned item (``accounts.api.held_skills_select`` over ``alignments.api.aligned_skills_select``):
0.5-1.2 s at 100,000 learners, tens of seconds at 10 million outcomes. A public figure must not
cost that per request, so a bank administrator's refresh (:func:`refresh_skill_supply`,
``creditbank stats refresh-skills``; the demo bank refreshes once at ``init``) counts it into
``skill_supply`` (by skill URI, occupation code, region code, and the total), with the time it
was counted in ``skill_supply_snapshots``; the figure (``stats.demand``) reads that and shows
its "as of".

- **What is counted** (as ADR 0021's addendum says): the learners holding a skill through an
  outcome that still counts (neither revoked nor superseded) of an item that an alignment in
  force gives it, at the outcome's level or any; by occupation, holding at least one of its
  skills; by region, holding a skill from an outcome of an institution of the region (as the
  institutions area places it when the refresh counts). By occupation and region each row's
  distinct learners are counted by the database, the skills' occupations and the institutions'
  regions sent as a small VALUES table (up to :data:`MAPPED_IN_SQL` pairs; beyond, the pairs of
  learners are united in the process).
- **One winner**: the refresh locks the snapshot's one row first (``db.for_update``: a row lock
  on PostgreSQL, the write lock on SQLite), so refreshes run one at a time and a reader sees the
  old snapshot or the new one, never a mix. A refresh that says which refreshes it saw
  (``RefreshSkillSupply.seen``) does nothing when another one counted while it waited.
- **Not refreshed when alignments are approved or retired, nor at deposits**: distinct learners
  do not add up (a learner holding a skill from two items counts once), so a change of one
  item's alignment cannot be applied to the counts without counting everything again, which
  would add the whole count's cost (seconds at national scale) to the approving transaction and
  hold its locks meanwhile. The figure says "as of" instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Subquery,
    delete,
    distinct,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.db import UnitOfWork, bulk_insert, for_update, hold_write_lock
from creditbank.institutions import api as institutions
from creditbank.skills import api as skills
from creditbank.stats import naming
from creditbank.stats.commands import RefreshSkillSupply
from creditbank.stats.tables import SNAPSHOT_ID, SkillSupplyRow, SkillSupplySnapshotRow
from creditbank.usecases import handler

TOTAL: Final = "total"
"""The ``by`` of the snapshot's total row (value "")."""

MAPPED_IN_SQL: Final = 5_000
"""The most (skill or issuer, row) pairs sent to the database as a VALUES table to count each
row's distinct learners there; beyond it the pairs of learners are united in the process."""


@dataclass(frozen=True, slots=True)
class SkillSupply:
    """The snapshot as last counted: learners by (by, value), when, and how many refreshes."""

    as_of: datetime
    learners: Mapping[tuple[str, str], int]
    refreshes: int

    def by(self, breakdown: str) -> dict[str, int]:
        """The rows of one breakdown (skill, occupation, region): learners by value."""
        return {value: n for (by, value), n in self.learners.items() if by == breakdown}

    @property
    def total(self) -> int:
        return self.learners.get((TOTAL, ""), 0)


@dataclass(frozen=True, slots=True)
class SupplyRefreshed:
    """What a refresh did: ``counted`` False when another refresh counted while it waited (its
    snapshot is the one described)."""

    counted: bool
    as_of: datetime
    rows: int
    refreshes: int


def read_supply(uow: UnitOfWork, *, breakdown: str | None = None) -> SkillSupply | None:
    """The snapshot (only ``breakdown``'s rows and the total when given), or None when no
    refresh has counted yet."""
    state = uow.session.get(SkillSupplySnapshotRow, SNAPSHOT_ID)
    if state is None or state.as_of is None:
        return None
    rows = select(SkillSupplyRow.by, SkillSupplyRow.value, SkillSupplyRow.learners)
    if breakdown is not None:
        rows = rows.where(SkillSupplyRow.by.in_([breakdown, TOTAL]))
    counted = {(by, value): int(n) for by, value, n in uow.session.execute(rows)}
    return SkillSupply(_aware(state.as_of), counted, state.refreshes)


def supply_refreshes(uow: UnitOfWork) -> int:
    """How many refreshes have counted (0: none): what a refresh passes as ``seen``."""
    state = uow.session.get(SkillSupplySnapshotRow, SNAPSHOT_ID)
    return 0 if state is None else state.refreshes


@handler
def refresh_skill_supply(
    command: RefreshSkillSupply, *, principal: Principal, uow: UnitOfWork
) -> SupplyRefreshed:
    """Bank administrators: count the learners holding each aligned skill again into the
    snapshot (see the module), unless another refresh counted since ``command.seen``."""
    require(principal, Action.REBUILD_STATS, None)
    session = uow.session
    hold_write_lock(session)  # SQLite: before anything is read
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(  # the row, made by the first refresh
        insert(SkillSupplySnapshotRow)
        .values(id=SNAPSHOT_ID, as_of=None, refreshes=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    state = session.scalars(
        for_update(
            session,
            select(SkillSupplySnapshotRow).where(SkillSupplySnapshotRow.id == SNAPSHOT_ID),
        )
    ).one()
    if command.seen is not None and state.refreshes != command.seen and state.as_of is not None:
        rows = session.scalar(select(func.count()).select_from(SkillSupplyRow)) or 0
        return SupplyRefreshed(
            counted=False, as_of=_aware(state.as_of), rows=rows, refreshes=state.refreshes
        )
    as_of = datetime.now(UTC)
    counted = count_supply(uow)
    session.execute(delete(SkillSupplyRow))
    bulk_insert(
        session,
        SkillSupplyRow,
        [{"by": by, "value": value, "learners": n} for (by, value), n in sorted(counted.items())],
    )
    state.as_of = as_of
    state.refreshed_by = principal.email
    state.refreshes += 1
    session.flush()
    return SupplyRefreshed(counted=True, as_of=as_of, rows=len(counted), refreshes=state.refreshes)


def count_supply(uow: UnitOfWork) -> dict[tuple[str, str], int]:
    """The learners holding aligned skills, counted now: by (skill, URI), (occupation, code),
    (region, code) and (total, ""); rows without a learner left out, the total always there."""
    counted: dict[tuple[str, str], int] = {(TOTAL, ""): count_total(uow)}
    for breakdown, count in COUNTS.items():
        counted |= {(breakdown, value): n for value, n in count(uow).items()}
    return counted


def _held() -> Subquery:
    """One row per standing outcome and skill an alignment in force gives it (learner_id,
    skill_id, institution_id)."""
    return accounts.held_skills_select(alignments.aligned_skills_select()).subquery()


def count_total(uow: UnitOfWork) -> int:
    """The distinct learners holding any aligned skill."""
    held = _held()
    return uow.session.scalar(select(func.count(distinct(held.c.learner_id)))) or 0


def count_by_skill(uow: UnitOfWork) -> dict[str, int]:
    """The distinct learners holding each skill, by its URI."""
    held = _held()
    by_id = {
        int(skill_id): int(learners)
        for skill_id, learners in uow.session.execute(
            select(held.c.skill_id, func.count(distinct(held.c.learner_id))).group_by(
                held.c.skill_id
            )
        )
    }
    found = skills.get_skills(uow, list(by_id))
    return {found[key].uri: learners for key, learners in by_id.items() if key in found}


def count_by_occupation(uow: UnitOfWork) -> dict[str, int]:
    """The distinct learners holding at least one of an occupation's skills, by its code."""
    aligned = alignments.aligned_skills_select().subquery()
    in_force = list(uow.session.scalars(select(aligned.c.skill_id).distinct()))
    requiring = skills.occupations_requiring(uow, in_force)
    held = _held()
    return _learners_by(uow, held, held.c.skill_id, requiring)


def count_by_region(uow: UnitOfWork) -> dict[str, int]:
    """The distinct learners holding a skill from an outcome of an institution of a region, by
    its code ("" where the bank cannot place the institution)."""
    codes = institutions.institution_codes(uow=uow)  # every issuer: the bank's institutions
    places = naming.places(uow, "region", list(codes.values()))
    placed = {key: [places.get(code, "")] for key, code in codes.items()}
    held = _held()
    return _learners_by(uow, held, held.c.institution_id, placed)


COUNTS: Final[Mapping[str, Callable[[UnitOfWork], dict[str, int]]]] = {
    "skill": count_by_skill,
    "occupation": count_by_occupation,
    "region": count_by_region,
}
"""How each breakdown is counted."""


def _learners_by(
    uow: UnitOfWork, held: Subquery, key: ColumnElement[int], rows: Mapping[int, Sequence[str]]
) -> dict[str, int]:
    """The distinct learners of each row, a ``key`` (a skill, an issuer) counting in each of
    its ``rows``: counted by the database, the keys' rows sent as a VALUES table (up to
    :data:`MAPPED_IN_SQL` pairs; more: the distinct (key, learner) pairs united here). Rows
    without a learner are left out."""
    pairs = [(found, row) for found, named in rows.items() for row in named]
    if not pairs:
        return {}
    if len(pairs) <= MAPPED_IN_SQL:
        mapping = _values(pairs)
        counted = uow.session.execute(
            select(mapping.c.row_value, func.count(distinct(held.c.learner_id)))
            .join_from(held, mapping, mapping.c.key_id == key)
            .group_by(mapping.c.row_value)
        )
        return {str(row): int(learners) for row, learners in counted}
    holders: dict[int, set[int]] = defaultdict(set)
    for found, learner in uow.session.execute(select(key, held.c.learner_id).distinct()):
        holders[int(found)].add(int(learner))
    united: dict[str, set[int]] = defaultdict(set)
    for found, row in pairs:
        united[row] |= holders.get(found, set())
    return {row: len(learners) for row, learners in united.items() if learners}


def _values(pairs: Sequence[tuple[int, str]]) -> Subquery:
    """``pairs`` as a table (``key_id``, ``row_value``) of literal rows, which both databases read
    (SQLite names a VALUES list's columns column1, column2, and takes no column aliases)."""
    names: dict[str, int | str] = {f"k{n}": key for n, (key, _) in enumerate(pairs)}
    names |= {f"r{n}": row for n, (_, row) in enumerate(pairs)}
    listed = ", ".join(f"(:k{n}, :r{n})" for n in range(len(pairs)))
    return (
        text(f"SELECT column1 AS key_id, column2 AS row_value FROM (VALUES {listed}) AS pairs")  # noqa: S608 - placeholders only
        .bindparams(**names)
        .columns(key_id=Integer, row_value=String)
        .subquery("mapping")
    )


def _aware(moment: datetime) -> datetime:
    """``moment`` in UTC (SQLite gives back a naive time)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
