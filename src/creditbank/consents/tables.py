"""Persistence of consents and shares.

``consents`` rows are never deleted and never changed but for ``withdrawn_at``:
the learner's history of consents stays whole. A share keeps only the digest of
its token (the link is shown to the learner once), and the outcomes it shows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class ConsentRow(Base):
    """A learner's consent that an institution's staff read their whole record."""

    __tablename__ = "consents"
    __table_args__ = (
        Index(  # one active consent per learner and institution (migration 0015)
            "uq_consents_active_learner_institution",
            "learner_id",
            "institution_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    scope: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShareRow(Base):
    """A secret link to some of a learner's outcomes, for a verifier."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    views: Mapped[int]
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShareOutcomeRow(Base):
    """One outcome a share shows."""

    __tablename__ = "share_outcomes"

    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"), primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), primary_key=True)
