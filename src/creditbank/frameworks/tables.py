"""Persistence of framework versions, their tracks and levels, and crosswalks.

Rows are written once and never updated: a change to a framework is a new
version with its own rows, so a record made under version 1 keeps pointing at
version 1's level row (``framework_levels.id``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from creditbank.db import Base


class FrameworkVersionRow(Base):
    __tablename__ = "framework_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int]
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(200))

    tracks: Mapped[list[FrameworkTrackRow]] = relationship(
        order_by="FrameworkTrackRow.position", cascade="all, delete-orphan"
    )
    levels: Mapped[list[FrameworkLevelRow]] = relationship(
        order_by="FrameworkLevelRow.position", cascade="all, delete-orphan"
    )


class FrameworkTrackRow(Base):
    __tablename__ = "framework_tracks"
    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    ordered: Mapped[bool]
    highest_first: Mapped[bool]


class FrameworkLevelRow(Base):
    __tablename__ = "framework_levels"
    __table_args__ = (UniqueConstraint("framework_version_id", "code_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id"), index=True
    )
    track_code: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))
    code_key: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    rank: Mapped[int]
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON)


class CrosswalkRow(Base):
    __tablename__ = "crosswalks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    from_framework: Mapped[str] = mapped_column(String(32))
    to_framework: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    note_zh: Mapped[str] = mapped_column(Text)
    note_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    pairs: Mapped[list[CrosswalkPairRow]] = relationship(
        order_by="CrosswalkPairRow.position", cascade="all, delete-orphan"
    )


class CrosswalkPairRow(Base):
    __tablename__ = "crosswalk_pairs"
    __table_args__ = (UniqueConstraint("crosswalk_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crosswalk_id: Mapped[int] = mapped_column(ForeignKey("crosswalks.id"), index=True)
    position: Mapped[int]
    from_level: Mapped[str] = mapped_column(String(32))
    to_level: Mapped[str] = mapped_column(String(32))
