"""Persistence of the 1+X operations: X certificates' profiles, pilot schools' offerings,
teachers' trainings, assessment sessions, their candidates and their results.

Every table holds facts, appended and never edited (migration 0012 refuses UPDATE and DELETE
on them). A profile or an offering is changed by appending a newer row (the newest counts);
a session, a registration, a training and a result are written once. A result points at the
outcome its candidate received (None for a failed candidate) and at the deposit batch that
carried it; one registration has at most one result (a unique key).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class ProfileRow(Base):
    """A version of what the provider says of an X certificate (the newest counts)."""

    __tablename__ = "xcert_profiles"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    version: Mapped[int]
    industry: Mapped[str] = mapped_column(Text)
    industry_en: Mapped[str] = mapped_column(Text)
    valid_years: Mapped[int | None]
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfferingRow(Base):
    """A pilot school's offering of one level of an X certificate, as the provider declared it
    (the newest row of a school, item and level counts; ``active`` False ends it)."""

    __tablename__ = "xcert_offerings"
    __table_args__ = (Index("ix_xcert_offerings_item_school", "item_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))
    assessment_centre: Mapped[bool]
    active: Mapped[bool]
    declared_by: Mapped[str] = mapped_column(String(254))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrainingRow(Base):
    """A teacher's completed training for an X certificate (e.g. the provider's 5-day course)."""

    __tablename__ = "xcert_trainings"
    __table_args__ = (Index("ix_xcert_trainings_user_item", "user_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    course: Mapped[str] = mapped_column(Text)
    days: Mapped[int]
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """An assessment session: an assessment centre, one level of an X certificate, a day."""

    __tablename__ = "xcert_sessions"
    __table_args__ = (
        UniqueConstraint("item_id", "framework_level_id", "centre_id", "held_on"),
        Index("ix_xcert_sessions_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    held_on: Mapped[date] = mapped_column(Date)
    scheduled_by: Mapped[str] = mapped_column(String(254))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistrationRow(Base):
    """A candidate registered for a session (once), with the fee-exemption flag."""

    __tablename__ = "xcert_registrations"
    __table_args__ = (UniqueConstraint("session_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("xcert_sessions.id"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    fee_exempt: Mapped[bool]
    """A student from a family with financial difficulties: no assessment fee."""
    registered_by: Mapped[str] = mapped_column(String(254))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ResultRow(Base):
    """A registered candidate's result: marks, the scheme version that weighed them, the
    assessor in whose name they were recorded, and the outcome a pass deposited."""

    __tablename__ = "xcert_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("xcert_registrations.id"), unique=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id"))
    marks: Mapped[dict[str, str]] = mapped_column(JSON)
    weighted: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool]
    assessor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("deposit_batches.id"))
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
