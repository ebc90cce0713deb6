"""What other business areas may use of the catalogue."""

from __future__ import annotations

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
from creditbank.catalog.tables import CatalogItemRow  # for read models that join on items

__all__ = [
    "CatalogItem",
    "CatalogItemRow",
    "GrantWindow",
    "Issuable",
    "ItemDraft",
    "ItemKind",
    "add_item",
    "find_item",
    "issuable_items",
    "items_where",
    "list_items",
    "split_item_ref",
]
