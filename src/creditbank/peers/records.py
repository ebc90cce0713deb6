"""What the ledger holds of the trust list, and how to read it back.

Facts of record: a peer bank proposed, approved or removed, each a v2 record (flat, global
identifiers only: the bank's log origin, the peer's origin, keys, DID, URLs, the agreement's
codes joined by commas, the step, its actor as a stable pseudonymous id, its reason and time).
The entry's id is the peer's public id, ``<origin>@<n>`` (its n-th proposal; one entry of each
kind per proposal). ``creditbank log verify``
reads the same fields back with :data:`READERS` and checks every commitment, so a peer's keys
or agreement changed in the table after the fact are found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind
from creditbank.peers.tables import PeerEventRow, PeerRow

ISSUER = "BANK"
SCHEMA = 2

KINDS: dict[str, LogKind] = {
    "proposed": LogKind.PEER_PROPOSED,
    "approved": LogKind.PEER_APPROVED,
    "removed": LogKind.PEER_REMOVED,
}


def public_id(origin: str, proposal: int) -> str:
    """The id of a peer's log entries: its origin and which proposal of that origin it is
    (``bank-a.example/log@1``; a removed peer proposed again is ``@2``). Never a row id."""
    return f"{origin}@{proposal}"


def peer_record(row: PeerRow, event: PeerEventRow, *, bank: str) -> dict[str, object]:
    """The v2 record of one step of a peer."""
    return {
        "schema": SCHEMA,
        "bank": bank,
        "peer": row.origin,
        "log_key": row.log_key,
        "did": row.did,
        "url": row.url,
        "witness_url": row.witness_url,
        "witness_key": row.witness_key,
        "frameworks": row.frameworks,
        "item_kinds": row.item_kinds,
        "institutions": row.institutions,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "event": event.kind,
        "actor": event.actor,
        "reason": event.reason,
        "at": event.at,
    }


def peer_fact(row: PeerRow, event: PeerEventRow, *, bank: str) -> LogFact:
    """The log fact of a peer's step."""
    return LogFact(
        KINDS[event.kind], row.public_id, ISSUER, event.at, peer_record(row, event, bank=bank)
    )


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]


def _reader(kind: str) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        if not record_ids:
            return {}
        bank = ledger.log_origin(uow=uow)
        rows = uow.session.execute(
            select(PeerRow, PeerEventRow)
            .join(PeerEventRow, PeerEventRow.peer_id == PeerRow.id)
            .where(PeerRow.public_id.in_(set(record_ids)), PeerEventRow.kind == kind)
        ).all()
        return {row.public_id: peer_record(row, event, bank=bank) for row, event in rows}

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (log_kind, SCHEMA): _reader(kind) for kind, log_kind in KINDS.items()
}
"""For each kind of entry this area logs (and its record schema): the records of the given
ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Steps of peers that have no entry in the log."""
    found: dict[LogKind, list[str]] = {}
    for kind, log_kind in KINDS.items():
        ids = list(
            uow.session.scalars(
                select(PeerRow.public_id)
                .join(PeerEventRow, PeerEventRow.peer_id == PeerRow.id)
                .where(PeerEventRow.kind == kind)
                .limit(10 * limit)
            )
        )
        if not ids:
            continue
        logged = ledger.logged_record_ids(uow=uow, kind=log_kind, record_ids=ids)
        missing = [i for i in ids if i not in logged][:limit]
        if missing:
            found[log_kind] = missing
    return found
