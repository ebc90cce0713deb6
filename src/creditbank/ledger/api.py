"""What other business areas use of the ledger: log a fact, stage and seal in bulk, receipts."""

from __future__ import annotations

from sqlalchemy import select

from creditbank.db import UnitOfWork
from creditbank.ledger.model import Entry, LogFact, LogKind, Receipt, make_entry
from creditbank.ledger.schemas import b64
from creditbank.ledger.service import (
    append,
    first_checkpoint_covering,
    seal,
    stage,
    stage_entries,
)
from creditbank.ledger.tables import LogEntryRow, LogLeafRow


def receipt_of(*, uow: UnitOfWork, kind: LogKind, record_id: str) -> Receipt | None:
    """The receipt of the entry of ``kind`` for ``record_id``, if it is in the log."""
    row = uow.session.execute(
        select(LogLeafRow.leaf_index, LogEntryRow.leaf_hash)
        .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
        .where(LogEntryRow.record_id == record_id, LogEntryRow.kind == kind.value)
        .order_by(LogLeafRow.leaf_index)
        .limit(1)
    ).first()
    if row is None:
        return None
    return Receipt(kind, record_id, int(row[0]), bytes(row[1]))


__all__ = [
    "Entry",
    "LogEntryRow",
    "LogFact",
    "LogKind",
    "Receipt",
    "append",
    "b64",
    "first_checkpoint_covering",
    "make_entry",
    "receipt_of",
    "seal",
    "stage",
    "stage_entries",
]
