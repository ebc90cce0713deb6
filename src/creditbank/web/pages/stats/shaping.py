"""What a figure's page shows of a :class:`~creditbank.stats.api.FigureTable`: its columns (each
measure's count, amounts where they mean something, rates derived from them) and its rows as
the table and the chart read them, in the page's language.

A derived value (a pass rate, a mean number of days, a cohort's share) is computed only from
counts that are shown: if either count it needs is suppressed, it is "—" too, so that no rate
gives a hidden count away. Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from creditbank.messages import Message, msg
from creditbank.stats.api import FigureRow, FigureTable
from creditbank.web.pages.stats.charts import Row

NOTHING = "—"
"""What a cell shows when there is nothing to show (a rate over suppressed counts)."""

TIME_DIMENSIONS = frozenset({"year", "month"})
"""The ``by`` values charted over time (columns) rather than as bars per row."""

AMOUNT_COLUMNS: Mapping[tuple[str, str], Message] = {
    ("outcomes", "deposited"): msg("credits deposited"),
    ("outcomes", "revoked"): msg("credits revoked"),
    ("conversion", "confirmed"): msg("credits transferred"),
}
"""The amounts a figure's table shows as they are (credits), by (figure, measure)."""


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate derived from two counts of a row: ``numerator / denominator``, as a percentage
    (``percent``) or as a mean of the numerator's amount (``mean_of_amount``)."""

    key: str
    label: Message
    numerator: str
    denominator: str
    mean_of_amount: bool = False


RATIOS: Mapping[str, tuple[Ratio, ...]] = {
    "xcerts": (Ratio("pass_rate", msg("pass rate"), "certified", "assessed"),),
    "accreditation": (
        Ratio(
            "mean_days",
            msg("mean days to decision"),
            "decided",
            "decided",
            mean_of_amount=True,
        ),
    ),
    "cohorts": (
        Ratio("share_1", msg("share within 1 year"), "within_1", "learners"),
        Ratio("share_2", msg("share within 2 years"), "within_2", "learners"),
        Ratio("share_3", msg("share within 3 years"), "within_3", "learners"),
    ),
}
"""The rates each figure's table adds after its counts."""

PERCENT = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a figure's table: its key (a measure, ``<measure>:amount`` or a rate's key),
    its words and what kind of value it holds (``count``, ``amount``, ``rate``)."""

    key: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class TableRow:
    """A row of a figure's table as shown: its key, label, and the text of each column."""

    key: str
    label: str
    cells: Mapping[str, str]
    suppressed: frozenset[str]
    """The columns whose count is suppressed (marked on the page)."""


def rate(row: FigureRow, ratio: Ratio) -> str:
    """``ratio`` of ``row``: a percentage with one decimal (``66.7%``), a mean amount with one
    decimal, or "—" when a count it needs is suppressed or nothing was counted."""
    top = row.counts.get(ratio.numerator)
    bottom = row.counts.get(ratio.denominator)
    if top is None or bottom is None or bottom == 0:
        return NOTHING
    if ratio.mean_of_amount:
        amount = row.amounts.get(ratio.numerator)
        if amount is None:
            return NOTHING
        return str((Decimal(amount) / bottom).quantize(PERCENT, ROUND_HALF_UP))
    return f"{(Decimal(100) * top / bottom).quantize(PERCENT, ROUND_HALF_UP)}%"


def amount_text(value: Decimal | None, shown: str) -> str:
    """An amount as people write it (3, 2.5), or the count's text when it is suppressed."""
    if value is None:
        return shown
    return format(Decimal(value).normalize(), "f") if value else "0"


def columns(
    table: FigureTable, measure_words: Mapping[str, str], translate: Callable[[str], str]
) -> list[Column]:
    """The table's columns: each measure's count (and amount, for credits), each followed by
    the rates over it (a cohort's share after its count, the pass rate after "certified")."""
    ratios = [
        ratio
        for ratio in RATIOS.get(table.figure, ())
        if ratio.numerator in table.measures and ratio.denominator in table.measures
    ]
    found = []
    for measure in table.measures:
        found.append(Column(measure, measure_words.get(measure, measure), "count"))
        amount = AMOUNT_COLUMNS.get((table.figure, measure))
        if amount is not None:
            found.append(Column(f"{measure}:amount", amount.render(translate), "amount"))
        found.extend(
            Column(ratio.key, ratio.label.render(translate), "rate")
            for ratio in ratios
            if ratio.numerator == measure
        )
    return found


def label_of(row: FigureRow, language: str) -> str:
    """The row's name in ``language`` (its value when it has none)."""
    name = row.label_en if language == "en" and row.label_en else row.label
    return name or row.value


def table_row(
    table: FigureTable, row: FigureRow, shown_columns: Sequence[Column], language: str
) -> TableRow:
    """``row`` as the table shows it under ``shown_columns``."""
    ratios = {ratio.key: ratio for ratio in RATIOS.get(table.figure, ())}
    cells: dict[str, str] = {}
    suppressed = set()
    for column in shown_columns:
        if column.kind == "count":
            cells[column.key] = row.shown.get(column.key, "0")
            if row.counts.get(column.key) is None:
                suppressed.add(column.key)
        elif column.kind == "amount":
            measure = column.key.removesuffix(":amount")
            cells[column.key] = amount_text(row.amounts.get(measure), row.shown.get(measure, "0"))
        else:
            cells[column.key] = rate(row, ratios[column.key])
    return TableRow(row.value, label_of(row, language), cells, frozenset(suppressed))


def chart_rows(table: FigureTable, language: str) -> list[Row]:
    """The table's rows as a chart draws them (counts only)."""
    return [
        Row(
            row.value,
            label_of(row, language),
            dict(row.counts),
            dict(row.shown),
        )
        for row in table.rows
    ]
