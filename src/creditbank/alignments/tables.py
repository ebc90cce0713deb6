"""Tables of the alignments of catalogue items to skills, private to the alignments area.

- ``skill_alignment_subjects``: what is aligned: a catalogue item, at one of its framework levels
  or at any (``level_key`` 0); one row per subject, written on its first draft and locked by every
  change of its versions, so that drafts and decisions on one subject take their turns.
- ``skill_alignments``: one version of a subject's alignment, as drafted (never changed).
- ``skill_alignment_skills``: the skills of a version (never changed).
- ``skill_alignment_events``: what happened to a version: submitted, approved, rejected,
  withdrawn, retired. Four eyes is enforced by the database, as for conversion rules: an
  approval or rejection carries the version's author (a composite foreign key makes it the true
  author) and a CHECK refuses it when the decider is that author.
- ``aligned_skills``: working state, the skills of each subject's alignment in force (its newest
  approved version unless retired), replaced in the transaction that approves or retires; indexed
  on skill and on item for joins (``alignments.api.aligned_skills_select``).

Versions, their skills and their events are facts: UPDATE and DELETE are refused by triggers
(migration 0027).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class AlignmentSubjectRow(Base):
    """A catalogue item, at one framework level (``level_id``) or at any (None)."""

    __tablename__ = "skill_alignment_subjects"
    __table_args__ = (UniqueConstraint("item_id", "level_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    level_key: Mapped[int]
    """``level_id``, or 0 for any level: NULLs are distinct to a unique constraint."""


class AlignmentRow(Base):
    """One version of a subject's alignment to skills, as drafted. Never changed."""

    __tablename__ = "skill_alignments"
    __table_args__ = (
        UniqueConstraint("subject_id", "version"),
        UniqueConstraint("id", "drafted_by_user_id"),
        Index("ix_skill_alignments_public_id", "public_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    """The id of the version's log entries (record schema 2, ADR 0017)."""
    subject_id: Mapped[int] = mapped_column(ForeignKey("skill_alignment_subjects.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    version: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    drafted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlignmentSkillRow(Base):
    """A skill of a version, in the order it was drafted. Never changed."""

    __tablename__ = "skill_alignment_skills"

    alignment_id: Mapped[int] = mapped_column(ForeignKey("skill_alignments.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True, index=True)
    position: Mapped[int]
    uri: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(500))
    """The skill's URI and name as drafted: what an approval commits to, whatever a later
    import of the skills renames."""


class AlignmentEventRow(Base):
    """What happened to a version: submitted, approved, rejected, withdrawn, retired."""

    __tablename__ = "skill_alignment_events"
    __table_args__ = (
        UniqueConstraint("alignment_id", "kind"),
        ForeignKeyConstraint(
            ["alignment_id", "author_user_id"],
            ["skill_alignments.id", "skill_alignments.drafted_by_user_id"],
            name="fk_skill_alignment_events_alignment_author",
        ),
        CheckConstraint(
            "kind NOT IN ('approved', 'rejected') OR by_user_id <> author_user_id",
            name="four_eyes",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(index=True)
    author_user_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlignedSkillRow(Base):
    """A skill of a subject's alignment in force (working state, replaced on approval)."""

    __tablename__ = "aligned_skills"

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("skill_alignment_subjects.id"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    level_id: Mapped[int | None] = mapped_column(ForeignKey("framework_levels.id"))
    alignment_id: Mapped[int] = mapped_column(ForeignKey("skill_alignments.id"))
