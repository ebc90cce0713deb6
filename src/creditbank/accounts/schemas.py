"""JSON shapes of learners' accounts. Personal data goes in bodies only, never in URLs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.accounts.bulk import Batch, BatchStatus, render_errors
from creditbank.accounts.fields import FACT_FIELDS, FIELDS_BY_NAME
from creditbank.accounts.files import FileFormat
from creditbank.accounts.lifecycle import OutcomeEvent, OutcomeRecord
from creditbank.accounts.model import (
    MAX_REASON,
    MAX_SCORE,
    IdType,
    LearningSetting,
    OutcomeFacts,
    OutcomeStatus,
    Transfer,
)
from creditbank.accounts.outcomes import Outcome
from creditbank.accounts.service import PersonalData
from creditbank.catalog.api import ItemKind
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import Translate
from creditbank.web.formats import UtcDateTime


class LearnerCreate(BaseModel):
    id_number: str = Field(description="Resident identity number (GB 11643) or passport number.")
    id_type: IdType | None = Field(default=None, description="Inferred when omitted.")
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=200)


class AccountOpenedRead(BaseModel):
    account_number: str
    created: bool = Field(description="False when the learner already had an account.")


def _described(name: str) -> str | None:
    """The HTTP description of outcome field ``name`` (:mod:`creditbank.accounts.fields`)."""
    return FIELDS_BY_NAME[name].description


class OutcomeFactsCreate(BaseModel):
    """What an institution states about one learning outcome (its fields, their meanings and
    limits: :mod:`creditbank.accounts.fields`)."""

    record_id: str = Field(description=_described("record_id"))
    item_code: str = Field(description=_described("item_code"))
    level: str = Field(description=_described("level"))
    credits: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("999.9"),
        decimal_places=1,
        description=_described("credits"),
    )
    score: Decimal | None = Field(
        default=None, ge=0, le=MAX_SCORE, decimal_places=2, description=_described("score")
    )
    assessed_on: date = Field(description=_described("assessed_on"))
    setting: LearningSetting = Field(
        default=LearningSetting.FORMAL, description=_described("setting")
    )
    evidence_sha256: str | None = Field(default=None, description=_described("evidence_sha256"))

    def facts(self) -> OutcomeFacts:
        return OutcomeFacts(**self.model_dump(include=set(FACT_FIELDS)))


class OutcomeCreate(OutcomeFactsCreate):
    """One learning outcome, as an institution deposits it."""

    institution: str = Field(description="The issuing institution (owner of the item).")
    account_number: str


class OutcomeCorrection(OutcomeFactsCreate):
    """The corrected facts of an outcome, under a record_id of their own, and why."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why it is corrected.")


class RevocationCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why it is revoked.")


class VerificationCreate(BaseModel):
    reason: str = Field(
        default="",
        max_length=MAX_REASON,
        description="What the verification rests on, e.g. the issuer's own register.",
    )


class OutcomeLevelRead(BaseModel):
    framework: str
    version: int
    level: str
    name: str


class TransferRead(BaseModel):
    """What an outcome of transferred credit is: credits toward a programme, never the
    programme's award (or a course or certificate) as if earned."""

    conversion: str = Field(description="The conversion that granted the credit.")
    programme: str
    programme_name: str
    programme_name_en: str
    component: str | None = Field(description="The component exempted; null: elective credits.")
    component_name: str | None
    category: str
    rule: str = Field(description="The conversion rule's code.")
    rule_version: int
    sources: list[str] = Field(description="The outcomes the credit was transferred from.")

    @classmethod
    def of(cls, transfer: Transfer) -> TransferRead:
        return cls(
            conversion=transfer.conversion,
            programme=transfer.programme,
            programme_name=transfer.programme_name,
            programme_name_en=transfer.programme_name_en,
            component=transfer.component,
            component_name=transfer.component_name,
            category=transfer.category,
            rule=transfer.rule,
            rule_version=transfer.rule_version,
            sources=list(transfer.sources),
        )


class OutcomeRead(BaseModel):
    id: str = Field(description="The outcome's public id.")
    account_number: str
    institution: str
    record_id: str
    item_code: str
    item_owner: str = Field(description="The institution whose catalogue the item is in.")
    item_kind: ItemKind
    item_name: str
    level: OutcomeLevelRead
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: LearningSetting
    evidence_sha256: str | None
    status: OutcomeStatus
    deposited_at: UtcDateTime
    transfer: TransferRead | None = Field(
        default=None,
        description="Transferred credit only: toward which programme, under which rule version, "
        "from which outcomes. Such an outcome is credit, not the programme's award.",
    )

    @classmethod
    def of(cls, outcome: Outcome, language: str = "zh") -> OutcomeRead:
        return cls(
            id=outcome.public_id,
            account_number=outcome.account_number,
            institution=outcome.institution,
            record_id=outcome.record_id,
            item_code=outcome.item_code,
            item_owner=outcome.item_owner,
            item_kind=outcome.item_kind,
            item_name=outcome.item_name,
            level=OutcomeLevelRead(
                framework=outcome.level.framework,
                version=outcome.level.version,
                level=outcome.level.level.code,
                name=outcome.level.level.name.get(language),
            ),
            credits=outcome.credits,
            score=outcome.score,
            assessed_on=outcome.assessed_on,
            setting=outcome.setting,
            evidence_sha256=outcome.evidence_sha256,
            status=outcome.status,
            deposited_at=outcome.deposited_at,
            transfer=None if outcome.transfer is None else TransferRead.of(outcome.transfer),
        )


class OutcomeDepositedRead(OutcomeRead):
    """A deposited outcome and its receipt: where its deposit stands in the ledger."""

    receipt: ReceiptRead | None = Field(
        description="The deposit's log entry (leaf index and hash); its proof is at "
        "/api/v1/records/{id}/receipt."
    )


class OutcomeEventRead(BaseModel):
    kind: OutcomeStatus = Field(description="The status the event gave the outcome.")
    reason: str
    by: str = Field(description="The staff user who recorded it.")
    by_institution: str | None
    at: UtcDateTime
    replaced_by: str | None = Field(description="For a supersession: the correcting outcome.")

    @classmethod
    def of(cls, event: OutcomeEvent) -> OutcomeEventRead:
        return cls(
            kind=event.kind,
            reason=event.reason,
            by=event.by,
            by_institution=event.by_institution,
            at=event.at,
            replaced_by=event.replaced_by,
        )


class OutcomeDetailRead(OutcomeRead):
    """An outcome with its history: what happened to it, what it replaced, what replaced it."""

    replaces: str | None = Field(description="The outcome this one corrected.")
    replaced_by: str | None = Field(description="The outcome that corrected this one.")
    history: list[OutcomeEventRead]
    links: dict[str, str] = Field(description="URLs of this outcome and of those it is linked to.")
    receipt: ReceiptRead | None = Field(
        default=None,
        description="On the answer to a change: the change's log entry (leaf index and hash).",
    )

    @classmethod
    def of_record(cls, record: OutcomeRecord, language: str = "zh") -> OutcomeDetailRead:
        links = {
            "self": outcome_url(record.outcome.public_id),
            "receipt": f"/api/v1/records/{record.outcome.public_id}/receipt",
        }
        if record.replaces:
            links["replaces"] = outcome_url(record.replaces)
        if record.replaced_by:
            links["replaced_by"] = outcome_url(record.replaced_by)
        return cls(
            **OutcomeRead.of(record.outcome, language).model_dump(),
            replaces=record.replaces,
            replaced_by=record.replaced_by,
            history=[OutcomeEventRead.of(event) for event in record.history],
            links=links,
            receipt=ReceiptRead.of(record.receipt),
        )


def outcome_url(public_id: str) -> str:
    return f"/api/v1/outcomes/{public_id}"


class TranscriptRead(BaseModel):
    account_number: str
    outcomes: list[OutcomeRead]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class BatchErrorRead(BaseModel):
    line: int
    column: str
    reason: str


class BatchRead(BaseModel):
    id: str
    institution: str
    filename: str
    format: FileFormat
    status: BatchStatus
    rows: int
    deposited: int
    unchanged: int
    accounts_opened: int
    error_count: int = Field(description="All errors found; `errors` lists the first 1000.")
    errors: list[BatchErrorRead]
    created_at: UtcDateTime
    finished_at: UtcDateTime | None

    @classmethod
    def of(cls, batch: Batch, translate: Translate) -> BatchRead:
        return cls(
            id=batch.id,
            institution=batch.institution,
            filename=batch.filename,
            format=batch.format,
            status=batch.status,
            rows=batch.rows,
            deposited=batch.deposited,
            unchanged=batch.unchanged,
            accounts_opened=batch.accounts_opened,
            error_count=batch.error_count,
            errors=[
                BatchErrorRead(line=line, column=column, reason=reason)
                for line, column, reason in render_errors(batch, translate)
            ],
            created_at=batch.created_at,
            finished_at=batch.finished_at,
        )


class PersonalDataRead(BaseModel):
    """A learner's personal data: shown only on purpose, and every showing is audited."""

    name: str
    id_type: str
    id_number: str
    birth_date: str
    contact: str

    @classmethod
    def of(cls, data: PersonalData) -> PersonalDataRead:
        return cls(
            name=data.name,
            id_type=data.id_type,
            id_number=data.id_number,
            birth_date=data.birth_date,
            contact=data.contact,
        )


class AccountRead(TranscriptRead):
    """A whole transcript (every page) and, when asked for on purpose, the personal data."""

    personal_data: PersonalDataRead | None = None
