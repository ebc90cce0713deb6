"""Tables of the national platform; private to the area.

At the national bank:
- ``national_schools``: pilot schools registered to send batches: their code, name, the log
  origin their references name and the signed-note verifier key (Ed25519) their batches are
  signed with.
- ``national_batches``: each batch accepted: its sender, digest, when, how many references it
  held and how many were new.
- ``national_references``: each reference, once (``origin`` + ``leaf_hash`` unique: a reference
  sent again, in any batch, is not counted again); ``withdrawn`` once its sender reported the
  outcome revoked or superseded (kept, not counted).

At a regional bank:
- ``national_sends``: each batch this bank sent to a national bank (its URL), up to which leaf
  of its log; the next batch starts after the last one (``target`` + ``first_leaf`` unique).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class NationalSchoolRow(Base):
    __tablename__ = "national_schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(255), unique=True)
    verifier_key: Mapped[str] = mapped_column(String(400))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class NationalBatchRow(Base):
    __tablename__ = "national_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(255), index=True)
    sender_kind: Mapped[str] = mapped_column(String(16))
    """``bank`` (a trusted peer) or ``school`` (a registered pilot school)."""
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reference_count: Mapped[int] = mapped_column(Integer)
    new_references: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[int] = mapped_column(Integer)
    """References the batch's withdrawals took out of the count."""


class NationalReferenceRow(Base):
    __tablename__ = "national_references"
    __table_args__ = (
        UniqueConstraint("origin", "leaf_hash"),
        Index("ix_national_references_item", "item_owner", "item_code"),
        Index("ix_national_references_level", "level_framework", "level_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("national_batches.id"), index=True)
    origin: Mapped[str] = mapped_column(String(255))
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    leaf_hash: Mapped[str] = mapped_column(String(44))
    item_owner: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
    item_kind: Mapped[str] = mapped_column(String(32))
    level_framework: Mapped[str] = mapped_column(String(64))
    level_version: Mapped[int] = mapped_column(Integer)
    level_code: Mapped[str] = mapped_column(String(64))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    year: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[str | None] = mapped_column(String(16))
    """``revoked`` or ``superseded`` once its sender withdrew it: no longer counted."""


class NationalSendRow(Base):
    __tablename__ = "national_sends"
    __table_args__ = (UniqueConstraint("target", "first_leaf"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(500))
    first_leaf: Mapped[int] = mapped_column(BigInteger)
    last_leaf: Mapped[int] = mapped_column(BigInteger)
    reference_count: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
