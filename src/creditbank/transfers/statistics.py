"""The statistical facts of recognition between banks (figure ``recognition``), tallied where
packages move and outcomes are recognised, and rebuilt from the stored rows.

What each measure counts, in the month (Asia/Shanghai) of its moment, by ``peer`` (the peer
bank's log origin), bank-wide only (no institution):

- ``exported``: a transfer package made here for the peer (its ``created_at``), whether or not
  the peer ever imports it;
- ``imported``: a package from the peer accepted here (its ``imported_at``);
- ``recognised``: an outcome imported from the peer recognised here (its ``decided_at``), by an
  officer or automatically by this bank's terms for the peer; refused and still pending
  imported outcomes do not count, and a recognised one stays counted when its source revokes
  it later (the decision stands; the outcome deposited for it is revoked, which the
  ``outcomes`` figure counts).

The outcomes a recognition deposits are the ``outcomes`` figure's (kind ``recognised``).
:func:`recognition_facts` is the rebuild source (``stats.api.FACT_SOURCES``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.db import UnitOfWork
from creditbank.stats import api as stats
from creditbank.transfers.model import Decision
from creditbank.transfers.tables import ImportedOutcomeRow, TransferExportRow, TransferImportRow

FIGURE = "recognition"
STREAMED = 1000
"""Rows fetched at a time by the rebuild source."""


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fact(measure: str, peer: str, at: datetime, count: int = 1) -> stats.Fact:
    """``count`` packages exported or imported, or outcomes recognised, with ``peer``."""
    return stats.Fact(
        figure=FIGURE,
        measure=measure,
        at=_utc(at),
        institution=None,
        dims={"peer": peer},
        count=count,
    )


def tally(uow: UnitOfWork, measure: str, peer: str, at: datetime, *, count: int = 1) -> None:
    """Called by the use cases in their unit of work, after the packages or the decisions are
    stored (none: nothing is tallied)."""
    if count:
        stats.tally(uow, [fact(measure, peer, at, count)])


def recognition_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Every fact of figure ``recognition`` the use cases tallied, from the stored rows
    (streamed): the packages made, the packages accepted, the recognition decisions."""
    session = uow.session
    made = select(TransferExportRow.target, TransferExportRow.created_at).order_by(
        TransferExportRow.id
    )
    for peer, at in session.execute(made.execution_options(yield_per=STREAMED)):
        yield fact("exported", peer, at)
    accepted = select(TransferImportRow.source, TransferImportRow.imported_at).order_by(
        TransferImportRow.id
    )
    for peer, at in session.execute(accepted.execution_options(yield_per=STREAMED)):
        yield fact("imported", peer, at)
    recognised = (
        select(ImportedOutcomeRow.source, ImportedOutcomeRow.decided_at)
        .where(ImportedOutcomeRow.decision == Decision.RECOGNISE.value)
        .order_by(ImportedOutcomeRow.id)
    )
    for peer, decided_at in session.execute(recognised.execution_options(yield_per=STREAMED)):
        if decided_at is not None:  # always set with the decision
            yield fact("recognised", peer, decided_at)
