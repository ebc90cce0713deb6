"""Persistence of programmes, conversion rules and conversions.

Facts are appended, never edited (migration 0010 refuses UPDATE and DELETE on them):
a rule version, its events (submitted, approved, rejected, withdrawn, retired), a
conversion, its grants and their sources, and its events (confirmed, declined, flagged,
reversed). Two tables are working state, not facts:

- ``conversion_claims``: one row per (programme, source outcome) an active conversion
  uses. Its primary key is the database's guarantee that a source feeds at most one
  active conversion per programme; a declined or reversed conversion's claims are
  deleted (its grants and sources stay).
- ``conversion_locks``: one row per (learner, programme), written first by every
  conversion request, so that requests for the same learner and programme run one after
  another and each sees the claims and caps the previous one left.

Four eyes is enforced by the database too: an approval or rejection event carries the
version's author (a composite foreign key makes it the true author) and a CHECK
refuses it when the approver is that author.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class ProgrammeRow(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    """The qualification or certificate the programme leads to (transferred credit that
    exempts no component is recorded against it)."""
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    total_credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    category_credits: Mapped[dict[str, str]] = mapped_column(JSON)
    min_level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    cap_per_source_item: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    cap_programme_credits: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    cap_programme_share: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    cap_per_year: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    cap_per_issuer: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    reverse_on_withdrawal: Mapped[bool]
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProgrammeComponentRow(Base):
    __tablename__ = "programme_components"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    category: Mapped[str] = mapped_column(String(64))
    mandatory: Mapped[bool]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id"))


class RuleRow(Base):
    """One version of a conversion rule, as drafted. Never changed."""

    __tablename__ = "conversion_rules"
    __table_args__ = (
        UniqueConstraint("programme_id", "code", "version"),
        UniqueConstraint("id", "drafted_by_user_id"),
        Index("ix_conversion_rules_public_id", "public_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    """The id of the version's log entries (record schema 2, ADR 0017)."""
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Sources, targets and conditions, as JSON (see ``conversion.rule_store.spec_of``)."""
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    drafted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RuleEventRow(Base):
    """What happened to a rule version: submitted, approved, rejected, withdrawn, retired."""

    __tablename__ = "conversion_rule_events"
    __table_args__ = (
        UniqueConstraint("rule_id", "kind"),
        ForeignKeyConstraint(
            ["rule_id", "author_user_id"],
            ["conversion_rules.id", "conversion_rules.drafted_by_user_id"],
            name="fk_conversion_rule_events_rule_author",
        ),
        CheckConstraint(
            "kind NOT IN ('approved', 'rejected') OR by_user_id <> author_user_id",
            name="four_eyes",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(index=True)
    author_user_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date | None] = mapped_column(Date)
    """A retirement's first day without the rule."""
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConversionRow(Base):
    """A learner's request to convert credits toward a programme, as the engine proposed it."""

    __tablename__ = "conversions"
    __table_args__ = (
        Index("ix_conversions_learner_id_programme_id", "learner_id", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total: Mapped[Decimal] = mapped_column(Numeric(5, 1))


class ConversionGrantRow(Base):
    """One target of a conversion: the rule version, the credits allowed and granted, and why."""

    __tablename__ = "conversion_grants"
    __table_args__ = (UniqueConstraint("conversion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversion_id: Mapped[int] = mapped_column(ForeignKey("conversions.id"), index=True)
    position: Mapped[int]
    rule_id: Mapped[int] = mapped_column(ForeignKey("conversion_rules.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    component: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    allowed: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    granted: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    cut_by: Mapped[str] = mapped_column(String(80))
    """The caps that cut the amount, comma-separated (empty when none did)."""
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The engine's explanation: a message template and its parameters."""
    source_item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    source_institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))


class ConversionSourceRow(Base):
    __tablename__ = "conversion_grant_sources"

    grant_id: Mapped[int] = mapped_column(ForeignKey("conversion_grants.id"), primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), primary_key=True, index=True)


class ConversionEventRow(Base):
    """What happened to a conversion: confirmed, declined, flagged for review, reversed."""

    __tablename__ = "conversion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversion_id: Mapped[int] = mapped_column(ForeignKey("conversions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(254))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    """A flag's or automatic reversal's cause: the source outcome revoked or superseded."""
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimRow(Base):
    """A source outcome in use by an active conversion toward a programme (working state)."""

    __tablename__ = "conversion_claims"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), primary_key=True)
    conversion_id: Mapped[int] = mapped_column(ForeignKey("conversions.id"), index=True)


class ConversionLockRow(Base):
    """Serialises conversion requests of one learner toward one programme (working state)."""

    __tablename__ = "conversion_locks"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    requests: Mapped[int]


class IdempotencyKeyRow(Base):
    """A request sent with an ``Idempotency-Key`` and the answer it got (working state)."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Who sent it (``user:17``): keys of different callers never collide."""
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the method, path and canonical body."""
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
