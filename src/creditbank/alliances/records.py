"""What the ledger holds of the bank's alliances, and how to read it back.

Facts of record: this bank joined or left an alliance, each a v2 record (flat, global
identifiers only: the bank's log origin, the alliance's code and names, its other members'
origins and its agreement's codes joined by commas, the step, its actor as a stable
pseudonymous id, its reason and time). The entry's id is ``alliance-<n>`` (one entry of each
kind per row). ``creditbank log verify`` reads the same fields back with :data:`READERS`, so an
alliance's members or agreement changed in the table after the fact are found. A proposal is not
a fact of record: nothing is promised until another administrator approves it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.alliances.tables import BankAllianceEventRow, BankAllianceRow
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind

PREFIX = "alliance-"
ISSUER = "BANK"
SCHEMA = 2

KINDS: dict[str, LogKind] = {
    "joined": LogKind.ALLIANCE_JOINED,
    "left": LogKind.ALLIANCE_LEFT,
}


def record_id(alliance_id: int) -> str:
    return f"{PREFIX}{alliance_id}"


def alliance_record(
    row: BankAllianceRow, event: BankAllianceEventRow, *, bank: str
) -> dict[str, object]:
    """The v2 record of one step of the bank in an alliance."""
    return {
        "schema": SCHEMA,
        "bank": bank,
        "alliance": row.code,
        "name": row.name,
        "name_en": row.name_en,
        "members": row.members,
        "frameworks": row.frameworks,
        "item_kinds": row.item_kinds,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "event": event.kind,
        "actor": event.actor,
        "reason": event.reason,
        "at": event.at,
    }


def alliance_fact(row: BankAllianceRow, event: BankAllianceEventRow, *, bank: str) -> LogFact:
    """The log fact of a step."""
    return LogFact(
        KINDS[event.kind],
        record_id(row.id),
        ISSUER,
        event.at,
        alliance_record(row, event, bank=bank),
    )


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]


def _reader(kind: str) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        ids = [
            int(r.removeprefix(PREFIX))
            for r in record_ids
            if r.startswith(PREFIX) and r.removeprefix(PREFIX).isdigit()
        ]
        if not ids:
            return {}
        bank = ledger.log_origin(uow=uow)
        rows = uow.session.execute(
            select(BankAllianceRow, BankAllianceEventRow)
            .join(BankAllianceEventRow, BankAllianceEventRow.alliance_id == BankAllianceRow.id)
            .where(BankAllianceRow.id.in_(ids), BankAllianceEventRow.kind == kind)
        ).all()
        return {record_id(row.id): alliance_record(row, event, bank=bank) for row, event in rows}

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (log_kind, SCHEMA): _reader(kind) for kind, log_kind in KINDS.items()
}
"""For each kind of entry this area logs (and its record schema): the records of the given
ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Steps of the bank in alliances that have no entry in the log."""
    found: dict[LogKind, list[str]] = {}
    for kind, log_kind in KINDS.items():
        ids = [
            record_id(alliance_id)
            for alliance_id in uow.session.scalars(
                select(BankAllianceEventRow.alliance_id)
                .where(BankAllianceEventRow.kind == kind)
                .limit(10 * limit)
            )
        ]
        if not ids:
            continue
        logged = ledger.logged_record_ids(uow=uow, kind=log_kind, record_ids=ids)
        missing = [i for i in ids if i not in logged][:limit]
        if missing:
            found[log_kind] = missing
    return found
