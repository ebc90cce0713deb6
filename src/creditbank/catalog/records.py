"""What the ledger holds of catalogue items and grants, and how to read it back (ADR 0017).

- A catalogue item, each version: the entry ``<item public id>@<version>``
  (``catalog_item.registered`` for the first, ``catalog_item.changed`` after), issued by its
  owner, committing to a v2 record of what the item is (owner, code, kind: never changed) and
  says (names, framework, levels as ``FRAMEWORK@VERSION:LEVEL``, credits, attributes).
- A grant (another institution accredited to issue the item) and its withdrawal: the entries
  ``catalog_grant.granted`` and ``catalog_grant.withdrawn`` of the grant's public id.

``creditbank log verify`` reads the rows back with :data:`READERS`: an item renamed, given
other credits or levels behind the bank's back, or a grant's window moved, shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import selectinload

from creditbank.catalog.tables import CatalogGrantRow, CatalogItemRow
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger import versioned
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

ITEM_KINDS = (LogKind.ITEM_REGISTERED, LogKind.ITEM_CHANGED)
CREDITS_SCALE = Decimal("0.1")
"""An item's credits as its column holds them (one decimal), whatever the caller gave."""


def level_name(level: frameworks.PinnedLevel) -> str:
    """A level as an item's record lists it: ``FRAMEWORK@VERSION:LEVEL``."""
    return f"{level.framework}@{level.version}:{level.level.code}"


def item_record(
    row: CatalogItemRow, *, bank: str, owner: str, levels: Collection[str]
) -> dict[str, object]:
    """The v2 record of an item at its version now (``levels``: :func:`level_name` of each,
    in the item's order)."""
    record: dict[str, object] = {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "owner": owner,
        "code": row.code,
        "version": row.version,
        "kind": row.kind,
        "name": row.name,
        "name_en": row.name_en,
        "framework": row.framework,
        "levels": " ".join(levels),
        "credits": None if row.credits is None else Decimal(row.credits).quantize(CREDITS_SCALE),
        "registered_at": row.created_at,
    }
    record.update((f"attribute_{key}", str(value)) for key, value in row.attributes.items())
    return record


class _Context:
    """What items' records need besides their rows, read once."""

    def __init__(self, uow: UnitOfWork, rows: Collection[CatalogItemRow]) -> None:
        self.bank = ledger.log_origin(uow=uow)
        self.codes = institutions.institution_codes(uow=uow)
        self.levels = frameworks.pinned_levels(
            uow=uow, level_ids=[level.framework_level_id for row in rows for level in row.levels]
        )

    def record(self, row: CatalogItemRow) -> dict[str, object]:
        return item_record(
            row,
            bank=self.bank,
            owner=self.codes[row.institution_id],
            levels=[level_name(self.levels[level.framework_level_id]) for level in row.levels],
        )


def _item_fact(row: CatalogItemRow, context: _Context, at: datetime) -> LogFact:
    kind = LogKind.ITEM_REGISTERED if row.version == 1 else LogKind.ITEM_CHANGED
    return LogFact(
        kind,
        versioned.versioned_id(row.public_id, row.version),
        context.codes[row.institution_id],
        at,
        context.record(row),
    )


def log_item(uow: UnitOfWork, row: CatalogItemRow, *, at: datetime | None = None) -> None:
    """Log ``row``'s version now, in the caller's transaction."""
    uow.session.flush()
    ledger.append(uow, [_item_fact(row, _Context(uow, [row]), at or datetime.now(UTC))])


def _items(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    rows = uow.session.scalars(
        select(CatalogItemRow)
        .options(selectinload(CatalogItemRow.levels))
        .where(CatalogItemRow.public_id.in_(versioned.identifiers(record_ids)))
    ).all()
    context = _Context(uow, rows)

    def build(row: CatalogItemRow) -> Callable[[], Mapping[str, object]]:
        return lambda: context.record(row)

    return versioned.versions_read(
        record_ids, {row.public_id: (row.version, build(row)) for row in rows}
    )


# Grants -------------------------------------------------------------------------------------


def grant_record(
    row: CatalogGrantRow, *, bank: str, owner: str, item_code: str, item_kind: str, grantee: str
) -> dict[str, object]:
    """The v2 record of a grant as granted."""
    return {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "grant": row.public_id,
        "item_owner": owner,
        "item_code": item_code,
        "item_kind": item_kind,
        "grantee": grantee,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "granted_at": row.granted_at,
    }


def withdrawal_record(row: CatalogGrantRow, *, bank: str) -> dict[str, object]:
    """The v2 record of a grant's withdrawal."""
    return {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "grant": row.public_id,
        "withdrawn_at": row.withdrawn_at,
    }


def _grant_records(
    uow: UnitOfWork, rows: Collection[CatalogGrantRow], kind: LogKind
) -> dict[str, tuple[str, dict[str, object]]]:
    """Each grant's issuer (the item's owner) and record of ``kind``, by public id."""
    bank = ledger.log_origin(uow=uow)
    codes = institutions.institution_codes(uow=uow)
    items = {
        item.id: item
        for item in uow.session.execute(
            select(
                CatalogItemRow.id,
                CatalogItemRow.institution_id,
                CatalogItemRow.code,
                CatalogItemRow.kind,
            ).where(CatalogItemRow.id.in_({row.item_id for row in rows}))
        )
    }
    found: dict[str, tuple[str, dict[str, object]]] = {}
    for row in rows:
        item = items[row.item_id]
        owner = codes[item.institution_id]
        if kind is LogKind.GRANT_GRANTED:
            record = grant_record(
                row,
                bank=bank,
                owner=owner,
                item_code=item.code,
                item_kind=item.kind,
                grantee=codes[row.grantee_id],
            )
        elif row.withdrawn_at is not None:
            record = withdrawal_record(row, bank=bank)
        else:
            continue
        found[row.public_id] = (owner, record)
    return found


def log_grant(uow: UnitOfWork, row: CatalogGrantRow, kind: LogKind) -> None:
    """Log a grant (``catalog_grant.granted``) or its withdrawal, in the caller's transaction."""
    uow.session.flush()
    owner, record = _grant_records(uow, [row], kind)[row.public_id]
    at = row.granted_at if kind is LogKind.GRANT_GRANTED else row.withdrawn_at
    ledger.append(uow, [LogFact(kind, row.public_id, owner, at or datetime.now(UTC), record)])


def _grants(
    kind: LogKind,
) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        rows = uow.session.scalars(
            select(CatalogGrantRow).where(CatalogGrantRow.public_id.in_(set(record_ids)))
        ).all()
        return {
            public_id: record for public_id, (_, record) in _grant_records(uow, rows, kind).items()
        }

    return read


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[tuple[LogKind, int], Reader] = {
    **{(kind, RECORD_SCHEMA): _items for kind in ITEM_KINDS},
    **{
        (kind, RECORD_SCHEMA): _grants(kind)
        for kind in (LogKind.GRANT_GRANTED, LogKind.GRANT_WITHDRAWN)
    },
}
"""For each kind of entry this area logs and each schema of its records: the records of the
given ids, as logged."""


def _unlogged_items(uow: UnitOfWork, limit: int) -> list[CatalogItemRow]:
    entry_id = CatalogItemRow.public_id + "@" + cast(CatalogItemRow.version, String)
    return list(
        uow.session.scalars(
            select(CatalogItemRow)
            .options(selectinload(CatalogItemRow.levels))
            .where(~or_(*(ledger.is_logged(kind, entry_id) for kind in ITEM_KINDS)))
            .order_by(CatalogItemRow.id)
            .limit(limit)
        )
    )


def _unlogged_grants(uow: UnitOfWork, kind: LogKind, limit: int) -> list[CatalogGrantRow]:
    query = select(CatalogGrantRow).where(~ledger.is_logged(kind, CatalogGrantRow.public_id))
    if kind is LogKind.GRANT_WITHDRAWN:
        query = query.where(CatalogGrantRow.withdrawn_at.is_not(None))
    return list(uow.session.scalars(query.order_by(CatalogGrantRow.id).limit(limit)))


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Items whose version now, and grants and withdrawals, with no entry in the log."""
    found: dict[LogKind, list[str]] = {}
    items = [
        versioned.versioned_id(row.public_id, row.version) for row in _unlogged_items(uow, limit)
    ]
    if items:
        found[LogKind.ITEM_REGISTERED] = items
    for kind in (LogKind.GRANT_GRANTED, LogKind.GRANT_WITHDRAWN):
        grants = [row.public_id for row in _unlogged_grants(uow, kind, limit)]
        if grants:
            found[kind] = grants
    return found


def catch_up(uow: UnitOfWork) -> int:
    """Log the version now of every item, and every grant and withdrawal, made before they were
    facts of record (a bank upgraded past migration 0018); how many facts."""
    now = datetime.now(UTC)
    rows = _unlogged_items(uow, 1_000_000)
    facts: list[LogFact] = []
    if rows:
        context = _Context(uow, rows)
        facts += [_item_fact(row, context, now) for row in rows]
    for kind in (LogKind.GRANT_GRANTED, LogKind.GRANT_WITHDRAWN):
        grants = _unlogged_grants(uow, kind, 1_000_000)
        facts += [
            LogFact(kind, public_id, owner, now, record)
            for public_id, (owner, record) in _grant_records(uow, grants, kind).items()
        ]
    if facts:
        ledger.append(uow, facts)
    return len(facts)
