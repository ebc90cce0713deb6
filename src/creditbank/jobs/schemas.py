"""The HTTP shapes of jobs (what the API answers and takes, and ``--json`` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field

from creditbank.jobs.commands import MAX_SUGGESTIONS
from creditbank.jobs.model import (
    MAX_CERTIFICATES,
    MAX_DESCRIPTION,
    MAX_SKILLS,
    MAX_TITLE,
    Job,
    Relation,
)
from creditbank.jobs.postings import Suggestions
from creditbank.skills.api import Skill


class JobSkillCreate(BaseModel):
    uri: str = Field(max_length=300, examples=["urn:creditbank:csco2022:4-08-08-23:task:1"])
    relation: Relation = Relation.ESSENTIAL


class JobCreate(BaseModel):
    institution: str = Field(max_length=32, description="The enterprise's code.")
    title: str = Field(max_length=MAX_TITLE, examples=["BIM 建模工程师"])
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    language: str = Field(default="zh", max_length=8, description="zh or en.")
    region: str = Field(
        max_length=32, description="A provincial-level region: its name (上海) or code (CN-SH)."
    )
    occupation: str | None = Field(
        default=None, max_length=16, description="The confirmed occupation's code."
    )
    skills: list[JobSkillCreate] = Field(min_length=1, max_length=MAX_SKILLS)
    certificates: list[str] = Field(
        default=[],
        max_length=MAX_CERTIFICATES,
        description="Certificates asked for: OWNER:CODE or OWNER:CODE@LEVEL.",
    )


class SuggestCreate(BaseModel):
    title: str = Field(max_length=MAX_TITLE)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    limit: int = Field(default=10, ge=1, le=MAX_SUGGESTIONS)


class JobSkillRead(BaseModel):
    id: int
    uri: str
    name: str
    name_en: str | None = None
    relation: str = Field(description="essential or optional.")


class JobRead(BaseModel):
    id: int = Field(description="The job's id in this bank (its URL's).")
    public_id: str = Field(description="The job's global name (a uuid's hex).")
    institution: str
    institution_name: str
    title: str
    description: str
    language: str
    region: str = Field(description="An ISO 3166-2 code, e.g. CN-SH.")
    occupation: str | None
    skills: list[JobSkillRead]
    certificates: list[str]
    status: str = Field(description="open or closed.")
    posted_at: datetime
    posted_by: str
    closed_at: datetime | None = None

    @classmethod
    def of(cls, job: Job, skills: Mapping[int, Skill]) -> JobRead:
        return cls(
            id=job.id,
            public_id=job.public_id,
            institution=job.institution,
            institution_name=job.institution_name,
            title=job.title,
            description=job.description,
            language=job.language,
            region=job.region,
            occupation=job.occupation,
            skills=[
                JobSkillRead(
                    id=s.skill_id,
                    uri=skills[s.skill_id].uri,
                    name=skills[s.skill_id].name,
                    name_en=skills[s.skill_id].name_en,
                    relation=s.relation,
                )
                for s in job.skills
                if s.skill_id in skills
            ],
            certificates=list(job.certificates),
            status=job.status,
            posted_at=job.posted_at,
            posted_by=job.posted_by,
            closed_at=job.closed_at,
        )


class JobListRead(BaseModel):
    jobs: list[JobRead]


class OccupationSuggestionRead(BaseModel):
    code: str
    name: str
    name_en: str | None = None
    score: float
    matched: str = Field(description="The name or alias that matched best.")
    matched_words: list[str]


class SkillSuggestionRead(BaseModel):
    id: int
    uri: str
    name: str
    name_en: str | None = None
    kind: str
    score: float
    matched_words: list[str]
    relation: str = Field(description="What the bank proposes: essential or optional.")
    via: str | None = Field(description="The occupation it was found through, if any.")


class SuggestionsRead(BaseModel):
    occupations: list[OccupationSuggestionRead]
    skills: list[SkillSuggestionRead]

    @classmethod
    def of(cls, found: Suggestions) -> SuggestionsRead:
        return cls(
            occupations=[
                OccupationSuggestionRead(
                    code=o.code,
                    name=o.name,
                    name_en=o.name_en,
                    score=round(o.score, 4),
                    matched=o.matched,
                    matched_words=list(o.matched_words),
                )
                for o in found.occupations
            ],
            skills=[
                SkillSuggestionRead(
                    id=s.skill.id,
                    uri=s.skill.uri,
                    name=s.skill.name,
                    name_en=s.skill.name_en,
                    kind=s.skill.kind,
                    score=round(s.score, 4),
                    matched_words=list(s.matched_words),
                    relation=s.relation,
                    via=s.via,
                )
                for s in found.skills
            ],
        )
