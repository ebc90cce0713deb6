"""Tallying facts into ``stat_cells`` in the transaction that makes them.

:func:`tally` adds a fact's cells to a pending sum kept in the unit of work's session
(``Session.info``); a ``before_commit`` listener on that session writes them just before the
transaction commits, one upsert per distinct cell (``INSERT ... ON CONFLICT DO UPDATE SET
n = n + excluded.n, amount = amount + excluded.amount``), the cells sorted by key so that two
transactions touching the same cells lock them in the same order (no deadlock); then their sums
by year and over all time into ``stat_rollups`` the same way. A rollback drops what was pending:
the pending sums are kept in a layer per transaction and savepoint, so a savepoint rolled back
(a lost race the use case goes on after) drops only what was tallied inside it. Many facts in
one transaction (a bulk deposit) are summed in memory first: one upsert per distinct cell (all
sent as one ``executemany``), however many facts there were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Executable, Table, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction

from creditbank.db import Base, UnitOfWork
from creditbank.stats.model import CellKey, Fact, cells_of
from creditbank.stats.tables import StatCellRow, StatRollupRow

PENDING = "creditbank.stats.pending"
"""The key of the pending cells in ``Session.info``: {transaction: {cell key: [count, amount]}},
a layer per open transaction or savepoint."""
_MERGED = "creditbank.stats.merged"
"""The savepoint whose cells were just added to its parent's: (savepoint, parent, its cells)."""

Pending = dict[CellKey, list[Any]]
Layers = dict[SessionTransaction, Pending]


def tally(uow: UnitOfWork, facts: Iterable[Fact]) -> None:
    """Add ``facts`` to the bank's figures in ``uow``'s transaction: collected in the session and
    written just before it commits (cells sorted; one upsert per distinct cell), dropped on
    rollback (a savepoint rolled back drops what was tallied inside it). Call it in the use case
    that makes the fact, after the fact is made."""
    add_facts(pending_cells(uow.session), facts)


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
    """The cells waiting in ``session``'s innermost transaction (savepoint or not), the
    listeners set up on the session's first tally."""
    layers: Layers | None = session.info.get(PENDING)
    if layers is None:
        layers = session.info[PENDING] = {}
        event.listen(session, "before_commit", _write_pending)
        event.listen(session, "after_soft_rollback", _drop_layer)
        event.listen(session, "after_transaction_end", _merge_layer)
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        transaction = session.begin()
    return layers.setdefault(transaction, {})


def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its cells wait for the transaction's commit
    layers: Layers = session.info.get(PENDING, {})
    merged: Pending = {}
    for layer in layers.values():
        add_cells(merged, layer)
    layers.clear()
    if merged:
        upsert_cells(session, merged)


def _merge_layer(session: Session, transaction: SessionTransaction) -> None:
    """A transaction ended: a savepoint's cells join its parent's (taken back out by
    :func:`_drop_layer` when the savepoint was rolled back: SQLAlchemy ends a transaction
    before it reports the rollback); what is left of a root transaction is dropped."""
    layers: Layers = session.info.get(PENDING, {})
    layer = layers.pop(transaction, None)
    parent = transaction.parent
    session.info.pop(_MERGED, None)
    if layer and transaction.nested and parent is not None:
        add_cells(layers.setdefault(parent, {}), layer)
        session.info[_MERGED] = (transaction, parent, layer)


def _drop_layer(session: Session, previous_transaction: SessionTransaction) -> None:
    """A transaction was rolled back: its cells go (a savepoint's, out of its parent's)."""
    layers: Layers = session.info.get(PENDING, {})
    layers.pop(previous_transaction, None)
    merged = session.info.pop(_MERGED, None)
    if merged is not None and merged[0] is previous_transaction:
        _, parent, layer = merged
        into = layers.get(parent, {})
        for key, (count, amount) in layer.items():
            into[key][0] -= count
            into[key][1] -= amount
            if into[key][0] == 0 and into[key][1] == 0:
                del into[key]


def add_cells(into: Pending, cells: Pending) -> None:
    """Add ``cells`` to ``into`` (both {key: [count, amount]})."""
    for key, (count, amount) in cells.items():
        found = into.get(key)
        if found is None:
            into[key] = [count, amount]
        else:
            found[0] += count
            found[1] += amount


def upsert_cells(session: Session, cells: Mapping[CellKey, list[Any]]) -> None:
    """Add ``cells`` ({key: [count, amount]}) to ``stat_cells``, and their sums by year and over
    all time to ``stat_rollups``: one upsert per cell, the cells first then the roll-ups, each in
    the order of its primary key (the same order in every transaction: no deadlock), each table's
    sent as one ``executemany`` (one compiled statement; psycopg pipelines it, sqlite3 loops in
    C)."""
    if not cells:
        return
    rollups: dict[Ordered, list[Any]] = {}
    rows = []
    for key, (count, amount) in sorted(cells.items(), key=_in_key_order):
        figure, measure, scope, dim, value, month = key
        rows.append(_row((figure, scope, dim, month, measure, value), count, amount, time="month"))
        for period in (month // 100, ALL_TIME):
            found = rollups.get((figure, scope, dim, period, measure, value))
            if found is None:
                rollups[figure, scope, dim, period, measure, value] = [count, amount]
            else:
                found[0] += count
                found[1] += amount
    dialect = session.get_bind().dialect.name
    session.execute(_upsert(dialect, StatCellRow, "month"), rows)
    session.execute(
        _upsert(dialect, StatRollupRow, "period"),
        [
            _row(key, count, amount, time="period")
            for key, (count, amount) in sorted(rollups.items())
        ],
    )


ALL_TIME = 0
"""The roll-ups' ``period`` of all time (a year's is the year)."""


Ordered = tuple[str, str, str, int, str, str]
"""A cell's or roll-up's key in its primary key's order: (figure, scope, dim, month or period,
measure, value)."""


def _row(key: Ordered, count: int, amount: Decimal, *, time: str) -> dict[str, object]:
    figure, scope, dim, when, measure, value = key
    return {
        "figure": figure,
        "scope": scope,
        "dim": dim,
        time: when,
        "measure": measure,
        "value": value,
        "n": count,
        "amount": amount,
    }


def _in_key_order(item: tuple[CellKey, object]) -> Ordered:
    figure, measure, scope, dim, value, month = item[0]
    return figure, scope, dim, month, measure, value


def _upsert(dialect: str, table_class: type[Base], time: str) -> Executable:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = cast("Table", table_class.__table__)
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in ("figure", "scope", "dim", time)]
        + [table.c.measure, table.c.value],
        set_={
            "n": table.c.n + statement.excluded.n,
            "amount": table.c.amount + statement.excluded.amount,
        },
    )
