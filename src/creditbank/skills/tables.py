"""Tables of the skills, private to the skills area.

- ``skill_imports``: each import that changed something, its provenance (as ``occupation_imports``):
  the source's name, version and licence, the file's name and sha256, when and by whom, and how
  many skills it added and changed and how many links to occupations it added or changed.
- ``skills``: one row per skill, by a global and stable ``uri``: its name (in the source's
  language), English name where known, description, kind (task, skill, knowledge, competence)
  and the import that last set it.
- ``occupation_skills``: what an occupation requires: the skill, essential or optional, its
  importance (1..5) and level (0..7) where the source gives them (O*NET), and the import that
  last set the link.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

URI_LENGTH = 300
NAME_LENGTH = 500
KIND_LENGTH = 16
RELATION_LENGTH = 16


class SkillImportRow(Base):
    __tablename__ = "skill_imports"

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
    linked: Mapped[int] = mapped_column(Integer)


class SkillRow(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(URI_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    import_id: Mapped[int] = mapped_column(ForeignKey("skill_imports.id"), index=True)


class OccupationSkillRow(Base):
    __tablename__ = "occupation_skills"

    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupations.code"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(RELATION_LENGTH))
    importance: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    level: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    import_id: Mapped[int] = mapped_column(ForeignKey("skill_imports.id"), index=True)
