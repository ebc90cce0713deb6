"""What the ledger holds of institutions, and how to read it back (ADR 0017).

An institution's registration and each change of its committed facts (names, type, region,
alliances) are facts of record: version N of institution CODE is the entry ``CODE@N``
(``institution.registered`` for the first, ``institution.changed`` after), issued by the bank,
committing to a v2 record of the row as it stands at that version. ``creditbank log verify``
reads the row back with :data:`READERS`: an institution renamed behind the bank's back, or whose
version was moved, shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import String, cast, or_, select

from creditbank.db import UnitOfWork
from creditbank.institutions.tables import AllianceMemberRow, AllianceRow, InstitutionRow
from creditbank.ledger import api as ledger
from creditbank.ledger import versioned
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

ISSUER = "BANK"
"""The issuer of institutions' entries: the bank registers and edits them."""
KINDS = (LogKind.INSTITUTION_REGISTERED, LogKind.INSTITUTION_CHANGED)


def institution_record(
    row: InstitutionRow, *, bank: str, alliances: Collection[str]
) -> dict[str, object]:
    """The v2 record of an institution at its version now (``alliances``: their codes)."""
    return {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "code": row.code,
        "version": row.version,
        "name": row.name,
        "name_en": row.name_en,
        "type": row.type,
        "region": row.region,
        "alliances": " ".join(sorted(alliances)),
        "registered_at": row.created_at,
    }


def _alliances(uow: UnitOfWork, institution_ids: Collection[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {institution_id: [] for institution_id in institution_ids}
    rows = uow.session.execute(
        select(AllianceMemberRow.institution_id, AllianceRow.code)
        .join(AllianceRow, AllianceRow.id == AllianceMemberRow.alliance_id)
        .where(AllianceMemberRow.institution_id.in_(set(institution_ids)))
    )
    for institution_id, code in rows:
        found[institution_id].append(code)
    return found


def institution_fact(uow: UnitOfWork, row: InstitutionRow, *, at: datetime) -> LogFact:
    """The log fact of ``row``'s version now (registered at version 1, changed after)."""
    uow.session.flush()
    record = institution_record(
        row, bank=ledger.log_origin(uow=uow), alliances=_alliances(uow, [row.id])[row.id]
    )
    kind = LogKind.INSTITUTION_REGISTERED if row.version == 1 else LogKind.INSTITUTION_CHANGED
    return LogFact(kind, versioned.versioned_id(row.code, row.version), ISSUER, at, record)


def log_institution(uow: UnitOfWork, row: InstitutionRow, *, at: datetime | None = None) -> None:
    """Log ``row``'s version now, in the caller's transaction."""
    ledger.append(uow, [institution_fact(uow, row, at=at or datetime.now(UTC))])


def _read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    codes = versioned.identifiers(record_ids)
    rows = uow.session.scalars(select(InstitutionRow).where(InstitutionRow.code.in_(codes))).all()
    bank = ledger.log_origin(uow=uow)
    alliances = _alliances(uow, [row.id for row in rows])

    def build(row: InstitutionRow) -> Callable[[], Mapping[str, object]]:
        return lambda: institution_record(row, bank=bank, alliances=alliances[row.id])

    return versioned.versions_read(
        record_ids, {row.code: (row.version, build(row)) for row in rows}
    )


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[tuple[LogKind, int], Reader] = {(kind, RECORD_SCHEMA): _read for kind in KINDS}
"""For each kind of entry this area logs and each schema of its records: the records of the
given ids, as logged."""


def _unlogged_rows(uow: UnitOfWork, limit: int) -> list[InstitutionRow]:
    entry_id = InstitutionRow.code + "@" + cast(InstitutionRow.version, String)
    return list(
        uow.session.scalars(
            select(InstitutionRow)
            .where(~or_(*(ledger.is_logged(kind, entry_id) for kind in KINDS)))
            .order_by(InstitutionRow.id)
            .limit(limit)
        )
    )


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Institutions whose version now has no entry in the log (there should be none)."""
    missing = [versioned.versioned_id(row.code, row.version) for row in _unlogged_rows(uow, limit)]
    return {LogKind.INSTITUTION_REGISTERED: missing} if missing else {}


def catch_up(uow: UnitOfWork) -> int:
    """Log the version now of every institution registered before institutions were facts of
    record (a bank upgraded past migration 0018); how many."""
    rows = _unlogged_rows(uow, 100_000)
    if rows:
        now = datetime.now(UTC)
        ledger.append(uow, [institution_fact(uow, row, at=now) for row in rows])
    return len(rows)
