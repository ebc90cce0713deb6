"""The HTTP shapes of the occupations (what the API answers, and ``--json`` prints)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from creditbank.occupations.importing import ImportReport
from creditbank.occupations.search import Hit
from creditbank.occupations.views import OccupationDetail, Related
from creditbank.skills.api import RequiredSkill


class RelatedRead(BaseModel):
    """A group above an occupation, or what lies below a group."""

    code: str
    name: str

    @classmethod
    def of(cls, related: Related) -> RelatedRead:
        return cls(code=related.code, name=related.name)


class SourceRead(BaseModel):
    """The provenance of an occupation: the import that last set it."""

    source: str
    version: str
    licence: str
    file_name: str
    sha256: str
    imported_at: datetime


class OccupationRead(BaseModel):
    """An occupation or group of the classification."""

    code: str = Field(
        description="China's 2022 code, or another classification's with its scheme "
        "(ESCO:2512.4, ONET:15-1252.00).",
        examples=["4-08-08-23", "ESCO:2512.4", "ONET:15-1252.00"],
    )
    level: int = Field(description="1 major group, 2 middle group, 3 minor group, 4 occupation.")
    name: str = Field(examples=["建筑信息模型技术员"])
    name_en: str | None = None
    marks: str = Field(description="The 2022 edition's marks: L green, S digital, L/S both.")
    definition: str
    tasks: str
    aliases: list[str]
    parent_codes: list[str] = Field(description="The groups above it, the broadest first.")


class OccupationSkillRead(BaseModel):
    """A skill the occupation requires (``GET /api/v1/skills/{id}`` shows it whole)."""

    id: int
    uri: str = Field(examples=["urn:creditbank:csco2022:4-08-08-23:task:1"])
    name: str
    name_en: str | None = None
    kind: str = Field(description="task, skill, knowledge or competence.")
    relation: str = Field(description="essential or optional.")
    importance: float | None = Field(
        default=None, description="1..5 where the source gives one (O*NET), else null."
    )
    level: float | None = Field(
        default=None,
        description="The level it is needed at, 0..7, where the source gives one (O*NET), "
        "else null.",
    )

    @classmethod
    def of(cls, required: RequiredSkill) -> OccupationSkillRead:
        skill, importance = required.skill, required.importance
        return cls(
            id=skill.id,
            uri=skill.uri,
            name=skill.name,
            name_en=skill.name_en,
            kind=skill.kind,
            relation=required.relation,
            importance=float(importance) if importance is not None else None,
            level=float(required.level) if required.level is not None else None,
        )


class OccupationDetailRead(OccupationRead):
    """An occupation with its groups' names, what lies directly below it, its provenance and
    the skills it requires (essential first)."""

    parents: list[RelatedRead]
    children: list[RelatedRead]
    source: SourceRead
    skills: list[OccupationSkillRead] = Field(default_factory=list)
    uri: str | None = Field(
        default=None, description="Its URI in its source, where given (ESCO's conceptUri)."
    )

    @classmethod
    def of(
        cls, detail: OccupationDetail, skills: Sequence[RequiredSkill] = ()
    ) -> OccupationDetailRead:
        o = detail.occupation
        return cls(
            code=o.code,
            level=int(o.level),
            name=o.name,
            name_en=o.name_en,
            marks=o.marks,
            definition=o.definition,
            tasks=o.tasks,
            aliases=list(o.aliases),
            parent_codes=list(o.parents),
            parents=[RelatedRead.of(p) for p in detail.parents],
            children=[RelatedRead.of(c) for c in detail.children],
            source=SourceRead(
                source=detail.source.source,
                version=detail.source.version,
                licence=detail.source.licence,
                file_name=detail.source.file_name,
                sha256=detail.source.sha256,
                imported_at=detail.source.imported_at,
            ),
            skills=[OccupationSkillRead.of(required) for required in skills],
            uri=o.uri,
        )


class OccupationHitRead(BaseModel):
    """An occupation found by a search, its score and why."""

    code: str
    level: int
    name: str
    name_en: str | None = None
    score: float = Field(description="0..1: character TF-IDF fused with BM25 over words.")
    matched: str = Field(description="The name or alias that matched best.")
    matched_words: list[str]
    matched_characters: list[str]

    @classmethod
    def of(cls, hit: Hit) -> OccupationHitRead:
        o = hit.occupation
        return cls(
            code=o.code,
            level=int(o.level),
            name=o.name,
            name_en=o.name_en,
            score=hit.score,
            matched=hit.matched,
            matched_words=list(hit.matched_words),
            matched_characters=list(hit.matched_characters),
        )


class OccupationSearchRead(BaseModel):
    """The occupations found for a query, best first."""

    q: str
    hits: list[OccupationHitRead]


class ImportReportRead(BaseModel):
    """What an import did."""

    import_id: int | None = Field(description="The provenance stored; null: nothing changed.")
    sha256: str
    added: int
    changed: int
    unchanged: int

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportRead:
        return cls(
            import_id=report.import_id,
            sha256=report.sha256,
            added=report.added,
            changed=report.changed,
            unchanged=report.unchanged,
        )
