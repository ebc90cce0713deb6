"""The cells of one figure as stored, what a step added to them, and the cells a rebuild source's
facts make: for the tests of the facts each area tallies (accreditation, 1+X, recognition)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.db import Database, UnitOfWork
from creditbank.stats import api as stats
from creditbank.stats.commands import RebuildStats
from creditbank.stats.figures import rebuild_stats
from creditbank.stats.model import cells_of, month_of
from creditbank.stats.tables import StatCellRow

Key = tuple[str, str, str, str, int]
"""(measure, scope, dim, value, month) of a cell of one figure."""
Cells = dict[Key, tuple[int, Decimal]]
Source = Callable[[UnitOfWork], Iterator[stats.Fact]]


def this_month() -> int:
    return month_of(datetime.now(UTC))


def stored(database: Database, figure: str) -> Cells:
    """The figure's cells in ``stat_cells`` (a unit of work of its own)."""
    with database.unit_of_work() as uow:
        rows = uow.session.scalars(select(StatCellRow).where(StatCellRow.figure == figure))
        return {
            (row.measure, row.scope, row.dim, row.value, row.month): (row.n, Decimal(row.amount))
            for row in rows
        }


def of_facts(facts: Iterable[stats.Fact]) -> Cells:
    """The cells ``facts`` add up to, as the tally makes them."""
    found: dict[Key, list[int | Decimal]] = defaultdict(lambda: [0, Decimal(0)])
    for fact in facts:
        for (_figure, measure, scope, dim, value, month), count, amount in cells_of(fact):
            cell = found[(measure, scope, dim, value, month)]
            cell[0] += count
            cell[1] += amount
    return {key: (int(n), Decimal(amount)) for key, (n, amount) in found.items()}


def rebuilt(database: Database, source: Source) -> Cells:
    """The cells of what ``source`` yields from the stored rows."""
    with database.unit_of_work() as uow:
        return of_facts(source(uow))


def rebuilt_by_the_bank(database: Database, figure: str, admin: Principal) -> Cells:
    """The figure's cells after ``creditbank stats rebuild`` (its handler, counting the wired
    ``FACT_SOURCES`` again)."""
    with database.unit_of_work() as uow:
        assert rebuild_stats(RebuildStats(), principal=admin, uow=uow) > 0
    return stored(database, figure)


def added(before: Cells, after: Cells) -> Cells:
    """What changed from ``before`` to ``after``, cell by cell (count and amount added)."""
    changed: Cells = {}
    for key in before.keys() | after.keys():
        n0, amount0 = before.get(key, (0, Decimal(0)))
        n1, amount1 = after.get(key, (0, Decimal(0)))
        if (n0, amount0) != (n1, amount1):
            changed[key] = (n1 - n0, amount1 - amount0)
    return changed


def totals(cells: Cells) -> dict[str, tuple[int, Decimal]]:
    """Per measure, its bank-wide total over every month (count, amount)."""
    found: dict[str, tuple[int, Decimal]] = {}
    for (measure, scope, dim, _value, _month), (n, amount) in cells.items():
        if scope == "" and dim == "all":
            count, total = found.get(measure, (0, Decimal(0)))
            found[measure] = (count + n, total + amount)
    return found


@contextmanager
def fact_source(source: Source) -> Iterator[None]:
    """``source`` among ``stats.api.FACT_SOURCES`` (the lead wires it in bootstrap; until then,
    the tests do)."""
    present = source in stats.FACT_SOURCES
    if not present:
        stats.FACT_SOURCES.append(source)
    try:
        yield
    finally:
        if not present:
            stats.FACT_SOURCES.remove(source)
