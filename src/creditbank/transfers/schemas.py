"""HTTP shapes of transfers: an import request, an imported package and its outcomes, a
recognition decision, a re-check's answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from creditbank.transfers.model import ImportStatus
from creditbank.transfers.recognition import Rechecked
from creditbank.transfers.terms import Terms
from creditbank.transfers.views import ImportedOutcome, Transfer
from creditbank.web.formats import UtcDateTime


class NewLearnerCreate(BaseModel):
    """A learner with no account here: the registrar opens one as the learner's papers say."""

    id_number: str = Field(min_length=1, max_length=64)
    id_type: Literal["resident_id", "passport"] | None = None
    name: str = Field(min_length=1, max_length=100)


class TransferCreate(BaseModel):
    """A package handed over for a learner (their account here, or ``new_learner`` to open
    one): the package itself, or its one-time link."""

    account_number: str = Field(default="", max_length=32)
    new_learner: NewLearnerCreate | None = None
    package: dict[str, Any] | None = Field(
        default=None, description="The transfer package (JSON), as the peer bank made it."
    )
    url: str | None = Field(
        default=None, max_length=2000, description="Or the package's one-time link."
    )


class ImportedOutcomeRead(BaseModel):
    id: str
    transfer: str
    account_number: str
    source: str = Field(description="The peer bank's log origin.")
    source_leaf_hash: str = Field(description="The leaf hash of the deposit in the peer's log.")
    source_leaf_index: int
    issuer: str = Field(description="The issuer's DID at the peer bank.")
    source_institution: str
    item_code: str
    item_kind: str
    item_name: str
    framework: str
    level: str
    credits: Decimal | None
    assessed_on: date
    status: ImportStatus
    decision: str | None
    decided_at: UtcDateTime | None
    reason: str
    recognised_by: str | None
    target_framework: str | None
    target_level: str | None
    outcome: str | None = Field(description="The outcome deposited here when recognised.")

    @classmethod
    def of(cls, one: ImportedOutcome) -> ImportedOutcomeRead:
        return cls(
            id=one.public_id,
            transfer=one.transfer,
            account_number=one.account_number,
            source=one.source,
            source_leaf_hash=one.leaf_hash,
            source_leaf_index=one.leaf_index,
            issuer=one.issuer,
            source_institution=one.source_institution,
            item_code=one.item_code,
            item_kind=one.item_kind,
            item_name=one.item_name,
            framework=one.framework,
            level=one.level,
            credits=one.credits,
            assessed_on=one.assessed_on,
            status=one.status,
            decision=one.decision,
            decided_at=one.decided_at,
            reason=one.reason,
            recognised_by=one.recognised_by,
            target_framework=one.target_framework,
            target_level=one.target_level,
            outcome=one.outcome,
        )


class TransferRead(BaseModel):
    id: str
    account_number: str
    source: str
    checkpoint_size: int
    made_at: UtcDateTime
    imported_at: UtcDateTime
    outcomes: list[ImportedOutcomeRead]

    @classmethod
    def of(cls, transfer: Transfer) -> TransferRead:
        return cls(
            id=transfer.public_id,
            account_number=transfer.account_number,
            source=transfer.source,
            checkpoint_size=transfer.checkpoint_size,
            made_at=transfer.made_at,
            imported_at=transfer.imported_at,
            outcomes=[ImportedOutcomeRead.of(one) for one in transfer.outcomes],
        )


class TransferLinkRead(BaseModel):
    link: str = Field(description="The one-time link: the peer bank fetches the package once.")
    expires: UtcDateTime


class RecognitionDecide(BaseModel):
    decision: Literal["recognise", "refuse"]
    institution: str | None = Field(
        default=None, max_length=64, description="Default: the officer's institution."
    )
    framework: str | None = Field(
        default=None, max_length=32, description="Default: the peer's framework, if held here."
    )
    level: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=500)


class RecognitionTermsCreate(BaseModel):
    source: str = Field(min_length=1, max_length=255, description="The peer bank's log origin.")
    institution: str = Field(
        min_length=1, max_length=64, description="The institution here that recognises."
    )
    automatic: bool = Field(default=False, description="Recognise on import, without a decision.")
    mapping: dict[str, str] = Field(
        default_factory=dict,
        max_length=500,
        description='The peer\'s level -> this bank\'s, e.g. {"NQF-A:5": "LOFOUC:5"}.',
    )


class RecognitionTermsRead(BaseModel):
    source: str
    institution: str
    automatic: bool
    mapping: dict[str, str]

    @classmethod
    def of(cls, terms: Terms) -> RecognitionTermsRead:
        return cls(
            source=terms.source,
            institution=terms.institution,
            automatic=terms.automatic,
            mapping=terms.mapping,
        )


class RecheckRead(BaseModel):
    checked: int
    revoked: list[str] = Field(description="Imported outcomes found revoked at their source.")
    unobtainable: int

    @classmethod
    def of(cls, rechecked: Rechecked) -> RecheckRead:
        return cls(
            checked=rechecked.checked,
            revoked=rechecked.revoked,
            unobtainable=rechecked.unobtainable,
        )
