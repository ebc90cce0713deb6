"""Persistence of transfer packages made here, packages imported here and their outcomes.

- ``transfer_exports`` (bank A): each package made, by nonce; a one-time link keeps only the
  digest of its token, and the package itself until the link is used (then it is dropped).
- ``transfer_imports`` (bank B): each package accepted, unique by (A's origin, nonce), so a
  package is accepted once.
- ``imported_outcomes`` (bank B): each outcome accepted, unique by (A's origin, leaf hash),
  so the same outcome is imported at most once whichever package brings it; its recognition
  decision (and the outcome deposited at B when recognised) is kept on the row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class TransferExportRow(Base):
    """A transfer package made at this bank for a peer bank."""

    __tablename__ = "transfer_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    target: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    outcome_count: Mapped[int]
    made_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The institution's user who made it with the learner's consent; None: the learner."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    link_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the one-time link's token (the token is shown once)."""
    link_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    package: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The package a one-time link hands out; dropped when the link is used."""


class RecognitionTermsRow(Base):
    """This bank's terms for what it recognises from one peer: the institution that recognises
    (and deposits), whether it recognises automatically on import, and the agreement's own
    mapping of the peer's levels to this bank's (``"FW:LEVEL" -> "FW:LEVEL"``)."""

    __tablename__ = "recognition_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(255), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    automatic: Mapped[bool] = mapped_column(Boolean)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TransferImportRow(Base):
    """A transfer package accepted at this bank."""

    __tablename__ = "transfer_imports"
    __table_args__ = (UniqueConstraint("source", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    source: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(32))
    checkpoint_size: Mapped[int]
    checkpoint: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The staff user who handed it over for the learner; None: the learner."""


class ImportedOutcomeRow(Base):
    """An outcome recognised-from-A: what A's credential says, and B's decision on it."""

    __tablename__ = "imported_outcomes"
    __table_args__ = (UniqueConstraint("source", "leaf_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("transfer_imports.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    source: Mapped[str] = mapped_column(String(255))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    """A's leaf hash of the outcome's deposit (hex): with ``source``, the outcome's identity."""
    leaf_index: Mapped[int]
    credential_id: Mapped[str] = mapped_column(String(255))
    issuer: Mapped[str] = mapped_column(String(255))
    """The issuer's DID at A."""
    source_institution: Mapped[str] = mapped_column(String(64))
    """The code at A of the institution whose item it is."""
    item_code: Mapped[str] = mapped_column(String(100))
    item_kind: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(500))
    framework: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    assessed_on: Mapped[date] = mapped_column(Date)
    setting: Mapped[str | None] = mapped_column(String(16))
    """How it was learned at the source (formal, non-formal, informal), as its record says."""
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(16))
    """``recognise`` or ``refuse`` once decided (never changes; ``status`` may, on revocation)."""
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """None when the agreement recognised it automatically (or on no decision yet)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    """The institution of B that recognised it (and deposited the outcome)."""
    target_framework: Mapped[str | None] = mapped_column(String(32))
    target_level: Mapped[str | None] = mapped_column(String(32))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"), unique=True)
    """The outcome deposited at B when recognised (it counts in B's conversions)."""
