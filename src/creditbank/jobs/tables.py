"""Tables of the jobs area, private to it.

- ``jobs``: a job an enterprise posted: title, description, language, region (ISO 3166-2 code),
  the confirmed occupation (or none), its status (``open`` until closed; closing is a
  conditional update on the status, so of two closings one wins), who posted and closed it.
- ``job_skills``: the skills the employer kept for the job, essential or optional.
- ``job_certificates``: the certificates the job asks for, as ``OWNER:CODE`` or
  ``OWNER:CODE@LEVEL``.
- ``matching_consents``: a learner's consents to be matched to jobs, kept as history (never
  deleted; a withdrawal sets ``withdrawn_at``); at most one active per learner, a unique index
  on the learner over the rows not withdrawn.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

TITLE_LENGTH = 200
DESCRIPTION_LENGTH = 20_000
REGION_LENGTH = 16
CERTIFICATE_LENGTH = 120


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("language IN ('zh', 'en')", name="language"),
        CheckConstraint(
            "(status = 'open' AND closed_at IS NULL)"
            " OR (status = 'closed' AND closed_at IS NOT NULL)",
            name="closed_when_closed",
        ),
        Index("ix_jobs_status_region", "status", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(REGION_LENGTH))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"))
    status: Mapped[str] = mapped_column(String(16))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    posted_by: Mapped[str] = mapped_column(String(320))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(320))


class JobSkillRow(Base):
    __tablename__ = "job_skills"
    __table_args__ = (CheckConstraint("relation IN ('essential', 'optional')", name="relation"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(16))


class JobCertificateRow(Base):
    __tablename__ = "job_certificates"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    certificate: Mapped[str] = mapped_column(String(CERTIFICATE_LENGTH), primary_key=True)


class MatchingConsentRow(Base):
    """A learner's consent to be matched to jobs: employers then see them among a job's
    matches (name, account number, the share of the job's skills covered, which outcomes)."""

    __tablename__ = "matching_consents"
    __table_args__ = (
        Index(  # one active consent per learner (migration 0028)
            "uq_matching_consents_active_learner",
            "learner_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
