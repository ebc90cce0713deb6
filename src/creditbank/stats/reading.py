"""Reading a figure from the cells: rows by a dimension, a total, small counts suppressed.

A figure read ``by`` a dimension sums the cells of that dimension (``by`` region or institution
type: of dimension "institution", each institution placed where the institutions area holds it
now; ``by`` year or month: of dimension "all", by the cells' months) over the months asked, in
the scope asked (the bank, or one institution). The facts that carry no value of the dimension
are a row of their own ("not stated"), so that the rows always add up to the total. Then
``creditbank.suppression.hidden_in_table`` hides every count below the threshold and enough
others (in the rows of a column, in a row's related measures) that none can be worked out.

Where the cells come from is a :data:`CELL_LOADERS` entry: "bank" reads ``stat_cells``; the
national bank's combined cells ("network") are registered by ``stats.exchange``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import func, select

from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.stats import naming
from creditbank.stats.exchange.reading import network_cells
from creditbank.stats.model import (
    AFTER_YEARS,
    ALL,
    BANK_WIDE,
    COHORT_AFTER,
    INSTITUTION,
    LAST_MONTH,
    VALUE_LABELS,
    FigureRow,
    FigureSpec,
    FigureTable,
    StatsError,
    check_by,
    figure_spec,
    month_text,
    period,
    spans,
)
from creditbank.stats.tables import StatCellRow, StatRollupRow
from creditbank.suppression import figure, hidden_in_table


@dataclass(frozen=True)
class CellQuery:
    """Which cells to sum: a figure's cells of one ``dim`` in one ``scope`` ("" the bank) over
    months ``first``..``last`` (``year * 100 + month``), summed by ``group``: "value" (the
    dimension's value), "month", "year", or "bank" (the network's cells only)."""

    figure: str
    scope: str
    dim: str
    first: int
    last: int
    group: str


CellSum = tuple[str, str, int, Decimal]
"""(measure, group's value, count, amount): what a loader answers, one per measure and value."""


class CellLoader(Protocol):
    def __call__(self, uow: UnitOfWork, query: CellQuery) -> Iterable[CellSum]: ...


def bank_cells(uow: UnitOfWork, query: CellQuery) -> Iterable[CellSum]:
    """This bank's counts, summed as ``query`` asks, each part one range of a primary key:
    whole years (or all time) from ``stat_rollups``, the months around them from
    ``stat_cells`` (by month: months only)."""
    if query.group not in {"value", "month", "year"}:
        raise _unknown_breakdown(query.group)
    cells, rollups = StatCellRow, StatRollupRow
    if query.group == "month":
        return _summed(uow, query, cells, (query.first, query.last))
    all_time, years, months = spans(query.first, query.last)
    if all_time and query.group == "year":  # all time has no year: read every year
        all_time, years = False, (1, LAST_MONTH // 100)
    parts: list[Iterable[CellSum]] = []
    if all_time:
        parts.append(_summed(uow, query, rollups, (0, 0)))
    if years is not None:
        parts.append(_summed(uow, query, rollups, years))
    parts.extend(_summed(uow, query, cells, span) for span in months)
    summed: dict[tuple[str, str], list[Any]] = {}
    for part in parts:
        for measure, value, count, amount in part:
            found = summed.setdefault((measure, value), [0, Decimal(0)])
            found[0] += count
            found[1] += amount
    return [(measure, value, n, amount) for (measure, value), (n, amount) in summed.items()]


def _summed(
    uow: UnitOfWork,
    query: CellQuery,
    table: type[StatCellRow | StatRollupRow],
    span: tuple[int, int],
) -> list[CellSum]:
    """One range of months (``stat_cells``) or periods (``stat_rollups``), grouped as asked."""
    time = StatCellRow.month if table is StatCellRow else StatRollupRow.period
    year = time // 100 if table is StatCellRow else time
    key = {"year": year, "month": time}.get(query.group, table.value)
    rows = uow.session.execute(
        select(table.measure, key, func.sum(table.n), func.sum(table.amount))
        .where(
            table.figure == query.figure,
            table.scope == query.scope,
            table.dim == query.dim,
            time.between(*span),
        )
        .group_by(table.measure, key)
    )
    return [
        (measure, str(value), int(count), Decimal(amount or 0))
        for measure, value, count, amount in rows
    ]


CELL_LOADERS: dict[str, CellLoader] = {"bank": bank_cells, "network": network_cells}
"""Where a figure's cells come from, by ``source``: "bank" this bank's; "network" the national
bank's combined cells of many banks (``stats.exchange.reading``; monthly cells only, and by
bank too)."""

PLACES_STORED = frozenset({"network"})
"""Sources whose cells hold dims "region" and "institution_type" themselves (each bank placed
its own institutions when it exported): read as stored, not placed from dim "institution"."""

SOURCE_BREAKDOWNS: dict[str, tuple[str, ...]] = {"network": ("bank",)}
"""The ``by`` a source adds to every figure's (the network: by bank), but the cohorts'."""
BY_OWN_DIMENSIONS_ONLY = frozenset({"cohorts"})
"""Figures read by their own dimensions only: a cohort's cells are not kept by bank too."""


def breakdowns(spec: FigureSpec, source: str) -> tuple[str, ...]:
    """What figure ``spec`` can be broken down by when read from ``source``."""
    if spec.name in BY_OWN_DIMENSIONS_ONLY:
        return spec.by
    return (*spec.by, *SOURCE_BREAKDOWNS.get(source, ()))


def read_figure(
    uow: UnitOfWork,
    *,
    figure: str,
    by: str,
    scope: str | None = None,
    start: str | None = None,
    end: str | None = None,
    suppress_below: int,
    source: str = "bank",
) -> FigureTable:
    """Figure ``figure`` broken down ``by`` a dimension, over months ``start``..``end``
    ("YYYY" or "YYYY-MM", inclusive; None: unbounded; the cohorts figure: cohort years), for
    institution ``scope`` (None: the bank), counts ``0 < n < suppress_below`` hidden with their
    complements; ``source`` "bank" (this bank's cells) or "network" (many banks' cells)."""
    spec = figure_spec(figure)
    loader = CELL_LOADERS.get(source)
    if loader is None:
        raise StatsError(
            "unknown_stats_source",
            msg(
                "no source of figures {source}; there are: {known}",
                source=source,
                known=", ".join(CELL_LOADERS),
            ),
        )
    if by not in breakdowns(spec, source):
        check_by(spec, by)
    first, last = period(start, end)
    asked = _Asked(uow, loader, spec.name, scope or BANK_WIDE, first, last, source)
    rows, total = _cohorts(asked, by) if spec.name == "cohorts" else _breakdown(asked, by)
    ordered = sorted(rows.items(), key=lambda item: row_order(by, item[0]))
    names = naming.labels(uow, by, [value for value, _ in ordered])
    shown_rows, shown_total = _suppressed(spec, ordered, total, names, suppress_below)
    return FigureTable(
        figure=spec.name,
        by=by,
        measures=spec.measure_names,
        rows=shown_rows,
        total=shown_total,
        suppress_below=suppress_below,
        scope=scope,
        start=start,
        end=end,
    )


def row_order(by: str, value: str) -> tuple[bool, int, str]:
    """Where a row goes: fixed words in their own order (age bands youngest first), others by
    value; "not stated" last."""
    fixed = [known for dim, known in VALUE_LABELS if dim == by]
    return value == "", fixed.index(value) if value in fixed else len(fixed), value


class _Sums:
    """A row's counts and amounts by measure, as they are added up."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.amounts: dict[str, Decimal] = {}

    def add(self, measure: str, count: int, amount: Decimal) -> None:
        self.counts[measure] = self.counts.get(measure, 0) + count
        self.amounts[measure] = self.amounts.get(measure, Decimal(0)) + amount


@dataclass(frozen=True)
class _Asked:
    uow: UnitOfWork
    loader: CellLoader
    figure: str
    scope: str
    first: int
    last: int
    source: str = "bank"

    def load(self, dim: str, group: str = "value") -> Iterable[CellSum]:
        query = CellQuery(self.figure, self.scope, dim, self.first, self.last, group)
        return self.loader(self.uow, query)


_TIME_GROUPS = {"year": "year", "month": "month", "bank": "bank"}


def _breakdown(asked: _Asked, by: str) -> tuple[dict[str, _Sums], _Sums]:
    rows: dict[str, _Sums] = {}
    total = _Sums()
    if by == ALL or by in _TIME_GROUPS:
        for measure, value, count, amount in asked.load(ALL, _TIME_GROUPS.get(by, "value")):
            total.add(measure, count, amount)
            if by != ALL:
                key = month_text(int(value)) if by == "month" else value
                rows.setdefault(key, _Sums()).add(measure, count, amount)
        return rows, total
    placed = by in {"region", "institution_type"} and asked.source not in PLACES_STORED
    sums = list(asked.load(INSTITUTION if placed else by))
    places = naming.places(asked.uow, by, {value for _, value, _, _ in sums}) if placed else {}
    for measure, value, count, amount in sums:
        key = places.get(value, "") if placed else value
        rows.setdefault(key, _Sums()).add(measure, count, amount)
    for measure, _, count, amount in asked.load(ALL):
        total.add(measure, count, amount)
    stated = _Sums()
    for row in rows.values():
        for measure, count in row.counts.items():
            stated.add(measure, count, row.amounts[measure])
    for measure, count in total.counts.items():
        missing = count - stated.counts.get(measure, 0)
        if missing > 0:
            amount = total.amounts[measure] - stated.amounts.get(measure, Decimal(0))
            rows.setdefault("", _Sums()).add(measure, missing, amount)
    return rows, total


def _cohorts(asked: _Asked, by: str) -> tuple[dict[str, _Sums], _Sums]:
    """Rows by cohort year (the months asked are the cohorts' years): learners, converted
    within 1, 2, 3 years (cumulative), converted at all."""
    every = _Asked(asked.uow, asked.loader, asked.figure, asked.scope, 0, LAST_MONTH, asked.source)
    years = range(asked.first // 100, asked.last // 100 + 1)
    rows: dict[str, _Sums] = {}
    for measure, cohort, count, amount in every.load("cohort"):
        if cohort.isdigit() and int(cohort) in years:
            rows.setdefault(cohort, _Sums()).add(measure, count, amount)
    for measure, value, count, amount in every.load(COHORT_AFTER):
        cohort, _, after = value.partition("/")
        if measure != "converted" or not cohort.isdigit() or int(cohort) not in years:
            continue
        row = rows.setdefault(cohort, _Sums())
        for within in AFTER_YEARS:
            if after.isdigit() and int(after) <= within:
                row.add(f"within_{within}", count, amount)
    total = _Sums()
    for row in rows.values():
        for measure, count in row.counts.items():
            total.add(measure, count, row.amounts[measure])
    return ({} if by == ALL else rows), total


def _suppressed(
    spec: FigureSpec,
    rows: list[tuple[str, _Sums]],
    total: _Sums,
    names: Mapping[str, tuple[str, str]],
    threshold: int,
) -> tuple[tuple[FigureRow, ...], FigureRow]:
    """The rows and total as shown: :func:`hidden_in_table` over every count, knowing that each
    column's rows add up to its total and how the figure's measures relate."""
    measures = spec.measure_names
    everything = [*(sums for _, sums in rows), total]
    last = len(rows)
    counts = {
        (index, measure): sums.counts.get(measure, 0)
        for index, sums in enumerate(everything)
        for measure in measures
    }
    relations: list[tuple[tuple[int, str], list[tuple[int, str]]]] = []
    if rows:
        relations.extend(
            ((last, measure), [(index, measure) for index in range(last)]) for measure in measures
        )
    for index in range(last + 1):
        relations.extend(
            ((index, whole), [(index, part) for part in parts]) for whole, parts in spec.sums
        )
    nested = [
        ((index, inner), (index, outer))
        for index in range(last + 1)
        for inner, outer in spec.nested
    ]
    hidden = hidden_in_table(counts, threshold, sums=relations, nested=nested)

    def shown(index: int, value: str, label: tuple[str, str]) -> FigureRow:
        sums = everything[index]
        figures = {
            measure: figure(counts[index, measure], threshold, hidden=(index, measure) in hidden)
            for measure in measures
        }
        return FigureRow(
            value=value,
            label=label[0],
            label_en=label[1],
            counts={measure: shown.value for measure, shown in figures.items()},
            shown={measure: shown.shown for measure, shown in figures.items()},
            amounts={
                measure: None
                if figures[measure].value is None
                else sums.amounts.get(measure, Decimal(0))
                for measure in spec.amounts
            },
        )

    return (
        tuple(shown(index, value, names[value]) for index, (value, _) in enumerate(rows)),
        shown(last, "", naming.total_labels()),
    )


def _unknown_breakdown(group: str) -> StatsError:
    return StatsError(
        "unknown_breakdown",
        msg("this bank's figures cannot be broken down by {by}", by=group),
    )
