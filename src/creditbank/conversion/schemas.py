"""JSON shapes of programmes, conversion rules, progress and conversions (``*Create`` in,
``*Read`` out). Explanations are rendered in the request's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from creditbank.conversion import engine
from creditbank.conversion.conversion_reads import (
    Conversion,
    ConversionEventKind,
    ConversionStatus,
)
from creditbank.conversion.model import (
    CAP_SETTINGS,
    CapKind,
    Caps,
    Component,
    Conditions,
    LevelBar,
    Programme,
    RuleDraft,
    RuleStatus,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.conversion.programme_store import ProgrammeSpec
from creditbank.conversion.progress import LearnerProgress
from creditbank.conversion.rule_store import RuleVersion
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import Message
from creditbank.web.formats import UtcDateTime
from creditbank.web.i18n import translations

Credits = Field(ge=0, le=Decimal(999), decimal_places=1)


def _say(message: Message, language: str) -> str:
    return message.render(translations(language).gettext)


class LevelRef(BaseModel):
    framework: str = Field(examples=["1X"])
    level: str = Field(examples=["intermediate"])


class ComponentCreate(BaseModel):
    code: str = Field(examples=["C-BIM-101"])
    name: str
    credits: Decimal = Credits
    category: str = ""
    mandatory: bool = False
    item: str | None = Field(
        default=None,
        description="The catalogue item (OWNER:CODE, or a code of the programme's institution) "
        "whose outcome completes the component.",
    )


CapCredits = Field(default=None, ge=0, decimal_places=1)
"""A setting of the caps in credits (:attr:`CapUnit.CREDITS`)."""
CapShare = Field(default=None, ge=0, le=1, decimal_places=3)
"""A setting of the caps as a share of the programme's credits (:attr:`CapUnit.SHARE`)."""


# The settings of Caps, field for field, each as its unit in CAP_SETTINGS says (a unit test
# holds the two together). No docstring: it would be the API's description of the shape.
class CapsCreate(BaseModel):
    per_source_item: Decimal | None = CapCredits
    programme_credits: Decimal | None = CapCredits
    programme_share: Decimal | None = CapShare
    per_year: Decimal | None = CapCredits
    per_issuer: Decimal | None = CapCredits

    def caps(self) -> Caps:
        return Caps(**self.model_dump())

    @classmethod
    def of(cls, caps: Caps) -> CapsCreate:
        return cls(**{name: getattr(caps, name) for name in CAP_SETTINGS})


class ProgrammeCreate(BaseModel):
    code: str = Field(examples=["SHOU-BIM-DIP"])
    institution: str = Field(examples=["SHOU"])
    item: str = Field(description="The qualification or certificate it leads to (OWNER:CODE).")
    name: str
    name_en: str = ""
    total_credits: Decimal = Field(gt=0, le=Decimal(999), decimal_places=1)
    category_credits: dict[str, Decimal] = Field(default_factory=dict)
    components: list[ComponentCreate] = Field(default_factory=list)
    min_level: LevelRef | None = None
    caps: CapsCreate = Field(default_factory=CapsCreate)
    reverse_on_withdrawal: bool = Field(
        default=False,
        description="Reverse a confirmed conversion when a source is revoked or superseded "
        "(otherwise it is flagged for review).",
    )

    def spec(self) -> ProgrammeSpec:
        return ProgrammeSpec(
            code=self.code,
            institution=self.institution,
            item=self.item,
            name=self.name,
            name_en=self.name_en,
            total_credits=self.total_credits,
            category_credits=dict(self.category_credits),
            components=tuple(
                Component(
                    code=c.code,
                    name=c.name,
                    credits=c.credits,
                    category=c.category,
                    mandatory=c.mandatory,
                    item=c.item,
                )
                for c in self.components
            ),
            min_level=(self.min_level.framework, self.min_level.level) if self.min_level else None,
            caps=self.caps.caps(),
            reverse_on_withdrawal=self.reverse_on_withdrawal,
        )


class ComponentRead(BaseModel):
    code: str
    name: str
    credits: Decimal
    category: str
    mandatory: bool
    item: str | None

    @classmethod
    def of(cls, component: Component) -> ComponentRead:
        return cls(
            code=component.code,
            name=component.name,
            credits=component.credits,
            category=component.category,
            mandatory=component.mandatory,
            item=component.item,
        )


class ProgrammeRead(BaseModel):
    code: str
    institution: str
    name: str
    name_en: str
    total_credits: Decimal
    category_credits: dict[str, Decimal]
    components: list[ComponentRead]
    min_level: str | None
    caps: CapsCreate
    programme_cap: Decimal | None = Field(
        description="The credits transferable into the programme in total (the tighter of "
        "programme_credits and programme_share of total_credits)."
    )
    reverse_on_withdrawal: bool

    @classmethod
    def of(cls, programme: Programme) -> ProgrammeRead:
        return cls(
            code=programme.code,
            institution=programme.institution,
            name=programme.name,
            name_en=programme.name_en,
            total_credits=programme.total_credits,
            category_credits=dict(programme.category_credits),
            components=[ComponentRead.of(c) for c in programme.components],
            min_level=str(programme.min_level) if programme.min_level else None,
            caps=CapsCreate.of(programme.caps),
            programme_cap=programme.caps.programme_limit(programme.total_credits),
            reverse_on_withdrawal=programme.reverse_on_withdrawal,
        )


# --- rules ---------------------------------------------------------------------------


class SourceCreate(BaseModel):
    item: str | None = Field(default=None, description="A catalogue item, OWNER:CODE.")
    kind: str | None = Field(default=None, description="A kind of item, e.g. x_certificate.")
    level: LevelRef | None = None
    at_least: bool = Field(default=False, description="The level or higher.")


class TargetCreate(BaseModel):
    kind: TargetKind
    component: str | None = None
    credits: Decimal | None = Field(default=None, gt=0, le=Decimal(999), decimal_places=1)
    category: str = ""


class ConditionsCreate(BaseModel):
    min_score: Decimal | None = Field(default=None, ge=0, le=100)
    max_age_years: int | None = Field(default=None, ge=1, le=100)
    settings: list[Literal["formal", "non-formal", "informal"]] = Field(default_factory=list)


class RuleCreate(BaseModel):
    institution: str = Field(description="The drafting institution's code.", examples=["SHOU"])
    programme: str = Field(examples=["SHOU-BIM-DIP"])
    code: str = Field(examples=["BIM-X-INTERMEDIATE"])
    name: str
    name_en: str = ""
    sources: list[SourceCreate] = Field(min_length=1)
    targets: list[TargetCreate] = Field(min_length=1)
    conditions: ConditionsCreate = Field(default_factory=ConditionsCreate)
    valid_from: date
    valid_until: date | None = None

    def draft(self) -> RuleDraft:
        return RuleDraft(
            code=self.code.strip(),
            programme=self.programme,
            name=self.name,
            name_en=self.name_en,
            sources=tuple(
                SourceSpec(
                    item=s.item,
                    kind=s.kind,
                    level=LevelBar(s.level.framework, s.level.level, "", 0) if s.level else None,
                    at_least=s.at_least,
                )
                for s in self.sources
            ),
            targets=tuple(
                Target(t.kind, component=t.component, credits=t.credits, category=t.category)
                for t in self.targets
            ),
            conditions=Conditions(
                min_score=self.conditions.min_score,
                max_age_years=self.conditions.max_age_years,
                settings=frozenset(self.conditions.settings),
            ),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class RuleDecision(BaseModel):
    reason: str = Field(default="", max_length=500)


class RuleRetirement(BaseModel):
    effective_on: date = Field(description="The first day the rule no longer applies.")
    reason: str = Field(max_length=500)


class RuleEventRead(BaseModel):
    kind: RuleStatus
    by: str
    reason: str
    effective_on: date | None
    at: UtcDateTime


class SourceRead(BaseModel):
    item: str | None
    kind: str | None
    level: str | None
    at_least: bool


class TargetRead(BaseModel):
    kind: TargetKind
    component: str | None
    credits: Decimal | None
    category: str


class RuleRead(BaseModel):
    id: int
    programme: str
    institution: str
    code: str
    version: int
    name: str
    name_en: str
    status: RuleStatus
    sources: list[SourceRead]
    targets: list[TargetRead]
    conditions: ConditionsCreate
    valid_from: date
    valid_until: date | None
    retired_from: date | None
    author: str
    drafted_at: UtcDateTime
    history: list[RuleEventRead]
    receipt: ReceiptRead | None = None

    @classmethod
    def of(cls, rule: RuleVersion) -> RuleRead:
        draft = rule.draft
        return cls(
            id=rule.id,
            programme=rule.programme,
            institution=rule.institution,
            code=draft.code,
            version=rule.version,
            name=draft.name,
            name_en=draft.name_en,
            status=rule.status,
            sources=[
                SourceRead(
                    item=s.item,
                    kind=s.kind,
                    level=str(s.level) if s.level else None,
                    at_least=s.at_least,
                )
                for s in draft.sources
            ],
            targets=[_target(t) for t in draft.targets],
            conditions=ConditionsCreate(
                min_score=draft.conditions.min_score,
                max_age_years=draft.conditions.max_age_years,
                settings=sorted(draft.conditions.settings),
            ),
            valid_from=draft.valid_from,
            valid_until=draft.valid_until,
            retired_from=rule.retired_from,
            author=rule.author,
            drafted_at=rule.drafted_at,
            history=[
                RuleEventRead(
                    kind=e.kind, by=e.by, reason=e.reason, effective_on=e.effective_on, at=e.at
                )
                for e in rule.history
            ],
            receipt=ReceiptRead.of(rule.receipt),
        )


# --- progress and conversions ------------------------------------------------------------


class GrantRead(BaseModel):
    rule_id: int = Field(description="The rule version used.")
    rule: str
    version: int
    target: TargetRead
    sources: list[str] = Field(description="The source outcomes consumed (public ids).")
    allowed: Decimal = Field(description="What the rule allows for this target.")
    granted: Decimal
    cut_by: list[CapKind] = Field(description="The caps that cut the amount.")
    reason: str
    transferred: str | None = Field(
        default=None, description="The transferred-credit outcome deposited (once confirmed)."
    )


class PassedOverRead(BaseModel):
    rule: str
    version: int
    sources: list[str]
    reason: str


def _grant(grant: engine.Grant, language: str) -> GrantRead:
    return GrantRead(
        rule_id=grant.rule.id,
        rule=grant.rule.code,
        version=grant.rule.version,
        target=_target(grant.target),
        sources=[source.id for source in grant.sources],
        allowed=grant.allowed,
        granted=grant.granted,
        cut_by=list(grant.cut_by),
        reason=_say(grant.reason, language),
    )


def _target(target: Target) -> TargetRead:
    return TargetRead(
        kind=target.kind,
        component=target.component,
        credits=target.credits,
        category=target.category,
    )


def _passed(passed: engine.PassedOver, language: str) -> PassedOverRead:
    return PassedOverRead(
        rule=passed.rule.code,
        version=passed.rule.version,
        sources=[source.id for source in passed.sources],
        reason=_say(passed.reason, language),
    )


class PlanRead(BaseModel):
    grants: list[GrantRead]
    passed_over: list[PassedOverRead]
    total: Decimal
    exhaustive: bool = Field(
        description="True when the search tried every combination (the plan is the best)."
    )


class RuleCheckRead(BaseModel):
    rule_id: int
    rule: str
    version: int
    name: str
    applicable: bool
    sources: list[str]
    offers: Decimal
    reasons: list[str]


class MetRead(BaseModel):
    component: str
    name: str
    credits: Decimal
    by: str = Field(description="The outcome (or the conversion) that meets it.")
    transferred: bool
    pending: bool


class ProgressRead(BaseModel):
    account_number: str
    programme: ProgrammeRead
    on: date
    met: list[MetRead]
    credits_held: Decimal
    credits_pending: Decimal
    category_held: dict[str, Decimal]
    missing: list[ComponentRead]
    mandatory_missing: list[str]
    min_level_met: bool | None
    what_if: list[RuleCheckRead]
    plan: PlanRead
    credits_with_plan: Decimal
    complete_with_plan: bool

    @classmethod
    def of(cls, found: LearnerProgress, language: str) -> ProgressRead:
        progress = found.progress
        return cls(
            account_number=found.account_number,
            programme=ProgrammeRead.of(progress.programme),
            on=progress.on,
            met=[
                MetRead(
                    component=m.component.code,
                    name=m.component.name,
                    credits=m.component.credits,
                    by=m.by,
                    transferred=m.transferred,
                    pending=m.pending,
                )
                for m in progress.met
            ],
            credits_held=progress.credits_held,
            credits_pending=progress.credits_pending,
            category_held=dict(progress.category_held),
            missing=[ComponentRead.of(c) for c in progress.missing],
            mandatory_missing=[c.code for c in progress.mandatory_missing],
            min_level_met=progress.min_level_met,
            what_if=[
                RuleCheckRead(
                    rule_id=check.rule.id,
                    rule=check.rule.code,
                    version=check.rule.version,
                    name=check.rule.name,
                    applicable=check.applicable,
                    sources=[source.id for source in check.sources],
                    offers=check.offers,
                    reasons=[_say(reason, language) for reason in check.reasons],
                )
                for check in progress.checks
            ],
            plan=PlanRead(
                grants=[_grant(grant, language) for grant in progress.plan.grants],
                passed_over=[_passed(p, language) for p in progress.plan.passed_over],
                total=progress.plan.total,
                exhaustive=progress.plan.exhaustive,
            ),
            credits_with_plan=progress.credits_with_plan,
            complete_with_plan=progress.complete_with_plan,
        )


class ConversionCreate(BaseModel):
    account_number: str = Field(examples=["CB123456789012"])
    programme: str = Field(examples=["SHOU-BIM-DIP"])
    on: date | None = Field(
        default=None, description="The request date the rules are taken in force on (today)."
    )


class ConversionDecline(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ConversionEventRead(BaseModel):
    kind: ConversionEventKind
    reason: str
    by: str
    outcome: str | None
    at: UtcDateTime


class ConversionRead(BaseModel):
    id: str
    account_number: str
    programme: str
    institution: str = Field(description="The institution that confirms or declines it.")
    requested_on: date
    requested_by: str
    requested_at: UtcDateTime
    status: ConversionStatus
    needs_review: bool = Field(description="A source was revoked or superseded since.")
    total: Decimal
    grants: list[GrantRead]
    passed_over: list[PassedOverRead]
    history: list[ConversionEventRead]
    receipt: ReceiptRead | None = None

    @classmethod
    def of(cls, conversion: Conversion, language: str) -> ConversionRead:
        return cls(
            id=conversion.public_id,
            account_number=conversion.account_number,
            programme=conversion.programme,
            institution=conversion.institution,
            requested_on=conversion.requested_on,
            requested_by=conversion.requested_by,
            requested_at=conversion.requested_at,
            status=conversion.status,
            needs_review=conversion.needs_review,
            total=conversion.total,
            grants=[
                GrantRead(
                    rule_id=g.rule_id,
                    rule=g.rule,
                    version=g.version,
                    target=_target(g.target),
                    sources=list(g.sources),
                    allowed=g.allowed,
                    granted=g.granted,
                    cut_by=list(g.cut_by),
                    reason=_say(g.reason, language),
                    transferred=g.transferred,
                )
                for g in conversion.grants
            ],
            passed_over=[_passed(p, language) for p in conversion.passed_over],
            history=[
                ConversionEventRead(
                    kind=e.kind, reason=e.reason, by=e.by, outcome=e.outcome, at=e.at
                )
                for e in conversion.history
            ],
            receipt=ReceiptRead.of(conversion.receipt),
        )
