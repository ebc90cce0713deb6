"""Persistence of evidence files: the bytes once per content hash, and who uploaded them.

Stored in the database (on SQLite and PostgreSQL alike) so that a backup of the
database is a backup of the evidence, and a deposit and the file it names are
in one transactional store. Files are small (``CREDITBANK_EVIDENCE_MAX_BYTES``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class EvidenceFileRow(Base):
    """One file, by the SHA-256 of its bytes. Never updated or deleted."""

    __tablename__ = "evidence_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvidenceUploadRow(Base):
    """An institution that uploaded a file: it may name the file in its deposits."""

    __tablename__ = "evidence_uploads"
    __table_args__ = (UniqueConstraint("sha256", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_files.sha256"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
