"""Reading a figure from ``stat_cells``: rows by a dimension, a total, small counts suppressed.

Body in progress (step 3 of issue 19's part A): see ``read_figure``.
"""

from __future__ import annotations

from creditbank.db import UnitOfWork
from creditbank.stats.model import FigureTable, check_by, figure_spec, period


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
    ("YYYY" or "YYYY-MM", inclusive; None: unbounded), for institution ``scope`` (None: the
    bank), counts ``0 < n < suppress_below`` hidden with their complements; ``source`` "bank"
    (this bank's cells) or "network" (the combined cells of many banks)."""
    spec = figure_spec(figure)
    check_by(spec, by)
    period(start, end)
    raise NotImplementedError((uow, scope, suppress_below, source))
