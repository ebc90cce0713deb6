"""JSON shapes of competence standards and accreditation applications (``*Create`` in,
``*Read`` out). Reasons are rendered in the request's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.accreditation import certifications, schemes, standards
from creditbank.accreditation.applications import (
    Application,
    DecisionRecord,
    Event,
    EvidenceItem,
    Marks,
    QueueEntry,
)
from creditbank.accreditation.model import ComponentKind, Decision, Domain, ScoreResult, State
from creditbank.frameworks.api import PinnedLevel
from creditbank.ledger.schemas import ReceiptRead
from creditbank.web.formats import UtcDateTime
from creditbank.web.i18n import translations


def _hundredths(mark: Decimal) -> Decimal:
    """A mark as stored (two decimal places), whether it was just given or read back."""
    return mark.quantize(Decimal("0.01"))


class LevelRead(BaseModel):
    framework: str = Field(examples=["CLEQF"])
    version: int = Field(description="The framework version the level is pinned in.")
    level: str = Field(examples=["VE2"])

    @classmethod
    def of(cls, pinned: PinnedLevel) -> LevelRead:
        return cls(framework=pinned.framework, version=pinned.version, level=pinned.level.code)


class ComponentRead(BaseModel):
    kind: ComponentKind
    weight: int = Field(description="Whole percent; the weights of a scheme add up to 100.")
    pass_mark: Decimal | None = Field(description="The least mark of this component (or none).")


class SchemeRead(BaseModel):
    item: str = Field(description="The item assessed, as OWNER:CODE.")
    level: str
    version: int
    pass_mark: Decimal = Field(description="The weighted mark needed to pass.")
    components: list[ComponentRead]
    summary: str = Field(examples=["theory 20 / practice 80, pass 60"])

    @classmethod
    def of(cls, item: str, level: str, scheme: schemes.SchemeVersion) -> SchemeRead:
        return cls(
            item=item,
            level=level,
            version=scheme.version,
            summary=scheme.scheme.describe(),
            pass_mark=_hundredths(scheme.scheme.pass_mark),
            components=[
                ComponentRead(
                    kind=c.kind,
                    weight=c.weight,
                    pass_mark=None if c.pass_mark is None else _hundredths(c.pass_mark),
                )
                for c in scheme.scheme.components
            ],
        )


class StatementRead(BaseModel):
    domain: Domain
    text: str
    text_en: str


class EvidenceNeedRead(BaseModel):
    kind: str
    description: str
    required: bool


class UnitRead(BaseModel):
    code: str
    name: str
    name_en: str
    item: str = Field(description="The catalogue item a unit is awarded as (OWNER:CODE).")
    level: LevelRead
    credits: Decimal
    statements: list[StatementRead]
    criteria: list[str]
    evidence: list[EvidenceNeedRead]
    scheme: SchemeRead

    @classmethod
    def of(cls, unit: standards.Unit) -> UnitRead:
        item = f"{unit.item.institution}:{unit.item.code}"
        return cls(
            code=unit.code,
            name=unit.name,
            name_en=unit.name_en,
            item=item,
            level=LevelRead.of(unit.level),
            credits=unit.credits,
            statements=[
                StatementRead(domain=s.domain, text=s.text, text_en=s.text_en)
                for s in unit.statements
            ],
            criteria=list(unit.criteria),
            evidence=[
                EvidenceNeedRead(kind=e.kind, description=e.description, required=e.required)
                for e in unit.evidence
            ],
            scheme=SchemeRead.of(item, unit.level.level.code, unit.scheme),
        )


class StandardSummaryRead(BaseModel):
    code: str
    version: int
    institution: str = Field(description="The institution that owns the standard.")
    name: str
    name_en: str
    industry: str
    occupation: str
    framework: str
    valid_from: date
    units: int
    credits: Decimal = Field(description="The credits of all its units together.")

    @classmethod
    def of(cls, standard: standards.Standard) -> StandardSummaryRead:
        return cls(
            code=standard.code,
            version=standard.version,
            institution=standard.institution,
            name=standard.name,
            name_en=standard.name_en,
            industry=standard.industry,
            occupation=standard.occupation,
            framework=standard.framework,
            valid_from=standard.valid_from,
            units=len(standard.units),
            credits=sum((u.credits for u in standard.units), Decimal(0)),
        )


class StandardRead(BaseModel):
    code: str
    version: int
    institution: str
    name: str
    name_en: str
    industry: str
    occupation: str
    framework: str
    framework_version: int = Field(description="The framework version the units are pinned in.")
    valid_from: date
    source_sha256: str = Field(description="SHA-256 of the file the version was imported from.")
    units: list[UnitRead]

    @classmethod
    def of(cls, standard: standards.Standard) -> StandardRead:
        return cls(
            code=standard.code,
            version=standard.version,
            institution=standard.institution,
            name=standard.name,
            name_en=standard.name_en,
            industry=standard.industry,
            occupation=standard.occupation,
            framework=standard.framework,
            framework_version=standard.framework_version,
            valid_from=standard.valid_from,
            source_sha256=standard.source_sha256,
            units=[UnitRead.of(unit) for unit in standard.units],
        )


class CertificationRead(BaseModel):
    """A certification; the person's identity number is never part of it."""

    id: int
    email: str
    institution: str | None
    kind: str = Field(examples=["assessor"])
    item: str = Field(description="OWNER:CODE")
    level: str | None = Field(description="A level code, or null for every level of the item.")
    valid_from: date
    valid_until: date
    training: str
    certified_by: str

    @classmethod
    def of(cls, found: certifications.Certification) -> CertificationRead:
        return cls(
            id=found.id,
            email=found.email,
            institution=found.institution,
            kind=found.kind,
            item=found.item,
            level=found.level,
            valid_from=found.valid_from,
            valid_until=found.valid_until,
            training=found.training,
            certified_by=found.certified_by,
        )


class EvidenceRef(BaseModel):
    sha256: str = Field(description="The SHA-256 of an evidence file uploaded before.")
    name: str = Field(
        max_length=200,
        description="What the file is, e.g. 'employer's letter'.",
        examples=["单位出具的工作证明"],
    )


class ApplicationCreate(BaseModel):
    account_number: str
    centre: str = Field(description="The accreditation centre's institution code.")
    standard: str
    standard_version: int | None = Field(default=None, description="Default: the newest.")
    unit: str
    setting: str = Field(examples=["informal"], description="formal, non-formal or informal.")
    statement: str = Field(description="What was learned, where and how.")
    evidence: list[EvidenceRef]
    taught_by: str | None = Field(
        default=None, description="The institution where the learning took place, if any."
    )


class AssignBody(BaseModel):
    assessor: str = Field(description="The assessor's e-mail address.")


class MarksBody(BaseModel):
    marks: dict[str, Decimal] = Field(examples=[{"portfolio": 82, "interview": 75}])
    comment: str = ""


class DecideBody(BaseModel):
    decision: Decision
    credits: Decimal | None = Field(
        default=None, gt=0, decimal_places=1, description="Default: the unit's credits."
    )
    reasons: str = ""


class ConfirmBody(BaseModel):
    agree: bool = True
    reason: str = ""


class AppealBody(BaseModel):
    reason: str


class MoreEvidenceBody(BaseModel):
    evidence: list[EvidenceRef]
    note: str = ""


class ComponentResultRead(BaseModel):
    kind: str
    mark: Decimal
    weight: int
    pass_mark: Decimal | None
    passed: bool


class ResultRead(BaseModel):
    weighted: Decimal
    pass_mark: Decimal
    passed: bool
    components: list[ComponentResultRead]
    reasons: list[str]

    @classmethod
    def of(cls, result: ScoreResult, language: str) -> ResultRead:
        gettext = translations(language).gettext
        return cls(
            weighted=result.weighted,
            pass_mark=result.pass_mark,
            passed=result.passed,
            components=[
                ComponentResultRead(
                    kind=c.kind.value,
                    mark=c.mark,
                    weight=c.weight,
                    pass_mark=c.pass_mark,
                    passed=c.passed,
                )
                for c in result.components
            ],
            reasons=[reason.render(gettext) for reason in result.reasons],
        )


class MarksRead(BaseModel):
    round: int
    assessor: str
    scheme: SchemeRead
    result: ResultRead
    comment: str
    at: UtcDateTime

    @classmethod
    def of(cls, marks: Marks, unit: standards.Unit, language: str) -> MarksRead:
        item = f"{unit.item.institution}:{unit.item.code}"
        level = unit.level.level.code
        return cls(
            round=marks.round,
            assessor=marks.assessor,
            scheme=SchemeRead.of(item, level, marks.scheme),
            result=ResultRead.of(marks.result, language),
            comment=marks.comment,
            at=marks.at,
        )


class ConfirmationRead(BaseModel):
    by: str
    agreed: bool
    reason: str
    at: UtcDateTime


class DecisionRead(BaseModel):
    round: int
    decision: Decision
    level: str | None
    credits: Decimal | None
    reasons: str
    assessor: str
    at: UtcDateTime
    confirmation: ConfirmationRead | None

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionRead:
        c = record.confirmation
        return cls(
            round=record.round,
            decision=record.decision,
            level=record.level,
            credits=record.credits,
            reasons=record.reasons,
            assessor=record.assessor,
            at=record.at,
            confirmation=None
            if c is None
            else ConfirmationRead(by=c.by, agreed=c.agreed, reason=c.reason, at=c.at),
        )


class EventRead(BaseModel):
    step: str
    from_state: str | None
    to_state: str
    by: str
    assessor: str | None
    reason: str
    at: UtcDateTime

    @classmethod
    def of(cls, event: Event) -> EventRead:
        return cls(
            step=event.step,
            from_state=event.from_state,
            to_state=event.to_state,
            by=event.by,
            assessor=event.assessor,
            reason=event.reason,
            at=event.at,
        )


class EvidenceRead(BaseModel):
    sha256: str
    name: str
    added_at: UtcDateTime

    @classmethod
    def of(cls, item: EvidenceItem) -> EvidenceRead:
        return cls(sha256=item.sha256, name=item.name, added_at=item.added_at)


class ApplicationRead(BaseModel):
    id: str
    account_number: str
    centre: str
    standard: str
    standard_version: int
    unit: UnitRead
    setting: str
    statement: str
    taught_by: str | None
    applied_by_institution: str | None
    submitted_at: UtcDateTime
    state: State
    state_since: UtcDateTime
    due_on: date | None = Field(description="When the application stalls in this state.")
    stalled: bool
    round: int = Field(description="1 for the first assessment, 2 after an appeal.")
    assessor: str | None
    evidence: list[EvidenceRead]
    marks: MarksRead | None
    decisions: list[DecisionRead]
    events: list[EventRead]
    outcome: str | None = Field(description="The outcome an accredited decision deposited.")
    receipt: ReceiptRead | None = None

    @classmethod
    def of(cls, application: Application, *, today: date, language: str) -> ApplicationRead:
        a = application
        return cls(
            id=a.public_id,
            account_number=a.account_number,
            centre=a.centre,
            standard=a.unit.standard,
            standard_version=a.unit.standard_version,
            unit=UnitRead.of(a.unit),
            setting=a.setting,
            statement=a.statement,
            taught_by=a.taught_by,
            applied_by_institution=a.applied_by_institution,
            submitted_at=a.submitted_at,
            state=a.state,
            state_since=a.state_since,
            due_on=a.due_on,
            stalled=a.stalled(today),
            round=a.round,
            assessor=a.assessor,
            evidence=[EvidenceRead.of(e) for e in a.evidence],
            marks=None if a.marks is None else MarksRead.of(a.marks, a.unit, language),
            decisions=[DecisionRead.of(d) for d in a.decisions],
            events=[EventRead.of(e) for e in a.events],
            outcome=a.outcome,
            receipt=ReceiptRead.of(a.receipt),
        )


class QueueEntryRead(BaseModel):
    id: str
    account_number: str
    standard: str
    unit: str
    unit_name: str
    state: State
    state_since: UtcDateTime
    due_on: date | None
    stalled: bool
    round: int
    assessor: str | None

    @classmethod
    def of(cls, entry: QueueEntry) -> QueueEntryRead:
        return cls(
            id=entry.public_id,
            account_number=entry.account_number,
            standard=entry.standard,
            unit=entry.unit,
            unit_name=entry.unit_name,
            state=entry.state,
            state_since=entry.state_since,
            due_on=entry.due_on,
            stalled=entry.stalled,
            round=entry.round,
            assessor=entry.assessor,
        )
