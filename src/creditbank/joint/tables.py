"""Tables of joint certification; private to the area.

- ``joint_schemes``: a scheme, its names and the assessment's result levels (comma-joined).
- ``joint_participants``: each body of a scheme, its item and its level mapping
  (``result=level,...``), one per institution.
- ``joint_results``: an assessment's outcome deposited under a scheme (its record id, once per
  scheme), and ``joint_result_outcomes`` the outcome it made at each body (each outcome once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class JointSchemeRow(Base):
    __tablename__ = "joint_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    result_levels: Mapped[str] = mapped_column(Text)
    defined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    defined_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class JointParticipantRow(Base):
    __tablename__ = "joint_participants"
    __table_args__ = (UniqueConstraint("scheme_id", "institution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("joint_schemes.id"), index=True)
    institution: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
    levels: Mapped[str] = mapped_column(Text)


class JointResultRow(Base):
    __tablename__ = "joint_results"
    __table_args__ = (UniqueConstraint("scheme_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("joint_schemes.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(64))
    deposited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JointResultOutcomeRow(Base):
    __tablename__ = "joint_result_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("joint_results.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32), unique=True)
    """The outcome's public id."""
    institution: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
