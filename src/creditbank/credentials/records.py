"""What the ledger holds of signing keys, and how to read it back (ADR 0017).

A key's registration, and each later change of what it commits to (its end by a rotation, its
compromise), are facts of record: version N of the key whose public key is ``z6Mk...`` is the
entry ``z6Mk...@N`` (``signing_key.registered``, then ``signing_key.rotated`` or
``signing_key.compromised``), issued by the key's owner (``BANK`` for the bank's own keys),
committing to a v2 record of the key at that version: owner, name, DID method, public key,
validity and compromise. Never the private key, sealed or not. ``creditbank log verify``
reads the rows back with :data:`READERS`: a key swapped, its validity stretched or its
compromise erased behind the bank's back, shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import String, cast, or_, select

from creditbank.credentials.tables import SigningKeyRow
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger import versioned
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

KINDS = (LogKind.KEY_REGISTERED, LogKind.KEY_ROTATED, LogKind.KEY_COMPROMISED)
BANK_ISSUER = "BANK"


def key_record(row: SigningKeyRow, *, bank: str) -> dict[str, object]:
    """The v2 record of a signing key at its version now."""
    return {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "owner": row.owner,
        "name": row.name,
        "did_method": row.did_method,
        "public_key": row.public_key,
        "version": row.version,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "compromised_from": row.compromised_from,
        "registered_at": row.created_at,
    }


def issuer(row: SigningKeyRow) -> str:
    """A key's entries' issuer: its owner's code, ``BANK`` for the bank's own keys."""
    return BANK_ISSUER if row.institution_id is None else row.owner


def key_fact(uow: UnitOfWork, row: SigningKeyRow, kind: LogKind, *, at: datetime) -> LogFact:
    """The log fact of ``row``'s version now."""
    return LogFact(
        kind,
        versioned.versioned_id(row.public_key, row.version),
        issuer(row),
        at,
        key_record(row, bank=ledger.log_origin(uow=uow)),
    )


def log_keys(uow: UnitOfWork, changed: Collection[tuple[SigningKeyRow, LogKind]]) -> None:
    """Log the version now of each key in ``changed`` (with the kind of its change), in the
    caller's transaction."""
    if not changed:
        return
    uow.session.flush()
    now = datetime.now(UTC)
    ledger.append(uow, [key_fact(uow, row, kind, at=now) for row, kind in changed])


def _read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    rows = uow.session.scalars(
        select(SigningKeyRow).where(SigningKeyRow.public_key.in_(versioned.identifiers(record_ids)))
    ).all()
    bank = ledger.log_origin(uow=uow)

    def build(row: SigningKeyRow) -> Callable[[], Mapping[str, object]]:
        return lambda: key_record(row, bank=bank)

    return versioned.versions_read(
        record_ids, {row.public_key: (row.version, build(row)) for row in rows}
    )


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[tuple[LogKind, int], Reader] = {(kind, RECORD_SCHEMA): _read for kind in KINDS}
"""For each kind of entry this area logs and each schema of its records: the records of the
given ids, as logged."""


def _unlogged_rows(uow: UnitOfWork, limit: int) -> list[SigningKeyRow]:
    entry_id = SigningKeyRow.public_key + "@" + cast(SigningKeyRow.version, String)
    return list(
        uow.session.scalars(
            select(SigningKeyRow)
            .where(~or_(*(ledger.is_logged(kind, entry_id) for kind in KINDS)))
            .order_by(SigningKeyRow.id)
            .limit(limit)
        )
    )


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Keys whose version now has no entry in the log (there should be none)."""
    missing = [
        versioned.versioned_id(row.public_key, row.version) for row in _unlogged_rows(uow, limit)
    ]
    return {LogKind.KEY_REGISTERED: missing} if missing else {}


def catch_up(uow: UnitOfWork) -> int:
    """Log the version now of every key registered before keys were facts of record (a bank
    upgraded past migration 0018); how many."""
    rows = _unlogged_rows(uow, 1_000_000)
    log_keys(uow, [(row, LogKind.KEY_REGISTERED) for row in rows])
    return len(rows)
