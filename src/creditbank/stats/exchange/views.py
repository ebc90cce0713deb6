"""What the network's figures were combined from: the last combine this bank made (when, on
which engine, each bank's export it read), for the pages of the banks' figures combined.

Public, like the network's summary: a bank's log origin, when it exported, its threshold and
how many rows its files held are what the national bank publishes beside the figures; nothing
in them describes a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.stats.exchange.commands import ShowCombine
from creditbank.stats.exchange.tables import StatNetworkCombineRow, StatNetworkSourceRow
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class CombinedBank:
    """One bank's export a combine read."""

    origin: str
    exported_at: str
    threshold: int
    cell_rows: int
    fact_rows: int


@dataclass(frozen=True, slots=True)
class CombineRecord:
    """A combine as stored: when, on which engine, the cells it stored, the banks it read."""

    combined_at: datetime
    engine: str
    cells: int
    banks: tuple[CombinedBank, ...]


@handler
def show_combine(
    query: ShowCombine, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> CombineRecord | None:
    """Public: the last combine (the one whose cells the network's figures are), or None."""
    del query, principal  # public
    combine = uow.session.scalars(
        select(StatNetworkCombineRow).order_by(StatNetworkCombineRow.id.desc()).limit(1)
    ).first()
    if combine is None:
        return None
    sources = uow.session.scalars(
        select(StatNetworkSourceRow)
        .where(StatNetworkSourceRow.combine_id == combine.id)
        .order_by(StatNetworkSourceRow.origin)
    )
    combined_at = combine.combined_at
    if combined_at.tzinfo is None:  # SQLite keeps no zone: stored in UTC
        combined_at = combined_at.replace(tzinfo=UTC)
    return CombineRecord(
        combined_at=combined_at,
        engine=combine.engine,
        cells=combine.cell_count,
        banks=tuple(
            CombinedBank(
                origin=source.origin,
                exported_at=source.exported_at,
                threshold=source.threshold,
                cell_rows=source.cell_rows,
                fact_rows=source.fact_rows,
            )
            for source in sources
        ),
    )
