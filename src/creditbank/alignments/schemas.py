"""The HTTP shapes of the alignments to skills (pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from creditbank.alignments.drafting import Proposal
from creditbank.alignments.model import MAX_NOTE, MAX_SKILLS, AlignmentStatus
from creditbank.alignments.store import AlignmentVersion
from creditbank.ledger.schemas import ReceiptRead
from creditbank.web.formats import UtcDateTime


class AlignmentCreate(BaseModel):
    item: str = Field(
        max_length=140, description="The catalogue item, OWNER:CODE (a bare CODE: your own)."
    )
    level: str | None = Field(
        default=None,
        max_length=64,
        description="A level code of the item (an X certificate's 初级, 中级...); none: any level.",
    )
    skills: list[str] = Field(
        min_length=1, max_length=MAX_SKILLS, description="The skills, by their URIs."
    )
    note: str = Field(default="", max_length=MAX_NOTE)


class AlignmentDecision(BaseModel):
    reason: str = Field(default="", max_length=500)


class AlignmentRetirement(BaseModel):
    reason: str = Field(max_length=500)


class AlignedSkillRead(BaseModel):
    id: int
    uri: str
    name: str


class AlignmentEventRead(BaseModel):
    kind: AlignmentStatus
    by: str
    reason: str
    at: UtcDateTime


class AlignmentRead(BaseModel):
    id: int
    item: str = Field(description="OWNER:CODE.")
    item_name: str
    institution: str
    level: str | None = Field(description="FRAMEWORK@VERSION:LEVEL; null: any level of the item.")
    level_code: str | None
    version: int
    status: AlignmentStatus
    in_force: bool
    skills: list[AlignedSkillRead]
    note: str
    author: str
    drafted_at: UtcDateTime
    history: list[AlignmentEventRead]
    receipt: ReceiptRead | None = None

    @classmethod
    def of(cls, version: AlignmentVersion) -> AlignmentRead:
        return cls(
            id=version.id,
            item=version.item,
            item_name=version.item_name,
            institution=version.institution,
            level=version.level,
            level_code=version.level_code,
            version=version.version,
            status=version.status,
            in_force=version.in_force,
            skills=[AlignedSkillRead(id=s.id, uri=s.uri, name=s.name) for s in version.skills],
            note=version.note,
            author=version.author,
            drafted_at=version.drafted_at,
            history=[
                AlignmentEventRead(kind=e.kind, by=e.by, reason=e.reason, at=e.at)
                for e in version.history
            ],
            receipt=ReceiptRead.of(version.receipt),
        )


class ProposedSkillRead(BaseModel):
    id: int
    uri: str
    name: str
    name_en: str | None
    score: float = Field(description="0..1, best first.")
    matched_words: list[str]
    matched_characters: list[str]
    via: str | None = Field(description="The occupation the skill was found through, if any.")


class ProposalRead(BaseModel):
    item: str
    item_name: str
    item_name_en: str
    kind: str
    levels: list[str]
    level: str | None
    proposed: list[ProposedSkillRead]
    in_force: AlignmentRead | None
    open: AlignmentRead | None

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalRead:
        return cls(
            item=proposal.item,
            item_name=proposal.item_name,
            item_name_en=proposal.item_name_en,
            kind=proposal.kind,
            levels=list(proposal.levels),
            level=proposal.level,
            proposed=[
                ProposedSkillRead(
                    id=hit.skill.id,
                    uri=hit.skill.uri,
                    name=hit.skill.name,
                    name_en=hit.skill.name_en,
                    score=round(hit.score, 4),
                    matched_words=list(hit.matched_words),
                    matched_characters=list(hit.matched_characters),
                    via=hit.via,
                )
                for hit in proposal.hits
            ],
            in_force=None if proposal.in_force is None else AlignmentRead.of(proposal.in_force),
            open=None if proposal.open is None else AlignmentRead.of(proposal.open),
        )
