"""What other areas may use of the statistics: facts and how they are tallied, the sources a
rebuild counts again, and figures as read (plain types and functions only).

- A use case that makes a fact calls ``tally(uow, [Fact(...)])`` in its own unit of work.
- ``FACT_SOURCES``: functions ``(uow) -> Iterator[Fact]`` that yield every fact the bank's
  records hold (what the incremental path tallied, minus the sex/age dims); the composition root
  (``bootstrap.wire``) appends them; ``RebuildStats`` counts them all again.
- ``read_figure(uow, figure=..., by=..., suppress_below=...)``: a figure as a table, small
  counts suppressed.
- ``SUPPRESS_BELOW``: the ``Session.info`` key the composition root sets to the
  ``stats_suppress_below`` setting (the handlers' threshold when their caller gives none).
"""

from __future__ import annotations

from creditbank.stats.figures import FACT_SOURCES, SUPPRESS_BELOW
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

__all__ = [
    "FACT_SOURCES",
    "FIGURES",
    "SUPPRESS_BELOW",
    "Fact",
    "FigureRow",
    "FigureSpec",
    "FigureTable",
    "StatsError",
    "demographics",
    "read_figure",
    "tally",
]
