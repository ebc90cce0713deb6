"""Use cases of the catalogue. Given a unit of work; never commit.

An item's levels are pinned to the framework version in force on the day the
item is created (``frameworks.api.pin_level``): a later version of the framework
does not change what an existing item, or an outcome deposited against it, says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, select

from creditbank.catalog import records
from creditbank.catalog.model import (
    AchievementType,
    CatalogError,
    CatalogItem,
    ItemDraft,
    ItemKind,
    check_item,
)
from creditbank.catalog.tables import CatalogItemLevelRow, CatalogItemRow
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg


def add_item(*, uow: UnitOfWork, draft: ItemDraft, on: date) -> CatalogItem:
    """Add an item to an institution's catalogue; every problem is reported at once."""
    session = uow.session
    problems: list[Message] = check_item(draft)
    owner_id = institutions.institution_id(uow=uow, code=draft.institution)
    framework_code = draft.framework.strip().upper()
    pinned: list[frameworks.PinnedLevel] = []
    for level in draft.levels:
        try:
            pinned.append(
                frameworks.pin_level(uow=uow, ref=frameworks.LevelRef(framework_code, level), on=on)
            )
        except frameworks.FrameworkError as error:
            problems.append(error.message)
    existing = session.scalar(
        select(CatalogItemRow.id).where(
            CatalogItemRow.institution_id == owner_id, CatalogItemRow.code == draft.code
        )
    )
    if existing is not None:
        raise CatalogError(
            "item_exists",
            msg(
                "{institution} already has an item {code}",
                institution=draft.institution.upper(),
                code=draft.code,
            ),
        )
    if problems:
        raise CatalogError(
            "invalid_item", msg("item {code} is not valid", code=draft.code), problems
        )
    attributes: dict[str, str] = {}
    if draft.provider:
        attributes["provider"] = draft.provider.strip()
    if draft.approval_round is not None:
        attributes["approval_round"] = str(draft.approval_round)
    if draft.achievement_type is not None:
        attributes["achievement_type"] = draft.achievement_type.value
    row = CatalogItemRow(
        institution_id=owner_id,
        code=draft.code,
        kind=draft.kind.value,
        name=draft.name.strip(),
        name_en=draft.name_en.strip(),
        framework=framework_code,
        credits=draft.credits,
        attributes=attributes,
        created_at=datetime.now(UTC),
        levels=[
            CatalogItemLevelRow(position=position, framework_level_id=level.level_id)
            for position, level in enumerate(pinned)
        ],
    )
    session.add(row)
    session.flush()
    records.log_item(uow, row, at=row.created_at)
    return _item(row, draft.institution.upper(), tuple(pinned))


def _item(
    row: CatalogItemRow | Row[Any], institution: str, levels: tuple[frameworks.PinnedLevel, ...]
) -> CatalogItem:
    attributes = row.attributes
    return CatalogItem(
        id=row.id,
        institution=institution,
        code=row.code,
        kind=ItemKind(row.kind),
        name=row.name,
        name_en=row.name_en,
        framework=row.framework,
        levels=levels,
        credits=row.credits,
        provider=attributes.get("provider", ""),
        approval_round=int(attributes["approval_round"])
        if "approval_round" in attributes
        else None,
        achievement_type=AchievementType(attributes["achievement_type"])
        if "achievement_type" in attributes
        else None,
        version=row.version,
    )


_ITEM_COLUMNS = (
    CatalogItemRow.id,
    CatalogItemRow.institution_id,
    CatalogItemRow.code,
    CatalogItemRow.kind,
    CatalogItemRow.name,
    CatalogItemRow.name_en,
    CatalogItemRow.framework,
    CatalogItemRow.credits,
    CatalogItemRow.attributes,
    CatalogItemRow.version,
)


def _item_rows(
    uow: UnitOfWork, *conditions: ColumnElement[bool]
) -> list[tuple[Row[Any], list[int]]]:
    """The items that meet ``conditions`` (on ``catalog_items``), each with the row ids of its
    framework levels in order and its owner's code (``institution_code``), by institution and
    code: one query (columns, not rows of the session: items are read far more often than
    written)."""
    query = (
        select(
            *_ITEM_COLUMNS,
            institutions.institution_code_of(CatalogItemRow.institution_id).label(
                "institution_code"
            ),
            CatalogItemLevelRow.framework_level_id,
        )
        .outerjoin(CatalogItemLevelRow, CatalogItemLevelRow.item_id == CatalogItemRow.id)
        .where(*conditions)
        .order_by(CatalogItemRow.institution_id, CatalogItemRow.code, CatalogItemLevelRow.position)
    )
    items: dict[int, tuple[Row[Any], list[int]]] = {}
    for row in uow.session.execute(query):
        found = items.get(row.id)
        if found is None:
            found = items[row.id] = (row, [])
        if row.framework_level_id is not None:
            found[1].append(row.framework_level_id)
    return list(items.values())


def list_items(
    *, uow: UnitOfWork, institution: str | None = None, kind: ItemKind | None = None
) -> list[CatalogItem]:
    """Catalogue items, optionally of one institution and/or one kind, by institution and code."""
    conditions: list[ColumnElement[bool]] = []
    if institution is not None:
        conditions.append(
            CatalogItemRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    if kind is not None:
        conditions.append(CatalogItemRow.kind == kind.value)
    return items_where(uow, *conditions)


def items_where(uow: UnitOfWork, *conditions: ColumnElement[bool]) -> list[CatalogItem]:
    """The items that meet ``conditions`` (on ``catalog_items``), by institution and code."""
    rows = _item_rows(uow, *conditions)
    if not rows:
        return []
    pinned = frameworks.pinned_levels(
        uow=uow, level_ids=[level_id for _, level_ids in rows for level_id in level_ids]
    )
    return [
        _item(
            row,
            row.institution_code,
            tuple(pinned[level_id] for level_id in level_ids),
        )
        for row, level_ids in rows
    ]


def find_item(*, uow: UnitOfWork, institution: str, code: str) -> CatalogItem | None:
    """Institution ``institution``'s item ``code``, or None."""
    owner_id = institutions.institution_id(uow=uow, code=institution)
    found = _item_rows(uow, CatalogItemRow.institution_id == owner_id, CatalogItemRow.code == code)
    if not found:
        return None
    [(row, level_ids)] = found
    pinned = frameworks.pinned_levels(uow=uow, level_ids=level_ids)
    return _item(
        row,
        institution.strip().upper(),
        tuple(pinned[level_id] for level_id in level_ids),
    )
