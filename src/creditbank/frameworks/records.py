"""What the ledger holds of published framework versions, and how to read it back.

Publishing a framework version is a fact of record: its content (names, tracks, levels
with their descriptors, effective date, who published it and when) is committed to in the
log, in the transaction that publishes it. ``creditbank log verify`` reads it back with
:data:`READERS`.

Versions are logged with v2 records now (ADR 0017): ``"schema": 2``, the bank's log origin, and
who published it as ``user:<uuid>`` when a user did (the built-in frameworks name their
installer, ``creditbank``), never an e-mail address. Versions logged before hold v1 records.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from creditbank.db import UnitOfWork
from creditbank.frameworks.tables import FrameworkVersionRow
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind, logged_record_ids
from creditbank.ledger.model import RECORD_SCHEMA

Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

ISSUER = "BANK"
"""The issuer of framework versions in the log: the bank itself (who published them is in
the committed record, not in the public entry)."""


def record_id(code: str, version: int) -> str:
    """A framework version's public id in the log, e.g. ``NVQC@1``."""
    return f"{code}@{version}"


def version_record(row: FrameworkVersionRow) -> dict[str, object]:
    """The content of a published framework version that its log entry commits to."""
    return {
        "code": row.code,
        "version": row.version,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "description_zh": row.description_zh,
        "description_en": row.description_en,
        "source": row.source,
        "effective_from": row.effective_from,
        "published_at": row.published_at,
        "published_by": row.published_by,
        "tracks": [
            {
                "code": t.code,
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "ordered": t.ordered,
                "highest_first": t.highest_first,
            }
            for t in sorted(row.tracks, key=lambda t: t.position)
        ],
        "levels": [
            {
                "track": level.track_code,
                "code": level.code,
                "rank": level.rank,
                "name_zh": level.name_zh,
                "name_en": level.name_en,
                "descriptors": level.descriptors,
            }
            for level in sorted(row.levels, key=lambda level: level.position)
        ],
    }


def publisher(uow: UnitOfWork, actor: str) -> str:
    """Who published a version, as a v2 record names them: ``user:<uuid>`` for a user's e-mail
    address, the name itself for what is no address (``creditbank``), else ``unknown``."""
    found = institutions.actors_by_email(uow=uow, emails=[actor]).get(actor)
    if found is not None:
        return found
    return "unknown" if "@" in actor else actor


def version_record_v2(
    row: FrameworkVersionRow, *, bank: str, published_by: str
) -> dict[str, object]:
    """The v2 record of a published framework version (``published_by``: :func:`publisher`)."""
    return {
        **version_record(row),
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "published_by": published_by,
    }


def published_fact(uow: UnitOfWork, row: FrameworkVersionRow) -> LogFact:
    """The log fact of a published framework version (a v2 record)."""
    return LogFact(
        LogKind.FRAMEWORK_VERSION_PUBLISHED,
        record_id(row.code, row.version),
        ISSUER,
        row.published_at,
        version_record_v2(
            row, bank=ledger.log_origin(uow=uow), published_by=publisher(uow, row.published_by)
        ),
    )


def _versions(schema: int) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        wanted = set(record_ids)
        codes = {rid.rpartition("@")[0] for rid in wanted}
        rows = uow.session.scalars(
            select(FrameworkVersionRow)
            .where(FrameworkVersionRow.code.in_(codes))
            .options(
                selectinload(FrameworkVersionRow.tracks), selectinload(FrameworkVersionRow.levels)
            )
        ).all()
        found: dict[str, Mapping[str, object]] = {}
        for row in rows:
            key = record_id(row.code, row.version)
            if key not in wanted:
                continue
            found[key] = (
                version_record(row)
                if schema == 1
                else version_record_v2(
                    row,
                    bank=ledger.log_origin(uow=uow),
                    published_by=publisher(uow, row.published_by),
                )
            )
        return found

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (LogKind.FRAMEWORK_VERSION_PUBLISHED, schema): _versions(schema)
    for schema in (1, RECORD_SCHEMA)
}
"""For each kind of entry this area logs and each schema of its records (ADR 0017): the records
of the given ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Published framework versions with no entry in the log (there should be none)."""
    rows = uow.session.execute(
        select(FrameworkVersionRow.code, FrameworkVersionRow.version).limit(10_000)
    ).all()
    published = [record_id(code, version) for code, version in rows]
    logged = logged_record_ids(
        uow=uow, kind=LogKind.FRAMEWORK_VERSION_PUBLISHED, record_ids=published
    )
    missing = [rid for rid in published if rid not in logged][:limit]
    return {LogKind.FRAMEWORK_VERSION_PUBLISHED: missing} if missing else {}
