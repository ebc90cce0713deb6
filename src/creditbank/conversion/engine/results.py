"""What the conversion engine answers: candidates, grants, plans, rule checks, progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbank.conversion.model import CapKind, Component, HeldOutcome, Programme, Rule, Target
from creditbank.messages import Message


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way to apply a rule in force: distinct outcomes for its sources, and what it offers."""

    rule: Rule
    sources: tuple[HeldOutcome, ...]
    components: tuple[Component, ...]
    """The components the rule exempts from that are still open (neither met nor pending)."""
    electives: tuple[Target, ...]
    """The rule's elective targets."""

    @property
    def item(self) -> str:
        """The source item the candidate is charged to (its first source's)."""
        return self.sources[0].item

    @property
    def issuer(self) -> str:
        """The issuer the candidate is charged to (its first source's)."""
        return self.sources[0].issuer

    @property
    def component_credits(self) -> Decimal:
        return sum((c.credits for c in self.components), Decimal(0))

    @property
    def elective_credits(self) -> Decimal:
        return sum((t.credits or Decimal(0) for t in self.electives), Decimal(0))

    @property
    def offers(self) -> Decimal:
        """What the candidate offers alone, before caps."""
        return self.component_credits + self.elective_credits


@dataclass(frozen=True, slots=True)
class Grant:
    """One target of a candidate in the plan, with what it grants and why."""

    rule: Rule
    sources: tuple[HeldOutcome, ...]
    target: Target
    allowed: Decimal
    """What the rule allows for this target."""
    granted: Decimal
    """What the plan grants (the component's credits, for a component)."""
    cut_by: tuple[CapKind, ...]
    reason: Message


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A candidate (or a component of one) the plan does not grant, and why."""

    rule: Rule
    sources: tuple[HeldOutcome, ...]
    reason: Message


@dataclass(frozen=True, slots=True)
class Plan:
    grants: tuple[Grant, ...]
    passed_over: tuple[PassedOver, ...]
    total: Decimal
    exhaustive: bool
    """Whether the search was complete, so no plan grants more (False for a greedy plan)."""


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """A what-if for one rule: whether it applies to the learner now, and why (not)."""

    rule: Rule
    applicable: bool
    sources: tuple[HeldOutcome, ...]
    """The best candidate's sources (empty when there is none)."""
    offers: Decimal
    """What the best candidate offers alone, before caps."""
    reasons: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class MetComponent:
    component: Component
    by: str
    """The outcome id (met directly) or the conversion id (met by transfer, or pending)."""
    transferred: bool
    pending: bool
    """Only a pending conversion targets it."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a learner stands toward a programme, and where the best plan would take them."""

    programme: Programme
    on: date
    met: tuple[MetComponent, ...]
    credits_held: Decimal
    credits_pending: Decimal
    category_held: Mapping[str, Decimal]
    missing: tuple[Component, ...]
    mandatory_missing: tuple[Component, ...]
    min_level_met: bool | None
    checks: tuple[RuleCheck, ...]
    plan: Plan
    credits_with_plan: Decimal
    complete_with_plan: bool
