"""Persistence of learners: accounts, the identity index, wrapped keys, sealed personal data.

No column holds a name or an identity number in clear: ``learner_identities``
holds an HMAC, ``learner_personal_data`` AES-GCM ciphertext under the learner's
key, and ``learner_keys`` that key wrapped by the bank's data key (which is not
in the database). ``personal_data_access`` is the audit trail the learner sees.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class LearnerRow(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(14), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerIdentityRow(Base):
    __tablename__ = "learner_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    id_hmac: Mapped[str] = mapped_column(String(64), unique=True)


class LearnerKeyRow(Base):
    __tablename__ = "learner_keys"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)


class LearnerPersonalDataRow(Base):
    __tablename__ = "learner_personal_data"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class PersonalDataAccessRow(Base):
    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutcomeRow(Base):
    """A learning outcome as deposited. Never updated: changes are new rows that point back."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("institution_id", "record_id"),
        Index("ix_outcomes_learner_id_id", "learner_id", "id"),
        Index("ix_outcomes_conversion_grant_id", "conversion_grant_id"),
        # outcomes of an item (at a level) and who holds them, read from the index alone: the
        # join with the alignments in force (matching a job, counting skills held); without
        # learner_id, institution_id and id PostgreSQL fetched every row from the heap
        Index(
            "ix_outcomes_item_id_framework_level_id",
            "item_id",
            "framework_level_id",
            "learner_id",
            "institution_id",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    record_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))
    item_version: Mapped[int | None]
    """The version of the item the outcome was deposited against (ADR 0017); empty on outcomes
    logged before record schema 2."""
    credits: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    assessed_on: Mapped[date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    deposited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[int | None] = mapped_column(index=True)
    conversion_grant_id: Mapped[int | None] = mapped_column(ForeignKey("conversion_grants.id"))
    """Set on transferred credit: the conversion grant that made this outcome."""
    transfer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Set on transferred credit: what was transferred (:class:`creditbank.accounts.model.
    Transfer` as JSON): the programme, the component exempted or elective credits, the rule
    version and the source outcomes. The log commits to it with the deposit."""


class OutcomeEventRow(Base):
    """What happened to an outcome after its deposit: verified, revoked or superseded.

    Append-only: a row is never updated or deleted. An outcome's status is derived from
    its events (``accounts.model.derive_status``). Each kind happens at most once to an
    outcome, and an outcome replaces at most one other (``replaced_by_id`` is unique).
    """

    __tablename__ = "outcome_events"
    __table_args__ = (UniqueConstraint("outcome_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"), unique=True)


class DepositBatchRow(Base):
    """One uploaded file: its status and report. A job record, updated as the job ends."""

    __tablename__ = "deposit_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(254))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int]
    deposited: Mapped[int]
    unchanged: Mapped[int]
    accounts_opened: Mapped[int]
    error_count: Mapped[int]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DepositUploadRow(Base):
    """A bulk file uploaded to be checked, then deposited (the upload page's preview): kept,
    encrypted, until it is deposited or a day old. ``status``: checking, checked, refused,
    depositing, deposited. Its check's counts and problems (lines, columns and reasons: never a
    value) are kept with it; ``batch_public_id`` is set once, by the one deposit that claims it."""

    __tablename__ = "deposit_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(254))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    key_nonce: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The check's counts and problems, or the reason the file was refused whole."""
    batch_public_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DepositUploadPartRow(Base):
    """A piece of an uploaded file's bytes, AES-GCM under the upload's own key (its number and
    the upload's id as associated data, so that pieces cannot be swapped)."""

    __tablename__ = "deposit_upload_parts"

    upload_id: Mapped[int] = mapped_column(
        ForeignKey("deposit_uploads.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    data: Mapped[bytes] = mapped_column(LargeBinary)
