"""What other business areas use of the ledger: log a fact, stage and seal in bulk, receipts."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute

from creditbank.db import UnitOfWork
from creditbank.ledger import notes
from creditbank.ledger import service as _service
from creditbank.ledger.keys import Witness
from creditbank.ledger.model import Entry, LogFact, LogKind, Receipt, make_entry
from creditbank.ledger.schemas import b64
from creditbank.ledger.service import (
    PublishedCheckpoint,
    append,
    first_checkpoint_covering,
    latest_checkpoint,
    log_keys,
    seal,
    stage,
    stage_entries,
)
from creditbank.ledger.tables import (
    LogCheckpointRow,
    LogCosignatureRow,
    LogEntryRow,
    LogLeafRow,
    LogSaltRow,
)


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


def is_logged(kind: LogKind, record_id: ColumnElement[str] | InstrumentedAttribute[str]) -> Exists:
    """An SQL condition for a caller's query: the record whose public id is ``record_id`` (a
    column of that query) has an entry of ``kind`` in the log."""
    return exists().where(LogEntryRow.record_id == record_id, LogEntryRow.kind == kind.value)


@dataclass(frozen=True, slots=True)
class SaltedEntry:
    """A record's entry in the log: its leaf, its bytes and its salt (None once erased)."""

    leaf_index: int
    body: bytes
    leaf_hash: bytes
    salt: bytes | None


def salted_entry(*, uow: UnitOfWork, kind: LogKind, record_id: str) -> SaltedEntry | None:
    """The first entry of ``kind`` for ``record_id`` in the log, with its salt: what a
    credential's self-contained receipt is made of."""
    row = uow.session.execute(
        select(LogLeafRow.leaf_index, LogEntryRow.body, LogEntryRow.leaf_hash, LogSaltRow.salt)
        .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
        .outerjoin(LogSaltRow, LogSaltRow.entry_id == LogEntryRow.id)
        .where(LogEntryRow.record_id == record_id, LogEntryRow.kind == kind.value)
        .order_by(LogLeafRow.leaf_index)
        .limit(1)
    ).first()
    if row is None:
        return None
    salt = None if row[3] is None else bytes(row[3])
    return SaltedEntry(int(row[0]), bytes(row[1]), bytes(row[2]), salt)


@dataclass(frozen=True, slots=True)
class Leaf:
    """An entry's leaf: its index, the entry's kind, record id and schema (``v``), its hash."""

    leaf_index: int
    kind: LogKind
    record_id: str
    schema: int
    leaf_hash: bytes


def leaves_of(*, uow: UnitOfWork, kinds: Collection[LogKind], after: int, limit: int) -> list[Leaf]:
    """The leaves of entries of ``kinds`` past leaf index ``after`` (-1: from the first), in
    the log's order, at most ``limit`` (e.g. what a regional bank reports to the national one)."""
    rows = uow.session.execute(
        select(
            LogLeafRow.leaf_index,
            LogEntryRow.kind,
            LogEntryRow.record_id,
            LogEntryRow.body,
            LogEntryRow.leaf_hash,
        )
        .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
        .where(LogEntryRow.kind.in_([kind.value for kind in kinds]), LogLeafRow.leaf_index > after)
        .order_by(LogLeafRow.leaf_index)
        .limit(limit)
    ).all()
    found = []
    for index, kind, record_id, body, leaf in rows:
        schema = json.loads(bytes(body)).get("v", 1)
        found.append(Leaf(int(index), LogKind(kind), record_id, int(schema), bytes(leaf)))
    return found


def leaf_inclusion_proof(*, uow: UnitOfWork, leaf_index: int, tree_size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``leaf_index`` in the tree of ``tree_size``."""
    return _service.inclusion_proof(uow, index=leaf_index, tree_size=tree_size)


def log_verifier_key(*, uow: UnitOfWork) -> str:
    """The log's verifier key (signed-note form), which signs its checkpoints now."""
    return _service.log_keys(uow).verifier_key


def witness_verifier_keys(*, uow: UnitOfWork) -> tuple[str, ...]:
    """The cosignature verifier keys of the witnesses this bank asks to cosign its log."""
    return tuple(witness.verifier_key for witness in _service.log_keys(uow).witnesses)


def log_origin(*, uow: UnitOfWork) -> str:
    """This bank's log origin (its name among peer banks)."""
    return log_keys(uow).origin


def sign_note(*, uow: UnitOfWork, text: str) -> str:
    """``text`` as a C2SP signed note, signed by this bank's log key (e.g. a transfer package's
    digest: a peer checks it with the log verifier key on its trust list)."""
    return notes.sign(text, [log_keys(uow).signer])


def newest_cosigned_checkpoint(*, uow: UnitOfWork) -> PublishedCheckpoint | None:
    """The newest checkpoint some witness has cosigned (the newest of all when none has): what
    a peer bank accepts as witnessed, a checkpoint or two behind the newest at most."""
    row = uow.session.scalars(
        select(LogCheckpointRow)
        .where(exists().where(LogCosignatureRow.checkpoint_id == LogCheckpointRow.id))
        .order_by(LogCheckpointRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return _service.latest_checkpoint(uow)
    return _service._published(uow.session, row)  # noqa: SLF001 - the area's own module


def signed_note_text(note: str, verifier_key: str) -> str | None:
    """The text of ``note`` if the key ``verifier_key`` (signed-note verifier form) signed it;
    None if it did not, or if the note or the key is malformed."""
    try:
        return notes.open_note(note, [notes.Verifier.from_verifier_key(verifier_key)]).text
    except notes.NoteError:
        return None


__all__ = [
    "Entry",
    "Leaf",
    "LogFact",
    "LogKind",
    "PublishedCheckpoint",
    "Receipt",
    "SaltedEntry",
    "Witness",
    "append",
    "b64",
    "first_checkpoint_covering",
    "is_logged",
    "latest_checkpoint",
    "leaf_inclusion_proof",
    "leaves_of",
    "log_origin",
    "log_verifier_key",
    "logged_record_ids",
    "make_entry",
    "newest_cosigned_checkpoint",
    "receipt_of",
    "salted_entry",
    "seal",
    "sign_note",
    "signed_note_text",
    "stage",
    "stage_entries",
    "witness_verifier_keys",
]
