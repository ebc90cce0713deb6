"""Programmes, conversion rules and caps: the types, and the rules on them. A pure core.

- A **programme** (a diploma, a degree, an X certificate at a level) is what credits are
  converted *into*. It has requirements (total credits, credits per category, components
  such as courses or the theory exam of an X certificate, some mandatory, a minimum
  framework level) and a conversion policy: the caps, and whether revoking a source
  outcome reverses the conversions built on it.
- A **conversion rule** says: a learner who holds its *sources* (outcomes matching an
  item, a kind, a framework level, a minimum score) may receive its *targets* (exemption
  from a component of the programme with its credits, or a number of elective credits),
  under conditions (minimum score, maximum age of the source, learning setting) and in a
  window of dates. A rule is a sequence of versions; an approved version never changes.
- **Caps** limit what conversions may grant a learner toward one programme: per source
  item, per issuing institution, per academic year, and in total (credits and/or a share
  of the programme's credits). Each kind of cap is described once, in :data:`CAP_TYPES`.

The engine that applies rules to a learner's outcomes is :mod:`creditbank.conversion.engine`.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CREDITS_STEP = Decimal("0.1")
MAX_CREDITS = Decimal(999)
MAX_SOURCES = 5
MAX_TARGETS = 20
ACADEMIC_YEAR_START = (9, 1)
"""An academic year runs from 1 September to 31 August."""


class ConversionError(DomainError):
    """A programme, rule or conversion request that cannot be accepted."""


# --- programmes ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Component:
    """A part of a programme a learner must complete or be exempted from (a course, a module,
    the theory exam of an X certificate), with the credits it carries."""

    code: str
    name: str
    credits: Decimal
    category: str = ""
    mandatory: bool = False
    item: str | None = None
    """The catalogue item (``OWNER:CODE``) whose outcome completes it directly, if any."""


@dataclass(frozen=True, slots=True)
class LevelBar:
    """A framework level as a threshold: ``framework:level`` on ``track``, with its rank."""

    framework: str
    level: str
    track: str
    rank: int

    def __str__(self) -> str:
        return f"{self.framework}:{self.level}"


@dataclass(frozen=True, slots=True)
class Caps:
    """The most that conversions may grant one learner toward one programme (None = no cap).

    Each field is a *setting* of one of the :data:`CAP_TYPES`, which say what it is given in
    and how it limits a plan."""

    per_source_item: Decimal | None = None
    """Credits one source item (e.g. one X certificate) may yield (the seed's cap)."""
    programme_credits: Decimal | None = None
    """Credits transferable into the programme in total."""
    programme_share: Decimal | None = None
    """The same as a share of the programme's total credits, e.g. 0.33 for a third."""
    per_year: Decimal | None = None
    """Credits granted per academic year (by the date of the request)."""
    per_issuer: Decimal | None = None
    """Credits from the outcomes of one issuing institution."""

    def programme_limit(self, total_credits: Decimal) -> Decimal | None:
        """The tighter of ``programme_credits`` and ``programme_share`` of ``total_credits``."""
        return cap_type(CapKind.PROGRAMME).limit(self, total_credits)


# A cap as the engine applies it and names it when it cuts a grant (``cut_by``). No docstring:
# it would be the API's description of the enumeration.
class CapKind(StrEnum):
    PER_SOURCE_ITEM = "per_source_item"
    PROGRAMME = "programme"
    PER_YEAR = "per_year"
    PER_ISSUER = "per_issuer"


class CapUnit(StrEnum):
    """What a setting of :class:`Caps` is given in."""

    CREDITS = "credits"
    """Credits: 0 to 999, one decimal."""
    SHARE = "share"
    """A share of the programme's total credits: 0 to 1, three decimals."""


class CapScope(StrEnum):
    """What a cap counts. The engine charges each grant to its first source's item, to that
    source's issuer, and to the plan as a whole. Item and issuer each have one cap: they are
    the two layers of the flow that shares elective credits (:mod:`.engine.variants`); a cap
    on some other grouping needs a layer of its own there and a bound in the search."""

    SOURCE_ITEM = "source_item"
    ISSUER = "issuer"
    PLAN = "plan"
    """Everything the learner is granted toward the programme (or the part of it
    :attr:`CapType.counts_prior` keeps)."""


def _every_prior_grant(requested_on: date, on: date) -> bool:  # noqa: ARG001 - the signature
    return True


def same_academic_year(requested_on: date, on: date) -> bool:
    """Whether a grant requested on ``requested_on`` falls in the academic year of ``on``."""
    return academic_year(requested_on) == academic_year(on)


@dataclass(frozen=True, slots=True)
class CapType:
    """One kind of cap, described once: the settings of :class:`Caps` that set it (the API's,
    the programme file's and the storage's names), what it counts, what pages call it. The
    schemas, the validation, the engine and the pages' words are derived from these."""

    kind: CapKind
    settings: Mapping[str, CapUnit]
    """The fields of :class:`Caps` that set it, with their units; the tightest set one holds."""
    scope: CapScope
    label: Message
    """What the pages call it (e.g. in the column of the caps that cut a grant)."""
    counts_prior: Callable[[date, date], bool] = _every_prior_grant
    """For a plan cap: whether a prior grant requested on the first date counts toward a
    request on the second (all of them, unless said otherwise)."""

    def limit(self, caps: Caps, total_credits: Decimal) -> Decimal | None:
        """The tightest of its settings that are set (a share taken of ``total_credits``,
        rounded down to a tenth of a credit); None when none is set."""
        limits: list[Decimal] = []
        for name, unit in self.settings.items():
            value: Decimal | None = getattr(caps, name)
            if value is None:
                continue
            if unit is CapUnit.SHARE:
                value = (value * total_credits).quantize(CREDITS_STEP, "ROUND_DOWN")
            limits.append(value)
        return min(limits).quantize(CREDITS_STEP) if limits else None


CAP_TYPES: tuple[CapType, ...] = (
    CapType(
        kind=CapKind.PER_SOURCE_ITEM,
        settings={"per_source_item": CapUnit.CREDITS},
        scope=CapScope.SOURCE_ITEM,
        label=msg("per source item"),
    ),
    CapType(
        kind=CapKind.PER_ISSUER,
        settings={"per_issuer": CapUnit.CREDITS},
        scope=CapScope.ISSUER,
        label=msg("per issuing institution"),
    ),
    CapType(
        kind=CapKind.PER_YEAR,
        settings={"per_year": CapUnit.CREDITS},
        scope=CapScope.PLAN,
        label=msg("per academic year"),
        counts_prior=same_academic_year,
    ),
    CapType(
        kind=CapKind.PROGRAMME,
        settings={"programme_credits": CapUnit.CREDITS, "programme_share": CapUnit.SHARE},
        scope=CapScope.PLAN,
        label=msg("programme total"),
    ),
)
"""Every cap, in the order the engine names those that cut a grant."""


def cap_type(kind: CapKind) -> CapType:
    return next(cap for cap in CAP_TYPES if cap.kind is kind)


CAP_SETTINGS: Mapping[str, CapUnit] = {
    name: unit for cap in CAP_TYPES for name, unit in cap.settings.items()
}
"""Each setting of :class:`Caps` (each field) with its unit."""


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    institution: str
    name: str
    total_credits: Decimal
    components: tuple[Component, ...] = ()
    category_credits: Mapping[str, Decimal] = field(default_factory=dict)
    """The least credits each category needs."""
    min_level: LevelBar | None = None
    """A level the learner must hold an outcome at (or above) to complete the programme."""
    caps: Caps = Caps()
    reverse_on_withdrawal: bool = False
    """Whether revoking or superseding a source reverses a confirmed conversion (else the
    conversion is flagged for the institution to review)."""
    name_en: str = ""

    def component(self, code: str) -> Component | None:
        return next((c for c in self.components if c.code.casefold() == code.casefold()), None)


def check_programme(programme: Programme) -> list[Message]:
    """Every problem with ``programme`` that needs no database (empty when it is fine)."""
    problems: list[Message] = []
    if not CODE.match(programme.code):
        problems.append(
            msg(
                "programme code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                code=repr(programme.code),
            )
        )
    if not programme.name.strip():
        problems.append(msg("a programme needs a name"))
    problems.extend(_credit_problems("total_credits", programme.total_credits, positive=True))
    seen: set[str] = set()
    for component in programme.components:
        key = component.code.casefold()
        if key in seen:
            problems.append(msg("component {code} is listed twice", code=component.code))
        seen.add(key)
        if not CODE.match(component.code):
            problems.append(
                msg(
                    "component code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                    code=repr(component.code),
                )
            )
        problems.extend(
            _credit_problems(f"component {component.code}", component.credits, positive=True)
        )
    for category, least in programme.category_credits.items():
        problems.extend(_credit_problems(f"category {category}", least, positive=True))
    problems.extend(_cap_problems(programme.caps))
    return problems


def _cap_problems(caps: Caps) -> list[Message]:
    """What is wrong with the settings of ``caps``: those in credits first, then the shares."""
    problems: list[Message] = []
    for unit in (CapUnit.CREDITS, CapUnit.SHARE):
        for setting in fields(caps):
            value: Decimal | None = getattr(caps, setting.name)
            if value is None or CAP_SETTINGS[setting.name] is not unit:
                continue
            if unit is CapUnit.CREDITS:
                problems.extend(_credit_problems(f"cap {setting.name}", value, positive=False))
            elif not 0 <= value <= 1:
                problems.append(msg("{setting} must be between 0 and 1", setting=setting.name))
    return problems


def _credit_problems(what: str, amount: Decimal, *, positive: bool) -> list[Message]:
    if amount < 0 or (positive and amount == 0) or amount > MAX_CREDITS:
        return [
            msg(
                "{what} must be between {low} and {high} credits",
                what=what,
                low="0.1" if positive else "0",
                high=str(MAX_CREDITS),
            )
        ]
    if amount != amount.quantize(CREDITS_STEP):
        return [msg("{what} has more than one decimal", what=what)]
    return []


# --- rules ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What one source outcome must be. Every field set must match; unset fields match all."""

    item: str | None = None
    """A catalogue item as ``OWNER:CODE``."""
    kind: str | None = None
    """A catalogue item kind (``x_certificate``, ``course``, ...)."""
    level: LevelBar | None = None
    """A framework level: exactly this level, or this level or higher with ``at_least``."""
    at_least: bool = False

    def describe(self) -> str:
        parts = [self.item or "", self.kind or ""]
        if self.level is not None:
            parts.append(f"{self.level}{'+' if self.at_least else ''}")
        return " ".join(part for part in parts if part) or "*"


class TargetKind(StrEnum):
    COMPONENT = "component"
    """Exemption from a component of the programme, with its credits."""
    ELECTIVE = "elective"
    """A number of elective credits, assigned to no component."""


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    component: str | None = None
    credits: Decimal | None = None
    """Elective targets: how many credits. Component targets carry the component's credits."""
    category: str = ""
    """Elective targets: the category the credits count toward, if any."""

    def describe(self) -> str:
        if self.kind is TargetKind.COMPONENT:
            return f"{TargetKind.COMPONENT.value}:{self.component}"
        return f"{TargetKind.ELECTIVE.value}:{self.credits}"


@dataclass(frozen=True, slots=True)
class Conditions:
    min_score: Decimal | None = None
    """Every source's score must be at least this (an outcome with no score fails)."""
    max_age_years: int | None = None
    """Every source must have been assessed at most this many years before the request."""
    settings: frozenset[str] = frozenset()
    """The learning settings a source may come from (empty = any)."""


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule version as an institution writes it."""

    code: str
    programme: str
    name: str
    sources: tuple[SourceSpec, ...]
    targets: tuple[Target, ...]
    conditions: Conditions = Conditions()
    valid_from: date = date(2000, 1, 1)
    valid_until: date | None = None
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """An approved rule version, as the engine applies it."""

    id: int
    code: str
    version: int
    sources: tuple[SourceSpec, ...]
    targets: tuple[Target, ...]
    conditions: Conditions = Conditions()
    valid_from: date = date(2000, 1, 1)
    valid_until: date | None = None
    retired_from: date | None = None
    name: str = ""
    name_en: str = ""

    def name_in(self, language: str) -> str:
        """The rule's name in ``language``: English where the institution gave one."""
        return self.name_en if language == "en" and self.name_en else self.name

    def in_force(self, on: date) -> bool:
        """Whether the rule applies to a request made ``on`` that day."""
        return (
            self.valid_from <= on
            and (self.valid_until is None or on <= self.valid_until)
            and (self.retired_from is None or on < self.retired_from)
        )

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


def check_rule(draft: RuleDraft, programme: Programme) -> list[Message]:
    """Every problem with ``draft`` against its programme (empty when it is fine)."""
    problems: list[Message] = []
    if not CODE.match(draft.code):
        problems.append(
            msg(
                "rule code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                code=repr(draft.code),
            )
        )
    if not draft.name.strip():
        problems.append(msg("a rule needs a name"))
    if not 1 <= len(draft.sources) <= MAX_SOURCES:
        problems.append(msg("a rule needs 1 to {count} sources", count=MAX_SOURCES))
    if not 1 <= len(draft.targets) <= MAX_TARGETS:
        problems.append(msg("a rule needs 1 to {count} targets", count=MAX_TARGETS))
    for number, source in enumerate(draft.sources, start=1):
        if source.item is None and source.kind is None and source.level is None:
            problems.append(
                msg(
                    "source {number} names no item, kind or level; it would match anything",
                    number=number,
                )
            )
        if source.at_least and source.level is None:
            problems.append(msg("source {number}: at_least needs a level", number=number))
    problems.extend(_target_problems(draft.targets, programme))
    conditions = draft.conditions
    if conditions.min_score is not None and not 0 <= conditions.min_score <= 100:  # noqa: PLR2004
        problems.append(msg("min_score must be between 0 and 100"))
    if conditions.max_age_years is not None and conditions.max_age_years < 1:
        problems.append(msg("max_age_years must be at least 1"))
    if draft.valid_until is not None and draft.valid_until < draft.valid_from:
        problems.append(
            msg(
                "valid_until {until} is before valid_from {start}",
                until=draft.valid_until.isoformat(),
                start=draft.valid_from.isoformat(),
            )
        )
    return problems


def _target_problems(targets: tuple[Target, ...], programme: Programme) -> list[Message]:
    problems: list[Message] = []
    components: set[str] = set()
    for target in targets:
        if target.kind is TargetKind.COMPONENT:
            component = programme.component(target.component or "")
            if component is None:
                problems.append(
                    msg(
                        "programme {programme} has no component {component}",
                        programme=programme.code,
                        component=target.component or "",
                    )
                )
            elif component.code in components:
                problems.append(
                    msg("component {component} is a target twice", component=component.code)
                )
            else:
                components.add(component.code)
        elif target.credits is None:
            problems.append(msg("an elective target needs a number of credits"))
        else:
            problems.extend(_credit_problems("elective credits", target.credits, positive=True))
    return problems


class RuleStatus(StrEnum):
    """Where a rule version stands. Derived from its events, as an outcome's status is."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RETIRED = "retired"


RULE_STATUS_PRECEDENCE = (
    RuleStatus.WITHDRAWN,
    RuleStatus.REJECTED,
    RuleStatus.RETIRED,
    RuleStatus.APPROVED,
    RuleStatus.SUBMITTED,
)
"""The first of these kinds a version has an event of is its status; with none, draft."""

_RULE_ALLOWED_FROM = {
    RuleStatus.SUBMITTED: frozenset({RuleStatus.DRAFT}),
    RuleStatus.APPROVED: frozenset({RuleStatus.SUBMITTED}),
    RuleStatus.REJECTED: frozenset({RuleStatus.SUBMITTED}),
    RuleStatus.WITHDRAWN: frozenset({RuleStatus.DRAFT}),
    RuleStatus.RETIRED: frozenset({RuleStatus.APPROVED}),
}


def rule_status(kinds: Iterable[RuleStatus]) -> RuleStatus:
    present = set(kinds)
    return next((k for k in RULE_STATUS_PRECEDENCE if k in present), RuleStatus.DRAFT)


def check_rule_step(
    *, label: str, current: RuleStatus, step: RuleStatus, author_id: int, by_id: int
) -> None:
    """Raise unless ``step`` may follow ``current``, taken by user ``by_id``.

    Four eyes: the author of a version may not approve or reject it.
    """
    if current not in _RULE_ALLOWED_FROM[step]:
        raise ConversionError(
            "rule_status_conflict",
            msg(
                "rule {rule} is {status}; it cannot become {step}",
                rule=label,
                status=current.value,
                step=step.value,
            ),
            extensions={"rule_status": current.value},
        )
    if step in {RuleStatus.APPROVED, RuleStatus.REJECTED} and by_id == author_id:
        raise ConversionError(
            "four_eyes",
            msg(
                "rule {rule} was drafted by you; another administrator must approve or reject it",
                rule=label,
            ),
        )


# --- what the engine works on -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldOutcome:
    """A standing outcome in the learner's account, as the engine sees it."""

    id: str
    item: str
    """``OWNER:CODE`` of its catalogue item."""
    kind: str
    framework: str
    track: str
    level: str
    level_rank: int
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: str
    issuer: str
    transferred: bool = False
    """Transferred credit (the result of a conversion): never a source of another one."""


@dataclass(frozen=True, slots=True)
class PriorGrant:
    """A grant of an active (pending or confirmed) conversion of the learner to the programme."""

    conversion: str
    rule: str
    target: Target
    credits: Decimal
    sources: tuple[str, ...]
    """The public ids of the source outcomes it consumed."""
    source_item: str
    """The item charged for the per-source-item cap (the first source's)."""
    issuer: str
    """The issuer charged for the per-issuer cap (the first source's)."""
    requested_on: date
    confirmed: bool


def academic_year(on: date) -> int:
    """The academic year ``on`` falls in, by the year it starts (2025 for 2026-03-01)."""
    month, day = ACADEMIC_YEAR_START
    return on.year if (on.month, on.day) >= (month, day) else on.year - 1


def years_before(on: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)
