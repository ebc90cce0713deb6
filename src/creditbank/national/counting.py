"""The figures of the national platform: how many results the references hold, across all
banks, by bank and by year, for a question (item kind, item, level, year, bank).

Public: the figures are counts, never records, and every count below the threshold (the
setting ``CREDITBANK_NATIONAL_SUPPRESS_BELOW``) is shown as ``<N`` (a small cell suppressed),
totals included, so that no small group of learners can be singled out; where a total is shown
and only one of its parts would be hidden, a second part is hidden too (shown ``x``), so that
the hidden one cannot be worked out by subtraction. Each reference counts
once (the table holds each origin + leaf hash once).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.national.commands import CountResults
from creditbank.national.model import Question, ask
from creditbank.national.tables import NationalReferenceRow
from creditbank.suppression import Figure, figure, hidden_among, hidden_cells
from creditbank.usecases import handler

DEFAULT_SUPPRESS_BELOW = 10


@dataclass(frozen=True, slots=True)
class Cell:
    """The count of one bank in one year."""

    bank: str
    year: int
    count: Figure


@dataclass(frozen=True, slots=True)
class Counts:
    """The answer to a question: the total, by bank, by year, and each bank's years."""

    question: Question
    suppress_below: int
    total: Figure
    by_bank: tuple[tuple[str, Figure], ...]
    by_year: tuple[tuple[int, Figure], ...]
    cells: tuple[Cell, ...]


def _conditions(question: Question) -> list[ColumnElement[bool]]:
    row = NationalReferenceRow
    texts = [
        (row.item_kind, question.item_kind),
        (row.item_owner, question.item_owner),
        (row.item_code, question.item_code),
        (row.level_framework, question.level_framework),
        (row.level_code, question.level_code),
        (row.origin, question.bank),
    ]
    numbers = [(row.level_version, question.level_version), (row.year, question.year)]
    found = [column == value for column, value in texts if value is not None]
    found.extend(column == value for column, value in numbers if value is not None)
    return found


@handler
def count_results(
    query: CountResults,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> Counts:
    """Public: the counts of results answering ``query``, small counts suppressed."""
    del principal  # public figures
    question = ask(
        kind=query.kind, item=query.item, level=query.level, year=query.year, bank=query.bank
    )
    rows = uow.session.execute(
        select(NationalReferenceRow.origin, NationalReferenceRow.year, func.count())
        .where(*_conditions(question), NationalReferenceRow.withdrawn.is_(None))
        .group_by(NationalReferenceRow.origin, NationalReferenceRow.year)
        .order_by(NationalReferenceRow.origin, NationalReferenceRow.year)
    ).all()
    banks: Counter[str] = Counter()
    years: Counter[int] = Counter()
    counted: dict[tuple[str, int], int] = {}
    for bank, year, count in rows:
        banks[bank] += int(count)
        years[int(year)] += int(count)
        counted[bank, int(year)] = int(count)
    total = sum(banks.values())
    shown = not 0 < total < suppress_below
    hidden_banks = hidden_among(banks, suppress_below, sum_shown=shown)
    hidden_years = hidden_among(years, suppress_below, sum_shown=shown)
    hidden = hidden_cells(
        counted, suppress_below, hidden_banks=hidden_banks, hidden_years=hidden_years
    )
    return Counts(
        question=question,
        suppress_below=suppress_below,
        total=figure(total, suppress_below),
        by_bank=tuple(
            (bank, figure(n, suppress_below, hidden=bank in hidden_banks))
            for bank, n in sorted(banks.items())
        ),
        by_year=tuple(
            (year, figure(n, suppress_below, hidden=year in hidden_years))
            for year, n in sorted(years.items())
        ),
        cells=tuple(
            Cell(bank, year, figure(n, suppress_below, hidden=(bank, year) in hidden))
            for (bank, year), n in sorted(counted.items())
        ),
    )
