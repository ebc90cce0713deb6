"""Persistence of competence standards, assessment schemes, certifications of teachers and
assessors, and accreditation applications.

Facts are appended, never edited (migration 0011 refuses UPDATE and DELETE on them): a
standard version and its units, a scheme version and its components, a certification, an
application's events, marks, decisions and confirmations. One table is working state:
``accreditation_applications`` keeps each application's current state, assessor and due
date so that a centre's queue is one indexed query; every change to it is also an event.

Four eyes is enforced by the database too: a confirmation carries the decision's assessor
(a composite foreign key makes it the true one) and a CHECK refuses it when the confirmer
is that assessor.
"""

from __future__ import annotations

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


class StandardRow(Base):
    """A version of a competence standard."""

    __tablename__ = "competence_standards"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    industry: Mapped[str] = mapped_column(Text)
    occupation: Mapped[str] = mapped_column(Text)
    framework: Mapped[str] = mapped_column(String(32))
    framework_version: Mapped[int]
    """The framework version the units' levels are pinned in (the one in force on import)."""
    valid_from: Mapped[date] = mapped_column(Date)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(254))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StandardUnitRow(Base):
    """A unit of a standard version. Its awardable form is a catalogue item of kind
    ``accreditation_unit`` (one per unit code, shared by the versions that keep its level
    and credits)."""

    __tablename__ = "standard_units"
    __table_args__ = (UniqueConstraint("standard_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("competence_standards.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    statements: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    criteria: Mapped[list[str]] = mapped_column(JSON)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id"))


class SchemeRow(Base):
    """A version of the assessment scheme of one level of one item (a unit, an X certificate)."""

    __tablename__ = "assessment_schemes"
    __table_args__ = (UniqueConstraint("item_id", "framework_level_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    framework_level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id"))
    version: Mapped[int]
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchemeComponentRow(Base):
    __tablename__ = "assessment_scheme_components"
    __table_args__ = (
        UniqueConstraint("scheme_id", "kind"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    weight: Mapped[int]
    pass_mark: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))


class CertificationRow(Base):
    """A person certified as a teacher or as an assessor of an item (at one level, or at all
    its levels when ``framework_level_id`` is null), for a window of dates.

    ``person_hmac`` is the identity index (HMAC) of the person's identity number, so that a
    learner can never be assigned as the assessor of their own application; the number itself
    is not kept.
    """

    __tablename__ = "certifications"
    __table_args__ = (
        Index("ix_certifications_user_item", "user_id", "item_id"),
        CheckConstraint("valid_until >= valid_from", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    framework_level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    person_hmac: Mapped[str] = mapped_column(String(64), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    training: Mapped[str] = mapped_column(Text)
    """The training that led to it (e.g. the provider's 5-day course), as the certifier says."""
    certified_by: Mapped[str] = mapped_column(String(254))
    certified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApplicationRow(Base):
    """An application for accreditation: what is asked, and (working state) where it stands."""

    __tablename__ = "accreditation_applications"
    __table_args__ = (Index("ix_accreditation_applications_queue", "centre_id", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("standard_units.id"))
    setting: Mapped[str] = mapped_column(String(16))
    statement: Mapped[str] = mapped_column(Text)
    taught_by_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    """The institution where the learning took place, if any (its staff may not assess it)."""
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    """The institution that applied for the learner (None: the learner applied)."""
    applied_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # working state, also recorded as events
    state: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date)
    round: Mapped[int]
    """1 for the first assessment, 2 for the appeal."""
    assessor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))


class ApplicationEvidenceRow(Base):
    __tablename__ = "accreditation_evidence"
    __table_args__ = (UniqueConstraint("application_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_applications.id"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_files.sha256"))
    name: Mapped[str] = mapped_column(String(200))
    """What the evidence is, as the applicant describes it (not the uploaded file's name)."""
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApplicationEventRow(Base):
    """A step taken on an application: who, when, from which state to which, and why."""

    __tablename__ = "accreditation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_applications.id"), index=True
    )
    step: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(254))
    """An e-mail address of staff, or ``learner`` when the learner took the step."""
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MarkRow(Base):
    """The marks an assessor recorded in one round; a later row of the same round replaces
    an earlier one (the assessor corrected a mark before deciding)."""

    __tablename__ = "accreditation_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_applications.id"), index=True
    )
    round: Mapped[int]
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id"))
    assessor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marks: Mapped[dict[str, str]] = mapped_column(JSON)
    weighted: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    """An assessor's decision, waiting for (or given) a second person's confirmation."""

    __tablename__ = "accreditation_decisions"
    __table_args__ = (UniqueConstraint("id", "assessor_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_applications.id"), index=True
    )
    round: Mapped[int]
    decision: Mapped[str] = mapped_column(String(16))
    mark_id: Mapped[int | None] = mapped_column(ForeignKey("accreditation_marks.id"))
    framework_level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    reasons: Mapped[str] = mapped_column(Text)
    assessor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConfirmationRow(Base):
    """A second person's word on a decision: agreed (the decision takes effect) or returned."""

    __tablename__ = "accreditation_confirmations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["decision_id", "assessor_user_id"],
            ["accreditation_decisions.id", "accreditation_decisions.assessor_user_id"],
        ),
        CheckConstraint("by_user_id <> assessor_user_id", name="four_eyes"),
    )

    decision_id: Mapped[int] = mapped_column(primary_key=True)
    assessor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agreed: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
