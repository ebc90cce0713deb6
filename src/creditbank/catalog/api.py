"""What other business areas may use of the catalogue."""

from __future__ import annotations

from creditbank.catalog.grants import issuable_items
from creditbank.catalog.model import CatalogItem, GrantWindow, Issuable, ItemKind
from creditbank.catalog.service import find_item, list_items
from creditbank.catalog.tables import CatalogItemRow  # for read models that join on items

__all__ = [
    "CatalogItem",
    "CatalogItemRow",
    "GrantWindow",
    "Issuable",
    "ItemKind",
    "find_item",
    "issuable_items",
    "list_items",
]
