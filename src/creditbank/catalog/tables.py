"""Persistence of catalogue items, the framework levels (of a version) they sit at, and the
grants that let other institutions issue them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from creditbank.db import Base


def new_public_id() -> str:
    return uuid.uuid4().hex


class CatalogItemRow(Base):
    """An item of an institution's catalogue. Its owner, code and kind are what it is (never
    changed); a change of its other committed facts increments ``version`` (ADR 0017)."""

    __tablename__ = "catalog_items"
    __table_args__ = (
        UniqueConstraint("institution_id", "code"),
        Index("ix_catalog_items_public_id", "public_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), default=new_public_id)
    """The id of the item's log entries (``<public id>@<version>``)."""
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    framework: Mapped[str] = mapped_column(String(32))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    levels: Mapped[list[CatalogItemLevelRow]] = relationship(
        order_by="CatalogItemLevelRow.position", cascade="all, delete-orphan"
    )


class CatalogItemLevelRow(Base):
    __tablename__ = "catalog_item_levels"
    __table_args__ = (UniqueConstraint("item_id", "framework_level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    position: Mapped[int]
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))


class CatalogGrantRow(Base):
    """An institution accredited to issue another's item, for assessments in a window of dates.

    Never deleted: a withdrawal is recorded in ``withdrawn_at`` (and by whom), and a withdrawn
    grant no longer lets its holder deposit.
    """

    __tablename__ = "catalog_grants"
    __table_args__ = (
        Index("ix_catalog_grants_grantee_id_item_id", "grantee_id", "item_id"),
        Index("ix_catalog_grants_public_id", "public_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), default=new_public_id)
    """The id of the grant's log entries."""
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    grantee_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(254))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(254))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
