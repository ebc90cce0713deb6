"""Tables of the occupations, private to the occupations area.

- ``occupation_imports``: each import that changed something, its provenance: the source's name,
  version and licence (as the operator gave them), the file's name and sha256, when and by whom
  (the acting user's e-mail), and how many occupations it added and changed.
- ``occupations``: one row per code: level (1 major group .. 4 occupation), name, English name
  where known, the edition's marks (L green, S digital), definition, main tasks, the nearest
  group above it that the bank holds (``parent_code``), the import that last set it, and its URI
  in its source where the source gives one (ESCO's ``conceptUri``; unique). Codes of other
  classifications carry their scheme: ``ESCO:2512.4``, ``ONET:15-1252.00``.
- ``occupation_aliases``: one row per alias of an occupation (never its name).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

CODE_LENGTH = 16
URI_LENGTH = 300


class OccupationImportRow(Base):
    __tablename__ = "occupation_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    licence: Mapped[str] = mapped_column(String(1000))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(320))
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)


class OccupationRow(Base):
    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    marks: Mapped[str] = mapped_column(String(8))
    definition: Mapped[str] = mapped_column(Text)
    tasks: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("occupation_imports.id"), index=True)
    uri: Mapped[str | None] = mapped_column(String(URI_LENGTH), unique=True, index=True)


class OccupationAliasRow(Base):
    __tablename__ = "occupation_aliases"
    __table_args__ = (UniqueConstraint("code", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("occupations.code"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
