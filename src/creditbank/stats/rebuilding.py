"""Counting every figure again from the bank's records: :func:`rebuild`.

In one transaction: the statistics are locked against concurrent tallies (PostgreSQL: ``LOCK
TABLE stat_cells, stat_rollups IN EXCLUSIVE MODE``, which readers pass and writers wait for;
SQLite: the database's write lock), every cell and roll-up is deleted except the accounts' sex
and age counters (no person's sex or age is stored anywhere, so they cannot be counted again),
and every fact each source yields is counted, in memory per cell, then written in bulk. A use
case that tallies meanwhile waits for the rebuild to commit and then adds its facts on top: its
records were not committed when the sources read, so nothing is counted twice or lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import delete, text

from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.stats.model import KEPT_DIMS, Fact
from creditbank.stats.tables import StatCellRow, StatRollupRow
from creditbank.stats.tallying import Pending, add_facts, upsert_cells

FactSource = Callable[[UnitOfWork], Iterator[Fact]]


def lock_cells(uow: UnitOfWork) -> None:
    """Keep every other transaction from changing the cells until this one ends (readers
    still read them)."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE stat_cells, stat_rollups IN EXCLUSIVE MODE"))
    else:
        hold_write_lock(session)


def rebuild(uow: UnitOfWork, sources: Iterable[FactSource]) -> int:
    """Count every fact of ``sources`` again into the cells, in ``uow``'s transaction (see the
    module); the number of cells written."""
    lock_cells(uow)
    for table in (StatCellRow, StatRollupRow):
        uow.session.execute(
            delete(table).where(~((table.figure == "accounts") & table.dim.in_(KEPT_DIMS)))
        )
    pending: Pending = {}
    for source in sources:
        add_facts(pending, _without_kept_dims(source(uow)))
    upsert_cells(uow.session, pending)
    return len(pending)


def _without_kept_dims(facts: Iterable[Fact]) -> Iterator[Fact]:
    """The facts without the dimensions a rebuild keeps as they are (a source should not yield
    them; if one does, they are not counted twice)."""
    for fact in facts:
        if KEPT_DIMS.isdisjoint(fact.dims):
            yield fact
        else:
            dims = {dim: value for dim, value in fact.dims.items() if dim not in KEPT_DIMS}
            yield Fact(
                fact.figure, fact.measure, fact.at, fact.institution, dims, fact.count, fact.amount
            )
