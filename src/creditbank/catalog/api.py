"""What other business areas may use of the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute

from creditbank.catalog.grants import issuable_items
from creditbank.catalog.model import (
    CatalogItem,
    GrantWindow,
    Issuable,
    ItemDraft,
    ItemKind,
    split_item_ref,
)
from creditbank.catalog.service import add_item, find_item, items_where, list_items
from creditbank.catalog.tables import CatalogItemRow
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions


def item_credits(*, uow: UnitOfWork, owner: str, code: str) -> Decimal | None:
    """The credits item ``code`` of institution ``owner`` carries (None if it has none)."""
    return uow.session.scalar(
        select(CatalogItemRow.credits).where(
            CatalogItemRow.institution_id == institutions.institution_id(uow=uow, code=owner),
            CatalogItemRow.code == code,
        )
    )


@dataclass(frozen=True, slots=True)
class ItemLabel:
    """What an outcome shows of its item: code, kind, name and the owner's row id."""

    code: str
    kind: ItemKind
    name: str
    institution_id: int
    name_en: str = ""
    """The item's English name, where the catalogue holds one."""


def item_labels(*, uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, ItemLabel]:
    """The labels of these items (row ids), by row id, in one query."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(
            CatalogItemRow.id,
            CatalogItemRow.code,
            CatalogItemRow.kind,
            CatalogItemRow.name,
            CatalogItemRow.institution_id,
            CatalogItemRow.name_en,
        ).where(CatalogItemRow.id.in_(ids))
    )
    return {
        row.id: ItemLabel(row.code, ItemKind(row.kind), row.name, row.institution_id, row.name_en)
        for row in rows
    }


def items_coded(*, uow: UnitOfWork, kind: ItemKind, code: str) -> list[CatalogItem]:
    """The items of ``kind`` with ``code``, of any owner (codes are unique per owner only)."""
    return items_where(uow, CatalogItemRow.kind == kind.value, CatalogItemRow.code == code)


def items_by_id(*, uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, CatalogItem]:
    """These items (row ids), by row id."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    return {item.id: item for item in items_where(uow, CatalogItemRow.id.in_(ids))}


@dataclass(frozen=True, slots=True)
class ItemName:
    """What a log record names an item by (ADR 0017): its owner's code, its code and its kind,
    which never change, and the version of its facts now."""

    owner: str
    code: str
    kind: str
    version: int


def item_names(*, uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, ItemName]:
    """The names of these items (row ids), by row id, in one query."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    codes = institutions.institution_codes(uow=uow)
    rows = uow.session.execute(
        select(
            CatalogItemRow.id,
            CatalogItemRow.institution_id,
            CatalogItemRow.code,
            CatalogItemRow.kind,
            CatalogItemRow.version,
        ).where(CatalogItemRow.id.in_(ids))
    )
    return {
        row.id: ItemName(codes[row.institution_id], row.code, row.kind, row.version) for row in rows
    }


def item_names_coded(
    *, uow: UnitOfWork, items: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """The names (Chinese, English; English "" where the catalogue has none) of these items,
    each given as (owner's code, item code), in one query; unknown ones are left out."""
    wanted = set(items)
    if not wanted:
        return {}
    ids = {code: id_ for id_, code in institutions.institution_codes(uow=uow).items()}
    owners = {ids[owner] for owner, _ in wanted if owner in ids}
    rows = uow.session.execute(
        select(
            CatalogItemRow.institution_id,
            CatalogItemRow.code,
            CatalogItemRow.name,
            CatalogItemRow.name_en,
        ).where(
            CatalogItemRow.institution_id.in_(owners),
            CatalogItemRow.code.in_({code for _, code in wanted}),
        )
    )
    codes = {id_: code for code, id_ in ids.items()}
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        key = (codes[row.institution_id], row.code)
        if key in wanted:
            found[key] = (row.name, row.name_en or "")
    return found


def is_item_of_kind(
    kind: ItemKind, item_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> Exists:
    """An SQL condition for a caller's query: the item whose row id is ``item_id`` (a column of
    that query, e.g. an outcome's item) is of ``kind``."""
    return exists().where(CatalogItemRow.id == item_id, CatalogItemRow.kind == kind.value)


__all__ = [
    "CatalogItem",
    "GrantWindow",
    "Issuable",
    "ItemDraft",
    "ItemKind",
    "ItemLabel",
    "ItemName",
    "add_item",
    "find_item",
    "is_item_of_kind",
    "issuable_items",
    "item_credits",
    "item_labels",
    "item_names",
    "item_names_coded",
    "items_by_id",
    "items_coded",
    "list_items",
    "split_item_ref",
]
