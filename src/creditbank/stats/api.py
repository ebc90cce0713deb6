"""What other areas may use of the statistics: facts and how they are tallied, the sources a
rebuild counts again, and figures as read (plain types and functions only).

- A use case that makes a fact calls ``tally(uow, [Fact(...)])`` in its own unit of work.
- ``FACT_SOURCES``: functions ``(uow) -> Iterator[Fact]`` that yield every fact the bank's
  records hold (what the incremental path tallied, minus the sex/age dims); the composition root
  (``bootstrap.wire``) appends them; ``RebuildStats`` counts them all again.
- ``read_figure(uow, figure=..., by=..., suppress_below=...)``: a figure as a table, small
  counts suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from creditbank.db import UnitOfWork
from creditbank.stats.model import (
    FIGURES,
    Fact,
    FigureRow,
    FigureSpec,
    FigureTable,
    StatsError,
    demographics,
)
from creditbank.stats.reading import read_figure
from creditbank.stats.tallying import tally

FACT_SOURCES: list[Callable[[UnitOfWork], Iterator[Fact]]] = []
"""Rebuild sources (appended by ``bootstrap.wire``): each yields the facts of one family."""

__all__ = [
    "FACT_SOURCES",
    "FIGURES",
    "Fact",
    "FigureRow",
    "FigureSpec",
    "FigureTable",
    "StatsError",
    "demographics",
    "read_figure",
    "tally",
]
