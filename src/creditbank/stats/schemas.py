"""JSON shapes of the statistics (``*Read`` out), and a figure as a file to download
(:func:`figure_file`: CSV or XLSX with a Chinese and an English header row, built by
:mod:`creditbank.web.downloads`; a suppressed count is written as it is shown, ``<10``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from creditbank.messages import Message, msg
from creditbank.stats import naming
from creditbank.stats.api import FIGURES, FigureRow, FigureSpec, FigureTable
from creditbank.stats.model import DIMENSION_LABELS, SKILL_DEMAND
from creditbank.web.downloads import BlankColumn, Cell, attachment, table_csv, table_workbook


class RowRead(BaseModel):
    """One row of a figure: a value of the `by` dimension (or the total) and its counts."""

    value: str = Field(
        description="The row's value of the dimension: a region's or institution's code, a "
        "level (FRAMEWORK@VERSION:CODE), a year (2026), a month (2026-03), ...; '' for the total."
    )
    label: str = Field(description="The value as people read it, in Chinese.")
    label_en: str = Field(description="The value as people read it, in English.")
    counts: dict[str, int | None] = Field(
        description="Each measure's count; null when suppressed (below the threshold, or hidden "
        "so that a small count cannot be worked out from a total)."
    )
    shown: dict[str, str] = Field(
        description="Each measure's count as shown: the number, or '<10' when suppressed."
    )
    amounts: dict[str, Decimal | None] = Field(
        description="Each measure's amount where it has one (credits; days to decision); null "
        "when its count is suppressed."
    )

    @classmethod
    def of(cls, row: FigureRow) -> RowRead:
        return cls(
            value=row.value,
            label=row.label,
            label_en=row.label_en,
            counts=dict(row.counts),
            shown=dict(row.shown),
            amounts=dict(row.amounts),
        )


class FigureRead(BaseModel):
    """A figure's table: its measures counted by one dimension, small counts suppressed."""

    model_config = ConfigDict(populate_by_name=True)

    figure: str = Field(description="The figure: accounts, outcomes, accreditation, ...")
    by: str = Field(description="The dimension the rows are counted by.")
    measures: list[str] = Field(description="The measures, in the order of the columns.")
    rows: list[RowRead]
    total: RowRead = Field(description="The figure's total over every row.")
    suppress_below: int = Field(description="Counts from 1 to this minus 1 are suppressed.")
    scope: str | None = Field(description="The institution counted; null for the whole bank.")
    start: str | None = Field(
        alias="from", description="The first month or year counted (YYYY or YYYY-MM); null: all."
    )
    end: str | None = Field(
        alias="to", description="The last month or year counted (YYYY or YYYY-MM); null: all."
    )

    @classmethod
    def of(cls, table: FigureTable) -> FigureRead:
        return cls(
            figure=table.figure,
            by=table.by,
            measures=list(table.measures),
            rows=[RowRead.of(row) for row in table.rows],
            total=RowRead.of(table.total),
            suppress_below=table.suppress_below,
            scope=table.scope,
            start=table.start,
            end=table.end,
        )


class SkillDemandRead(FigureRead):
    """Skills in demand and held: open jobs as they are now, learners holding the skills as a
    refresh counted them (``as_of``)."""

    as_of: datetime | None = Field(
        description="When the learners holding skills were counted (creditbank stats "
        "refresh-skills); null: never yet, and every count of learners is null, shown '-'."
    )

    @classmethod
    def of(cls, table: FigureTable) -> SkillDemandRead:
        return cls.model_validate(
            FigureRead.of(table).model_dump(by_alias=True) | {"as_of": table.as_of}
        )


class NamedRead(BaseModel):
    """Something named in Chinese and English: a figure, a measure, a dimension."""

    name: str = Field(description="Its name in the API (a figure, measure or `by` value).")
    label: str = Field(description="What it is called, in Chinese.")
    label_en: str = Field(description="What it is called, in English.")

    @classmethod
    def of(cls, name: str, message: Message) -> NamedRead:
        label, label_en = naming.both(message)
        return cls(name=name, label=label, label_en=label_en)


class FigureSpecRead(NamedRead):
    """A figure the bank publishes: its measures and what it can be broken down by."""

    measures: list[NamedRead] = Field(description="Its measures, in the order of the columns.")
    by: list[NamedRead] = Field(description="The dimensions it can be broken down by (`by`).")
    amounts: list[str] = Field(
        description="The measures that carry an amount (credits; days to decision)."
    )

    @classmethod
    def of_spec(cls, spec: FigureSpec) -> FigureSpecRead:
        named = NamedRead.of(spec.name, spec.label)
        return cls(
            name=named.name,
            label=named.label,
            label_en=named.label_en,
            measures=[NamedRead.of(name, label) for name, label in spec.measures],
            by=[NamedRead.of(by, DIMENSION_LABELS.get(by, Message(by))) for by in spec.by],
            amounts=list(spec.amounts),
        )


class FiguresRead(BaseModel):
    """The figures the bank publishes, and the public summary of each."""

    figures: list[FigureSpecRead]
    summary: list[FigureRead] = Field(
        description="Each figure's bank-wide totals by year (and in all, `total`), small counts "
        "suppressed: what anyone may read."
    )

    @classmethod
    def of(cls, specs: Sequence[FigureSpec], summary: Sequence[FigureTable]) -> FiguresRead:
        return cls(
            figures=[FigureSpecRead.of_spec(spec) for spec in specs],
            summary=[FigureRead.of(table) for table in summary],
        )


# --- a figure as a file -----------------------------------------------------------------------

AMOUNT_LABELS: Final[Mapping[tuple[str, str], Message]] = {
    ("outcomes", "deposited"): msg("credits deposited"),
    ("outcomes", "revoked"): msg("credits revoked"),
    ("conversion", "confirmed"): msg("credits transferred"),
    ("accreditation", "decided"): msg("days to decision, in all"),
}
"""The header of a measure's amount column, by (figure, measure)."""
_OTHER_FIGURES: Final[Mapping[str, FigureSpec]] = {SKILL_DEMAND.name: SKILL_DEMAND}
"""Figures read live, not tallied (not among ``FIGURES``), whose tables are files too."""
_PLAIN_VALUES = frozenset({"year", "month", "cohort", "all"})
"""Dimensions whose values are what they say (2026, 2026-03): no "(code)" in their header."""


@dataclass(frozen=True, slots=True)
class FigureFile:
    """A figure as a file: its bytes and its ``Content-Disposition``."""

    content: bytes
    disposition: str


def figure_columns(table: FigureTable) -> list[BlankColumn]:
    """The columns of a figure's file: the row's value (headed by the dimension), its Chinese
    and English names, then each measure's count and, where it has one, its amount."""
    by = DIMENSION_LABELS.get(table.by, Message(table.by))
    coded = table.by not in _PLAIN_VALUES
    columns = [
        _column(msg("{dimension} (code)", dimension=by) if coded else by, width=24),
        _column(msg("Name"), width=28),
        _column(msg("Name in English"), width=28),
    ]
    spec = FIGURES.get(table.figure) or _OTHER_FIGURES.get(table.figure)
    labels = dict(spec.measures) if spec is not None else {}
    for measure in table.measures:
        columns.append(_column(labels.get(measure, Message(measure))))
        if _has_amount(table, measure):
            columns.append(_column(AMOUNT_LABELS[table.figure, measure]))
    return columns


def _column(header: Message, width: int = 16) -> BlankColumn:
    chinese, english = naming.both(header)
    return BlankColumn(name=english, chinese=chinese, width=width)


def _has_amount(table: FigureTable, measure: str) -> bool:
    return (table.figure, measure) in AMOUNT_LABELS and measure in table.total.amounts


def _cells(table: FigureTable, row: FigureRow) -> list[Cell]:
    cells: list[Cell] = [row.value, row.label, row.label_en]
    for measure in table.measures:
        count = row.counts.get(measure)
        shown = row.shown.get(measure, "")
        cells.append(shown if count is None else count)
        if _has_amount(table, measure):
            amount = row.amounts.get(measure)
            cells.append(shown if amount is None else amount)
    return cells


def figure_cells(table: FigureTable) -> list[list[Cell]]:
    """The rows of a figure's file under :func:`figure_columns`, the total last: counts and
    amounts as numbers, a suppressed one as it is shown ('<10')."""
    return [_cells(table, row) for row in (*table.rows, table.total)]


def figure_file(table: FigureTable, file_format: str) -> FigureFile:
    """``table`` as a ``csv`` or ``xlsx`` file named for what it holds
    (``stats-outcomes-by-level-SHOU-2025-2026.csv``)."""
    columns, cells = figure_columns(table), figure_cells(table)
    name = f"{table.figure}-by-{table.by}"
    if file_format == "csv":
        content = table_csv(columns, cells)
    else:
        content = table_workbook(columns, cells, sheet_title=name)
    parts = ("stats", name, table.scope, table.start, table.end)
    return FigureFile(content, attachment(*parts, extension=file_format))
