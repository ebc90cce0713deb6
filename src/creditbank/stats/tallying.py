"""Tallying facts into ``stat_cells`` in the transaction that makes them.

:func:`tally` adds a fact's cells to a pending sum kept in the unit of work's session
(``Session.info``); a ``before_commit`` listener on that session writes them just before the
transaction commits, one upsert per distinct cell (``INSERT ... ON CONFLICT DO UPDATE SET
n = n + excluded.n, amount = amount + excluded.amount``), the cells sorted by key so that two
transactions touching the same cells lock them in the same order (no deadlock). A rollback drops
what was pending. Many facts in one transaction (a bulk deposit) cost one statement per chunk
of distinct cells, however many facts there were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from creditbank.db import UnitOfWork
from creditbank.stats.model import CellKey, Fact, cells_of
from creditbank.stats.tables import StatCellRow

PENDING = "creditbank.stats.pending"
"""The key of the pending cells in ``Session.info``: {cell key: [count, amount]}."""
_LISTENING = "creditbank.stats.listening"
CHUNK = 2000
"""Cells per statement: 8 parameters a cell stays under SQLite's 32,766 and PostgreSQL's 65,535."""

Pending = dict[CellKey, list[Any]]


def tally(uow: UnitOfWork, facts: Iterable[Fact]) -> None:
    """Add ``facts`` to the bank's figures in ``uow``'s transaction: collected in the session and
    written just before it commits (cells sorted; one upsert per distinct cell), dropped on
    rollback. Call it in the use case that makes the fact, after the fact is made."""
    pending = pending_cells(uow.session)
    add_facts(pending, facts)


def add_facts(pending: Pending, facts: Iterable[Fact]) -> None:
    """Add the cells of ``facts`` to ``pending`` (in memory)."""
    for fact in facts:
        for key, count, amount in cells_of(fact):
            found = pending.get(key)
            if found is None:
                pending[key] = [count, amount]
            else:
                found[0] += count
                found[1] += amount


def pending_cells(session: Session) -> Pending:
    """The cells waiting in ``session`` for its commit (the listeners set up on first use)."""
    pending: Pending | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = {}
        if not session.info.get(_LISTENING):
            session.info[_LISTENING] = True
            event.listen(session, "before_commit", _write_pending)
            event.listen(session, "after_soft_rollback", _drop_pending)
    return pending


def _write_pending(session: Session) -> None:
    pending: Pending | None = session.info.pop(PENDING, None)
    if pending:
        upsert_cells(session, pending)


def _drop_pending(session: Session, _previous_transaction: object) -> None:
    session.info.pop(PENDING, None)


def upsert_cells(session: Session, cells: Mapping[CellKey, list[Any]]) -> None:
    """Add ``cells`` ({key: [count, amount]}) to ``stat_cells``, in key order, a chunk of
    distinct cells per statement."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = cast("Table", StatCellRow.__table__)
    ordered = iter(sorted(cells.items()))
    for chunk in _chunks(ordered, CHUNK):
        statement = insert(table).values(
            [
                {
                    "figure": figure,
                    "measure": measure,
                    "scope": scope,
                    "dim": dim,
                    "value": value,
                    "month": month,
                    "n": count,
                    "amount": Decimal(amount),
                }
                for (figure, measure, scope, dim, value, month), (count, amount) in chunk
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=[
                table.c.figure,
                table.c.scope,
                table.c.dim,
                table.c.month,
                table.c.measure,
                table.c.value,
            ],
            set_={
                "n": table.c.n + statement.excluded.n,
                "amount": table.c.amount + statement.excluded.amount,
            },
        )
        session.execute(statement)


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk
