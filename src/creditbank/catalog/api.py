"""What other business areas may use of the catalogue."""

from __future__ import annotations

from creditbank.catalog.model import ItemKind
from creditbank.catalog.service import CatalogItem, find_item, list_items
from creditbank.catalog.tables import CatalogItemRow  # for read models that join on items

__all__ = ["CatalogItem", "CatalogItemRow", "ItemKind", "find_item", "list_items"]
