"""The HTTP shapes of the skills (what the API answers, and ``--json`` prints)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from creditbank.skills.importing import ImportReport
from creditbank.skills.model import RequiredSkill, Skill
from creditbank.skills.suggest import SkillHit
from creditbank.skills.views import SkillDetail


class SkillRead(BaseModel):
    """A skill: its global URI, names, description, kind and its import's source."""

    id: int
    uri: str = Field(examples=["urn:creditbank:csco2022:4-08-08-23:task:1"])
    name: str
    name_en: str | None = None
    description: str
    kind: str = Field(description="task, skill, knowledge or competence.")
    source: str = Field(description="The source of the import that last set it.")

    @classmethod
    def of(cls, skill: Skill) -> SkillRead:
        return cls(
            id=skill.id,
            uri=skill.uri,
            name=skill.name,
            name_en=skill.name_en,
            description=skill.description,
            kind=skill.kind,
            source=skill.source,
        )


class RequiredSkillRead(SkillRead):
    """A skill an occupation requires, and how."""

    relation: str = Field(description="essential or optional.")
    importance: float | None = Field(
        default=None, description="1..5 where the source gives one (O*NET), else null."
    )

    @classmethod
    def required(cls, required: RequiredSkill) -> RequiredSkillRead:
        importance = required.importance
        return cls(
            **SkillRead.of(required.skill).model_dump(),
            relation=required.relation,
            importance=float(importance) if importance is not None else None,
        )


class RequiringOccupationRead(BaseModel):
    """An occupation that requires a skill, and how."""

    code: str
    name: str
    name_en: str | None = None
    relation: str
    importance: float | None = None


class SkillSourceRead(BaseModel):
    """The provenance of a skill: the import that last set it."""

    source: str
    version: str
    licence: str
    file_name: str
    sha256: str
    imported_at: datetime


class SkillDetailRead(SkillRead):
    """A skill with the occupations requiring it and its provenance."""

    occupations: list[RequiringOccupationRead]
    provenance: SkillSourceRead

    @classmethod
    def detail(cls, detail: SkillDetail) -> SkillDetailRead:
        source = detail.source
        return cls(
            **SkillRead.of(detail.skill).model_dump(),
            occupations=[
                RequiringOccupationRead(
                    code=o.code,
                    name=o.name,
                    name_en=o.name_en,
                    relation=o.relation,
                    importance=float(o.importance) if o.importance is not None else None,
                )
                for o in detail.occupations
            ],
            provenance=SkillSourceRead(
                source=source.source,
                version=source.version,
                licence=source.licence,
                file_name=source.file_name,
                sha256=source.sha256,
                imported_at=source.imported_at,
            ),
        )


class SkillHitRead(SkillRead):
    """A skill found by a search, its score and why."""

    score: float = Field(description="0..1.")
    matched_words: list[str]
    matched_characters: list[str]
    via: str | None = Field(
        default=None, description="An occupation's code when found through that occupation."
    )

    @classmethod
    def hit(cls, found: SkillHit) -> SkillHitRead:
        return cls(
            **SkillRead.of(found.skill).model_dump(),
            score=found.score,
            matched_words=list(found.matched_words),
            matched_characters=list(found.matched_characters),
            via=found.via,
        )


class SkillSearchRead(BaseModel):
    """The skills found for a query, best first."""

    q: str
    hits: list[SkillHitRead]


class SkillImportReportRead(BaseModel):
    """What an import of skills did."""

    import_id: int | None = Field(description="The provenance stored; null: nothing changed.")
    sha256: str
    added: int
    changed: int
    unchanged: int
    linked: int = Field(description="Links to occupations added or changed.")

    @classmethod
    def of(cls, report: ImportReport) -> SkillImportReportRead:
        return cls(
            import_id=report.import_id,
            sha256=report.sha256,
            added=report.added,
            changed=report.changed,
            unchanged=report.unchanged,
            linked=report.linked,
        )
