"""JSON shapes of the bank's alliances (``*Create`` in, ``*Read`` out)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from creditbank.alliances.membership import AllianceChange
from creditbank.alliances.model import Alliance, AllianceEvent, AllianceStatus, Scope
from creditbank.alliances.views import Memberships
from creditbank.ledger.schemas import ReceiptRead
from creditbank.web.formats import UtcDateTime

MAX_CODES = 100


class ScopeRead(BaseModel):
    frameworks: list[str] = Field(description="Framework codes the agreement covers.")
    item_kinds: list[str] = Field(description="Kinds of catalogue item it covers.")
    valid_from: date
    valid_until: date | None

    @classmethod
    def of(cls, scope: Scope) -> ScopeRead:
        return cls(
            frameworks=list(scope.frameworks),
            item_kinds=list(scope.item_kinds),
            valid_from=scope.valid_from,
            valid_until=scope.valid_until,
        )


class AllianceCreate(BaseModel):
    code: str = Field(max_length=64, examples=["OU-MUTUAL"])
    name: str = Field(max_length=200, examples=["开放大学学习成果互认联盟"])
    name_en: str = Field(default="", max_length=200)
    members: list[str] = Field(max_length=200, description="The other member banks' log origins.")
    frameworks: list[str] = Field(default_factory=list, max_length=MAX_CODES)
    item_kinds: list[str] = Field(default_factory=list, max_length=MAX_CODES)
    valid_from: date
    valid_until: date | None = None


class AllianceLeave(BaseModel):
    reason: str = Field(max_length=500, description="Why this bank leaves the alliance.")


class AllianceEventRead(BaseModel):
    kind: AllianceStatus
    actor: str
    at: UtcDateTime
    reason: str

    @classmethod
    def of(cls, event: AllianceEvent) -> AllianceEventRead:
        return cls(kind=event.kind, actor=event.actor, at=event.at, reason=event.reason)


class MemberAllianceRead(BaseModel):
    code: str
    name: str
    name_en: str
    members: list[str] = Field(description="The other member banks' log origins.")
    agreement: ScopeRead

    @classmethod
    def of(cls, alliance: Alliance) -> MemberAllianceRead:
        return cls(
            code=alliance.code,
            name=alliance.name,
            name_en=alliance.name_en,
            members=list(alliance.members),
            agreement=ScopeRead.of(alliance.scope),
        )


class AllianceRead(MemberAllianceRead):
    id: int
    status: AllianceStatus
    version: int
    events: list[AllianceEventRead]
    receipt: ReceiptRead | None = None

    @classmethod
    def of_alliance(cls, alliance: Alliance, change: AllianceChange | None = None) -> AllianceRead:
        base = MemberAllianceRead.of(alliance)
        return cls(
            **base.model_dump(),
            id=alliance.id,
            status=alliance.status,
            version=alliance.version,
            events=[AllianceEventRead.of(e) for e in alliance.events],
            receipt=ReceiptRead.of(change.receipt) if change and change.receipt else None,
        )

    @classmethod
    def of_change(cls, change: AllianceChange) -> AllianceRead:
        return cls.of_alliance(change.alliance, change)


class MembershipsRead(BaseModel):
    bank: str = Field(description="This bank's log origin.")
    on: date = Field(description="The day the list holds for.")
    alliances: list[MemberAllianceRead]

    @classmethod
    def of(cls, memberships: Memberships) -> MembershipsRead:
        return cls(
            bank=memberships.bank,
            on=memberships.on,
            alliances=[MemberAllianceRead.of(a) for a in memberships.alliances],
        )
