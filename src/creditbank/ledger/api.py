"""What other business areas use of the ledger: log a fact, stage and seal in bulk, receipts."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute

from creditbank.db import UnitOfWork
from creditbank.ledger.model import Entry, LogFact, LogKind, Receipt, make_entry
from creditbank.ledger.schemas import b64
from creditbank.ledger.service import (
    append,
    first_checkpoint_covering,
    log_keys,
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


def logged_record_ids(*, uow: UnitOfWork, kind: LogKind, record_ids: Collection[str]) -> set[str]:
    """Which of ``record_ids`` have an entry of ``kind`` in the log."""
    if not record_ids:
        return set()
    return set(
        uow.session.scalars(
            select(LogEntryRow.record_id).where(
                LogEntryRow.kind == kind.value, LogEntryRow.record_id.in_(set(record_ids))
            )
        )
    )


def log_origin(*, uow: UnitOfWork) -> str:
    """This bank's log origin (its name among peer banks)."""
    return log_keys(uow).origin


def is_logged(kind: LogKind, record_id: ColumnElement[str] | InstrumentedAttribute[str]) -> Exists:
    """An SQL condition for a caller's query: the record whose public id is ``record_id`` (a
    column of that query) has an entry of ``kind`` in the log."""
    return exists().where(LogEntryRow.record_id == record_id, LogEntryRow.kind == kind.value)


__all__ = [
    "Entry",
    "LogFact",
    "LogKind",
    "Receipt",
    "append",
    "b64",
    "first_checkpoint_covering",
    "is_logged",
    "log_origin",
    "logged_record_ids",
    "make_entry",
    "receipt_of",
    "seal",
    "stage",
    "stage_entries",
]
