"""The network's cells as ``read_figure(..., source="network")`` reads them: the loader of
``stats.reading.CELL_LOADERS["network"]`` over ``stat_network_cells``.

A query grouped by ``bank`` sums each bank's cells (value: the bank's log origin); any other
query reads the network's total (bank ""), as ``bank_cells`` reads this bank's ``stat_cells``.
The dims ``region`` and ``institution_type`` are stored cells here (each bank resolved them for
its own institutions at export): read them as dims, not derived from dim ``institution``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from creditbank.db import UnitOfWork
from creditbank.stats.exchange.tables import StatNetworkCellRow

if TYPE_CHECKING:
    from creditbank.stats.reading import CellQuery, CellSum

NETWORK = ""
"""The ``bank`` of the network's total cells."""
GROUPS = ("value", "month", "year", "bank")


def network_cells(uow: UnitOfWork, query: CellQuery) -> Iterable[CellSum]:
    """The combined cells of many banks, summed as ``query`` asks (one range of the primary
    key: bank, figure, scope, dim, month ...)."""
    cells = StatNetworkCellRow
    key = {
        "value": cells.value,
        "month": cells.month,
        "year": cells.month // 100,
        "bank": cells.bank,
    }[query.group]
    banks = cells.bank != NETWORK if query.group == "bank" else cells.bank == NETWORK
    rows = uow.session.execute(
        select(cells.measure, key, func.sum(cells.n), func.sum(cells.amount))
        .where(
            banks,
            cells.figure == query.figure,
            cells.scope == query.scope,
            cells.dim == query.dim,
            cells.month.between(query.first, query.last),
        )
        .group_by(cells.measure, key)
    )
    return [
        (measure, str(value), int(count), Decimal(amount or 0))
        for measure, value, count, amount in rows
    ]
