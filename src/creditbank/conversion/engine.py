"""The conversion engine: which rules a learner's outcomes satisfy; the best plan under the caps.

Given a programme, the approved rules for it, the learner's standing outcomes and the grants of
the learner's active conversions toward the programme, the engine

- checks every rule (a what-if): in force or not, which source spec no outcome satisfies and
  which condition each near miss fails, what the rule would give;
- lists the *candidates*: the ways to apply each rule in force to distinct available outcomes;
- chooses the *plan*: a set of candidates that grants the most credits without breaking a cap,
  using an outcome twice, applying a rule twice or exempting a component twice, and explains
  every grant and every candidate left out;
- sums up the learner's progress toward the programme with and without the plan.

Simplifications, by design:

- Each candidate is charged, for the per-source-item and per-issuer caps, to the item and the
  issuer of its *first* source only (as :class:`~creditbank.conversion.model.PriorGrant` is).
- At most :data:`MAX_CANDIDATES_PER_RULE` candidates per rule are considered: the eligible
  outcomes of each source are ranked by higher score (no score last), then newer assessment,
  then id, and the candidates are the first assignments of distinct outcomes in that
  (lexicographic) order.
- A rule applies at most once per plan (rules are told apart by code, so two versions of one
  rule never both apply).
- Component exemptions are whole or nothing: each component of a candidate is granted with all
  its credits or not at all; elective credits may be cut to any multiple of 0.1. For the search,
  a candidate with open components is split into *variants*, one per subset of its components
  (all subsets up to :data:`MAX_SPLIT_COMPONENTS` components, else all or none), so that a plan
  may leave out a component that another rule exempts or that no cap leaves room for. The
  value of a set of variants does not depend on their order: their components (which must fit
  every cap whole) plus the most elective credits the remaining room allows, an exact maximum
  flow in tenths of a credit.

The plan is found by a depth-first include/exclude search over the variants (largest offers
first; ties by rule code, version and id, then outcome ids), which skips variants that reuse an
outcome, a rule or a component of the set, and prunes with upper bounds (one variant per rule;
each outcome used once; each component exempted once; the caps). It starts from the greedy plan
in the order given and visits at most ``budget`` nodes (:data:`SEARCH_BUDGET`); the plan says
whether the search finished. A finished search returns the first best set in its own order, so
the plan does not depend on the order of the rules. A node costs well under a millisecond, so a
search that runs out of budget takes seconds; small cases (a few rules and outcomes) finish in
a few hundred nodes.

Standard library only.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from creditbank.conversion.model import (
    CapKind,
    Component,
    Conditions,
    HeldOutcome,
    LevelBar,
    PriorGrant,
    Programme,
    Rule,
    SourceSpec,
    Target,
    TargetKind,
    academic_year,
    years_before,
)
from creditbank.messages import Message, msg

MAX_CANDIDATES_PER_RULE = 8
"""The most ways of applying one rule the engine considers."""
MAX_ASSIGNMENT_STEPS = 10_000
"""The most steps spent looking for the distinct outcomes of one rule's sources."""
MAX_SPLIT_COMPONENTS = 4
"""Up to this many open components, a candidate may be granted with any subset of them."""
SEARCH_BUDGET = 50_000
"""The most nodes the plan search visits before it settles for the best found so far."""

_SHARE_SCALE = 60
"""A multiple of every source count up to five: a candidate's offer split evenly per source."""
_CAP_ORDER = (CapKind.PER_SOURCE_ITEM, CapKind.PER_ISSUER, CapKind.PER_YEAR, CapKind.PROGRAMME)


# --- results -----------------------------------------------------------------------------


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


# --- matching ------------------------------------------------------------------------------


def mismatch(spec: SourceSpec, outcome: HeldOutcome) -> Message | None:
    """Why ``outcome`` does not match ``spec`` (None when it does)."""
    if spec.item is not None and spec.item.casefold() != outcome.item.casefold():
        return msg(
            "outcome {outcome} is for {item}, not {expected}",
            outcome=outcome.id,
            item=outcome.item,
            expected=spec.item,
        )
    if spec.kind is not None and spec.kind != outcome.kind:
        return msg(
            "outcome {outcome} is a {kind}, not a {expected}",
            outcome=outcome.id,
            kind=outcome.kind,
            expected=spec.kind,
        )
    if spec.level is not None and not _at_level(spec.level, outcome, at_least=spec.at_least):
        return msg(
            "outcome {outcome} is at {level}, not {expected}",
            outcome=outcome.id,
            level=f"{outcome.framework}:{outcome.level}",
            expected=f"{spec.level}{'+' if spec.at_least else ''}",
        )
    return None


def _at_level(bar: LevelBar, outcome: HeldOutcome, *, at_least: bool) -> bool:
    if (bar.framework.casefold(), bar.track.casefold()) != (
        outcome.framework.casefold(),
        outcome.track.casefold(),
    ):
        return False
    if at_least:
        return outcome.level_rank >= bar.rank
    return outcome.level.casefold() == bar.level.casefold()


def unmet_conditions(conditions: Conditions, outcome: HeldOutcome, on: date) -> tuple[Message, ...]:
    """Each condition of a rule that ``outcome`` fails as a source of a request made ``on``."""
    failed: list[Message] = []
    if conditions.min_score is not None:
        if outcome.score is None:
            failed.append(
                msg(
                    "outcome {outcome} has no score; the rule needs {min}",
                    outcome=outcome.id,
                    min=str(conditions.min_score),
                )
            )
        elif outcome.score < conditions.min_score:
            failed.append(
                msg(
                    "outcome {outcome} scored {score}, below {min}",
                    outcome=outcome.id,
                    score=str(outcome.score),
                    min=str(conditions.min_score),
                )
            )
    if conditions.max_age_years is not None and outcome.assessed_on < years_before(
        on, conditions.max_age_years
    ):
        failed.append(
            msg(
                "outcome {outcome} was assessed on {date}, more than {years} years before {on}",
                outcome=outcome.id,
                date=outcome.assessed_on.isoformat(),
                years=conditions.max_age_years,
                on=on.isoformat(),
            )
        )
    if conditions.settings and outcome.setting not in conditions.settings:
        failed.append(
            msg(
                "outcome {outcome} comes from a {setting} setting; the rule accepts {settings}",
                outcome=outcome.id,
                setting=outcome.setting,
                settings=", ".join(sorted(conditions.settings)),
            )
        )
    return tuple(failed)


def met_components(
    programme: Programme, outcomes: Iterable[HeldOutcome], prior: Iterable[PriorGrant]
) -> tuple[MetComponent, ...]:
    """The components already met: directly by an outcome of their item, by a confirmed
    conversion, or pending (only a pending conversion targets them), in programme order."""
    direct: dict[str, str] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):
        if not outcome.transferred:
            direct.setdefault(outcome.item.casefold(), outcome.id)
    confirmed: dict[str, str] = {}
    pending: dict[str, str] = {}
    for grant in prior:
        component = _component_of(programme, grant.target)
        if component is not None:
            (confirmed if grant.confirmed else pending).setdefault(component.code, grant.conversion)
    met: list[MetComponent] = []
    for component in programme.components:
        if component.item is not None and component.item.casefold() in direct:
            met.append(
                MetComponent(
                    component,
                    direct[component.item.casefold()],
                    transferred=False,
                    pending=False,
                )
            )
        elif component.code in confirmed:
            met.append(
                MetComponent(component, confirmed[component.code], transferred=True, pending=False)
            )
        elif component.code in pending:
            met.append(
                MetComponent(component, pending[component.code], transferred=True, pending=True)
            )
    return tuple(met)


def _component_of(programme: Programme, target: Target) -> Component | None:
    if target.kind is not TargetKind.COMPONENT:
        return None
    return programme.component(target.component or "")


# --- candidates ----------------------------------------------------------------------------


def candidates(
    programme: Programme,
    rules: Iterable[Rule],
    outcomes: Sequence[HeldOutcome],
    prior: Sequence[PriorGrant],
    on: date,
    *,
    limit: int = MAX_CANDIDATES_PER_RULE,
) -> tuple[list[RuleCheck], list[Candidate]]:
    """A check of each rule, in the order given, and the candidates of the rules that apply
    (in rule order, each rule's best first)."""
    met = {m.component.code: m for m in met_components(programme, outcomes, prior)}
    consumed = {source: grant.conversion for grant in prior for source in grant.sources}
    checks: list[RuleCheck] = []
    found: list[Candidate] = []
    for rule in rules:
        check, offered = _check(programme, rule, outcomes, consumed, met, on, limit)
        checks.append(check)
        found.extend(offered)
    return checks, found


def _check(  # noqa: PLR0917 - an internal step of candidates()
    programme: Programme,
    rule: Rule,
    outcomes: Sequence[HeldOutcome],
    consumed: Mapping[str, str],
    met: Mapping[str, MetComponent],
    on: date,
    limit: int,
) -> tuple[RuleCheck, list[Candidate]]:
    if not rule.in_force(on):
        return _not_applicable(rule, msg("not in force on {date}", date=on.isoformat())), []
    eligible, problems = _eligible(rule, outcomes, consumed, on)
    if problems:
        return _not_applicable(rule, *problems), []
    assignments = _assignments(eligible, limit)
    if not assignments:
        reason = msg(
            "no {count} different outcomes can fill the rule's sources together",
            count=len(rule.sources),
        )
        return _not_applicable(rule, reason), []
    components, electives, notes = _offer(programme, rule, met)
    offered = [Candidate(rule, sources, components, electives) for sources in assignments]
    best = offered[0]
    if not components and not electives:
        reason = msg("everything it grants is met already")
        return _not_applicable(rule, *notes, reason, sources=best.sources), []
    check = RuleCheck(
        rule, applicable=True, sources=best.sources, offers=best.offers, reasons=tuple(notes)
    )
    return check, offered


def _not_applicable(
    rule: Rule, *reasons: Message, sources: tuple[HeldOutcome, ...] = ()
) -> RuleCheck:
    return RuleCheck(rule, applicable=False, sources=sources, offers=Decimal(0), reasons=reasons)


def _preference(outcome: HeldOutcome) -> tuple[bool, Decimal, int, str]:
    """Higher score first (no score last), then newer, then by id."""
    score = outcome.score if outcome.score is not None else Decimal(0)
    return (outcome.score is None, -score, -outcome.assessed_on.toordinal(), outcome.id)


def _eligible(
    rule: Rule, outcomes: Sequence[HeldOutcome], consumed: Mapping[str, str], on: date
) -> tuple[list[list[HeldOutcome]], list[Message]]:
    """The outcomes each source may be, best first; and, for each source none may be, why."""
    eligible: list[list[HeldOutcome]] = []
    problems: list[Message] = []
    for number, spec in enumerate(rule.sources, start=1):
        matching = sorted((o for o in outcomes if mismatch(spec, o) is None), key=_preference)
        usable = [
            o
            for o in matching
            if not o.transferred
            and o.id not in consumed
            and not unmet_conditions(rule.conditions, o, on)
        ]
        eligible.append(usable)
        if usable:
            continue
        if not matching:
            problems.append(
                msg(
                    "no outcome matches source {number} ({spec})",
                    number=number,
                    spec=spec.describe(),
                )
            )
        for outcome in matching:
            if outcome.transferred:
                problems.append(
                    msg(
                        "outcome {outcome} is transferred credit; it cannot be a source",
                        outcome=outcome.id,
                    )
                )
            elif outcome.id in consumed:
                problems.append(
                    msg(
                        "outcome {outcome} is already used by conversion {conversion}",
                        outcome=outcome.id,
                        conversion=consumed[outcome.id],
                    )
                )
            else:
                problems.extend(unmet_conditions(rule.conditions, outcome, on))
    return eligible, problems


def _assignments(
    eligible: Sequence[Sequence[HeldOutcome]], limit: int
) -> list[tuple[HeldOutcome, ...]]:
    """The first ``limit`` picks of one distinct outcome per source, in lexicographic order."""
    found: list[tuple[HeldOutcome, ...]] = []
    chosen: list[HeldOutcome] = []
    steps = 0

    def walk(index: int) -> None:
        nonlocal steps
        steps += 1
        if index == len(eligible):
            found.append(tuple(chosen))
            return
        for outcome in eligible[index]:
            if len(found) >= limit or steps >= MAX_ASSIGNMENT_STEPS:
                return
            if all(o.id != outcome.id for o in chosen):
                chosen.append(outcome)
                walk(index + 1)
                chosen.pop()

    walk(0)
    return found


def _offer(
    programme: Programme, rule: Rule, met: Mapping[str, MetComponent]
) -> tuple[tuple[Component, ...], tuple[Target, ...], list[Message]]:
    """The rule's open components, its elective targets, and a note on each target."""
    components: list[Component] = []
    electives: list[Target] = []
    notes: list[Message] = []
    for target in rule.targets:
        if target.kind is TargetKind.ELECTIVE:
            electives.append(target)
            notes.append(
                msg(
                    "would grant {credits} elective credits",
                    credits=str(target.credits or Decimal(0)),
                )
            )
            continue
        component = programme.component(target.component or "")
        if component is None:
            notes.append(
                msg(
                    "programme {programme} has no component {component}",
                    programme=programme.code,
                    component=target.component or "",
                )
            )
        elif component.code in met:
            notes.append(_met_note(met[component.code]))
        elif component not in components:
            components.append(component)
            notes.append(
                msg(
                    "would exempt {component} ({credits} credits)",
                    component=component.code,
                    credits=str(component.credits),
                )
            )
    return tuple(components), tuple(electives), notes


def _met_note(met: MetComponent) -> Message:
    if met.pending:
        return msg(
            "{component} is pending in conversion {conversion}",
            component=met.component.code,
            conversion=met.by,
        )
    if met.transferred:
        return msg(
            "{component} is met already by conversion {conversion}",
            component=met.component.code,
            conversion=met.by,
        )
    return msg(
        "{component} is met already by outcome {outcome}",
        component=met.component.code,
        outcome=met.by,
    )


# --- caps ----------------------------------------------------------------------------------


def _tenths(value: Decimal) -> int:
    return int((value * 10).to_integral_value(ROUND_DOWN))


def _credits(tenths: int) -> Decimal:
    return Decimal(tenths).scaleb(-1)


@dataclass(slots=True)
class _Room:
    """The caps (in tenths; None = no cap) and what is charged to them so far."""

    item_limit: int | None
    issuer_limit: int | None
    year_limit: int | None
    programme_limit: int | None
    items: dict[str, int] = field(default_factory=dict)
    issuers: dict[str, int] = field(default_factory=dict)
    year: int = 0
    total: int = 0

    @classmethod
    def start(cls, programme: Programme, prior: Iterable[PriorGrant], on: date) -> _Room:
        caps = programme.caps
        room = cls(
            _optional_tenths(caps.per_source_item),
            _optional_tenths(caps.per_issuer),
            _optional_tenths(caps.per_year),
            _optional_tenths(caps.programme_limit(programme.total_credits)),
        )
        this_year = academic_year(on)
        for grant in prior:
            amount = _tenths(grant.credits)
            room.charge(grant.source_item, grant.issuer, amount, year=False)
            if academic_year(grant.requested_on) == this_year:
                room.year += amount
        return room

    def copy(self) -> _Room:
        return _Room(
            self.item_limit,
            self.issuer_limit,
            self.year_limit,
            self.programme_limit,
            dict(self.items),
            dict(self.issuers),
            self.year,
            self.total,
        )

    def charge(self, item: str, issuer: str, amount: int, *, year: bool = True) -> None:
        """Charge ``amount`` (negative to take it back); plan grants fall in the current year."""
        self.items[item.casefold()] = self.items.get(item.casefold(), 0) + amount
        self.issuers[issuer.casefold()] = self.issuers.get(issuer.casefold(), 0) + amount
        self.total += amount
        if year:
            self.year += amount

    def item_left(self, item: str) -> int | None:
        """What the per-source-item cap still allows ``item`` (None: no cap)."""
        return _left(self.item_limit, self.items.get(item.casefold(), 0))

    def issuer_left(self, issuer: str) -> int | None:
        """What the per-issuer cap still allows ``issuer`` (None: no cap)."""
        return _left(self.issuer_limit, self.issuers.get(issuer.casefold(), 0))

    def whole(self) -> dict[CapKind, int]:
        """What the per-year and programme caps (those set) leave to the plan as a whole."""
        left = {
            CapKind.PER_YEAR: _left(self.year_limit, self.year),
            CapKind.PROGRAMME: _left(self.programme_limit, self.total),
        }
        return {kind: amount for kind, amount in left.items() if amount is not None}

    def bucket(self) -> int | None:
        """The least of :meth:`whole` (None: neither cap is set)."""
        return min(self.whole().values(), default=None)

    def residuals(self, item: str, issuer: str) -> dict[CapKind, int]:
        """What each cap (that is set) still allows a candidate charged to item and issuer."""
        left: dict[CapKind, int | None] = {
            CapKind.PER_SOURCE_ITEM: self.item_left(item),
            CapKind.PER_ISSUER: self.issuer_left(issuer),
            **self.whole(),
        }
        return {kind: amount for kind in _CAP_ORDER if (amount := left.get(kind)) is not None}

    def space(self, item: str, issuer: str) -> int | None:
        """The most a candidate charged to item and issuer may still get (None: no limit)."""
        return min(self.residuals(item, issuer).values(), default=None)

    def blocking(self, item: str, issuer: str, amount: int) -> tuple[CapKind, ...]:
        """The caps that leave less than ``amount`` to a candidate charged to item and issuer."""
        return tuple(k for k, left in self.residuals(item, issuer).items() if left < amount)


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(0, limit - used)


def _optional_tenths(value: Decimal | None) -> int | None:
    return None if value is None else _tenths(value)


def _caps_text(caps: Iterable[CapKind]) -> str:
    return ", ".join(cap.value for cap in caps)


# --- maximum flow --------------------------------------------------------------------------


class _Network:
    """A flow network with integer capacities; Edmonds-Karp (shortest augmenting paths)."""

    def __init__(self) -> None:
        self.edges: list[list[int]] = []
        self.head: list[int] = []
        self.capacity: list[int] = []

    def node(self) -> int:
        self.edges.append([])
        return len(self.edges) - 1

    def add(self, tail: int, head: int, capacity: int) -> int:
        """Add an edge and its reverse; return the edge's index."""
        edge = len(self.head)
        self.head += [head, tail]
        self.capacity += [capacity, 0]
        self.edges[tail].append(edge)
        self.edges[head].append(edge + 1)
        return edge

    def flow(self, edge: int) -> int:
        return self.capacity[edge ^ 1]

    def push(self, path: Sequence[int]) -> int:
        """Push what ``path`` (a list of edges) still carries; return how much."""
        amount = min(self.capacity[edge] for edge in path)
        for edge in path:
            self.capacity[edge] -= amount
            self.capacity[edge ^ 1] += amount
        return amount

    def saturated(self, edge: int) -> bool:
        return self.capacity[edge] == 0

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            reached = {source: -1}
            queue = deque([source])
            while queue and sink not in reached:
                node = queue.popleft()
                for edge in self.edges[node]:
                    head = self.head[edge]
                    if self.capacity[edge] > 0 and head not in reached:
                        reached[head] = edge
                        queue.append(head)
            if sink not in reached:
                return total
            path: list[int] = []
            node = sink
            while node != source:
                edge = reached[node]
                path.append(edge)
                node = self.head[edge ^ 1]
            total += self.push(path)


# --- variants and their value ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Variant:
    """A candidate granted with a subset of its open components (and its electives)."""

    candidate: Candidate
    components: tuple[Component, ...]
    outcomes: frozenset[str]
    codes: frozenset[str]
    rule_key: str
    item: str
    issuer: str
    component_tenths: int
    elective_tenths: int
    share: int
    """Its offer per source, in 1/60ths of a tenth (rounded up): for the search's bound."""
    credits: tuple[tuple[str, int], ...]
    """Each of its components' code and credits in tenths."""
    offer: int
    """Its components' and electives' credits, in tenths."""

    @classmethod
    def of(cls, candidate: Candidate, components: tuple[Component, ...]) -> _Variant:
        component_tenths = sum(_tenths(c.credits) for c in components)
        elective_tenths = _tenths(candidate.elective_credits)
        offer = component_tenths + elective_tenths
        return cls(
            candidate,
            components,
            frozenset(o.id for o in candidate.sources),
            frozenset(c.code for c in components),
            candidate.rule.code.casefold(),
            candidate.item.casefold(),
            candidate.issuer.casefold(),
            component_tenths,
            elective_tenths,
            -(-offer * _SHARE_SCALE // len(candidate.sources)),
            tuple((c.code, _tenths(c.credits)) for c in components),
            offer,
        )

    def key(self) -> tuple[int, str, int, int, tuple[str, ...], int, tuple[str, ...]]:
        """The search order: larger offers first, ties by rule, outcome ids, components."""
        rule = self.candidate.rule
        return (
            -self.offer,
            rule.code,
            rule.version,
            rule.id,
            tuple(o.id for o in self.candidate.sources),
            -len(self.components),
            tuple(c.code for c in self.components),
        )


def _variants(candidate: Candidate) -> list[_Variant]:
    components = candidate.components
    if len(components) <= MAX_SPLIT_COMPONENTS:
        subsets = [
            subset
            for size in range(len(components), -1, -1)
            for subset in itertools.combinations(components, size)
        ]
    else:
        subsets = [components, ()]
    has_electives = _tenths(candidate.elective_credits) > 0
    return [_Variant.of(candidate, s) for s in subsets if s or has_electives]


@dataclass(frozen=True, slots=True)
class _Pick:
    """A variant in a plan, with the elective credits it gets and the caps that cut them."""

    variant: _Variant
    electives: int
    cut_by: tuple[CapKind, ...]


def _max_electives(chosen: Sequence[_Variant], room: _Room) -> tuple[int, list[_Pick]]:
    """The most elective credits ``chosen`` may get in ``room`` (after their components):
    a maximum flow from the source through item buckets (the per-source-item cap), the
    variants (their elective credits) and issuer buckets (the per-issuer cap) into one bucket
    for the plan as a whole (the per-year and programme caps)."""
    picks = [_Pick(v, 0, ()) for v in chosen]
    takers = [n for n, v in enumerate(chosen) if v.elective_tenths > 0]
    if not takers:
        return 0, picks
    whole = room.bucket()
    if _all_fit([chosen[n] for n in takers], room, whole):
        return sum(v.elective_tenths for v in chosen), [
            _Pick(v, v.elective_tenths, ()) for v in chosen
        ]
    unlimited = sum(chosen[n].elective_tenths for n in takers) + 1
    net = _Network()
    source, sink, bucket = net.node(), net.node(), net.node()
    items: dict[str, tuple[int, int]] = {}
    issuers: dict[str, tuple[int, int]] = {}
    offers: dict[int, int] = {}
    paths: list[list[int]] = []
    for n in takers:
        variant = chosen[n]
        if variant.item not in items:
            node, left = net.node(), room.item_left(variant.item)
            items[variant.item] = (node, net.add(source, node, _or(left, unlimited)))
        if variant.issuer not in issuers:
            node, left = net.node(), room.issuer_left(variant.issuer)
            issuers[variant.issuer] = (node, net.add(node, bucket, _or(left, unlimited)))
        node = net.node()
        offers[n] = net.add(items[variant.item][0], node, variant.elective_tenths)
        middle = net.add(node, issuers[variant.issuer][0], unlimited)
        paths.append([items[variant.item][1], offers[n], middle, issuers[variant.issuer][1]])
    final = net.add(bucket, sink, _or(whole, unlimited))
    # Each variant's own path first (most of the flow, cheaply), then augmenting paths.
    total = sum(net.push([*path, final]) for path in paths)
    total += net.max_flow(source, sink)
    binding = [kind for kind, left in room.whole().items() if left == whole]
    for n, edge in offers.items():
        variant = chosen[n]
        granted = net.flow(edge)
        cut: list[CapKind] = []
        if granted < variant.elective_tenths:
            if room.item_limit is not None and net.saturated(items[variant.item][1]):
                cut.append(CapKind.PER_SOURCE_ITEM)
            if room.issuer_limit is not None and net.saturated(issuers[variant.issuer][1]):
                cut.append(CapKind.PER_ISSUER)
            if whole is not None and net.saturated(final):
                cut.extend(binding)
        picks[n] = _Pick(variant, granted, tuple(cut))
    return total, picks


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _all_fit(variants: Sequence[_Variant], room: _Room, whole: int | None) -> bool:
    """Whether every variant may get all its elective credits (so no flow is needed)."""
    items: dict[str, int] = {}
    issuers: dict[str, int] = {}
    for variant in variants:
        items[variant.item] = items.get(variant.item, 0) + variant.elective_tenths
        issuers[variant.issuer] = issuers.get(variant.issuer, 0) + variant.elective_tenths
    return (
        (whole is None or sum(items.values()) <= whole)
        and (
            room.item_limit is None
            or all(amount <= _or(room.item_left(item), 0) for item, amount in items.items())
        )
        and (
            room.issuer_limit is None
            or all(amount <= _or(room.issuer_left(key), 0) for key, amount in issuers.items())
        )
    )


def _evaluate(chosen: Sequence[_Variant], start: _Room) -> tuple[int, list[_Pick], _Room]:
    """The value of ``chosen`` from ``start``: components whole, then the most electives."""
    room = start.copy()
    for variant in chosen:
        room.charge(variant.item, variant.issuer, variant.component_tenths)
    electives, picks = _max_electives(chosen, room)
    for pick in picks:
        room.charge(pick.variant.item, pick.variant.issuer, pick.electives)
    return sum(v.component_tenths for v in chosen) + electives, picks, room


# --- the search ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    """An exact value of the chosen variants, with the elective credits of its best flow per
    item and issuer: a child whose electives fit beside them needs no flow of its own."""

    value: int
    items: dict[str, int]
    issuers: dict[str, int]
    electives: int

    def add(self, variant: _Variant, electives: int) -> _State:
        items, issuers = dict(self.items), dict(self.issuers)
        items[variant.item] = items.get(variant.item, 0) + electives
        issuers[variant.issuer] = issuers.get(variant.issuer, 0) + electives
        return _State(
            self.value + variant.component_tenths + electives,
            items,
            issuers,
            self.electives + electives,
        )


class _Search:
    """Depth-first include/exclude over the variants, best offers first, with a bound."""

    def __init__(self, variants: Sequence[_Variant], room: _Room, budget: int) -> None:
        self.variants = variants
        self.start = room
        self.room = room.copy()
        self.budget = budget
        self.nodes = 0
        self.exhaustive = True
        self.chosen: list[_Variant] = []
        self.outcomes: set[str] = set()
        self.codes: set[str] = set()
        self.rules: set[str] = set()
        self.components = 0
        self.best_value = -1
        self.best: tuple[_Variant, ...] = ()
        self.seeded = False
        self.whole = room.bucket()
        self.states: list[_State | None] = [_State(0, {}, {}, 0)]

    def seed(self, chosen: Sequence[_Variant]) -> None:
        """Start from ``chosen``; the search replaces it with the first set it finds that is at
        least as good, so that the result does not depend on the order of the candidates."""
        self.best_value, _, _ = _evaluate(chosen, self.start)
        self.best = tuple(chosen)
        self.seeded = True

    def run(self) -> None:
        self._walk(0, 0)

    def _fits(self, variant: _Variant) -> bool:
        return (
            variant.rule_key not in self.rules
            and not variant.outcomes & self.outcomes
            and not variant.codes & self.codes
        )

    def _walk(self, start: int, value: int) -> None:
        """Search the sets that add variants from ``start`` on to the chosen ones (of ``value``).

        Including a variant recurses; excluding it moves on in the loop, so the depth is the
        number of variants chosen."""
        for index in range(start, len(self.variants)):
            if self.nodes >= self.budget:
                self.exhaustive = False
                return
            variant = self.variants[index]
            if not self._fits(variant):
                continue
            self.nodes += 1
            remaining = [v for v in self.variants[index:] if self._fits(v)]
            if not self._promising(value, remaining, self.best_value + (not self.seeded)):
                return
            if self.room.blocking(variant.item, variant.issuer, variant.component_tenths):
                continue
            self._take(variant, 1)
            state = self._extend(variant)
            if state is None:
                # At most the parent's value plus the offer (and what the caps allow); computed
                # exactly only when it may beat the best (the bound stays an upper bound).
                included = min(value + variant.offer, self._caps_bound(self.chosen))
                if included >= self.best_value + (not self.seeded):
                    state = self._exact()
            if state is not None:
                included = state.value
                if included > self.best_value or (self.seeded and included == self.best_value):
                    self.best_value, self.best = included, tuple(self.chosen)
                    self.seeded = False
            self.states.append(state)
            self._walk(index + 1, included)
            self.states.pop()
            self._take(variant, -1)

    def _extend(self, variant: _Variant) -> _State | None:
        """The exact state with ``variant`` added (its components already charged), when the
        parent's flow still fits and the variant's electives fit whole beside it; else None."""
        parent = self.states[-1]
        if parent is None:
            return None
        lefts = [
            left - used
            for left, used in (
                (self.room.item_left(variant.item), parent.items.get(variant.item, 0)),
                (self.room.issuer_left(variant.issuer), parent.issuers.get(variant.issuer, 0)),
                (self.room.bucket(), parent.electives),
            )
            if left is not None
        ]
        if min(lefts, default=variant.elective_tenths) < variant.elective_tenths:
            return None
        return parent.add(variant, variant.elective_tenths)

    def _exact(self) -> _State:
        electives, picks = _max_electives(self.chosen, self.room)
        items: dict[str, int] = {}
        issuers: dict[str, int] = {}
        for pick in picks:
            items[pick.variant.item] = items.get(pick.variant.item, 0) + pick.electives
            issuers[pick.variant.issuer] = issuers.get(pick.variant.issuer, 0) + pick.electives
        return _State(self.components + electives, items, issuers, electives)

    def _take(self, variant: _Variant, sign: int) -> None:
        self.room.charge(variant.item, variant.issuer, sign * variant.component_tenths)
        self.components += sign * variant.component_tenths
        if sign > 0:
            self.chosen.append(variant)
            self.outcomes |= variant.outcomes
            self.codes |= variant.codes
            self.rules.add(variant.rule_key)
        else:
            self.chosen.pop()
            self.outcomes -= variant.outcomes
            self.codes -= variant.codes
            self.rules.discard(variant.rule_key)

    def _promising(self, value: int, remaining: Sequence[_Variant], threshold: int) -> bool:
        """Whether an upper bound on the value of the chosen variants (``value`` or less) plus
        any of ``remaining`` reaches ``threshold``; the cheaper bounds first."""
        if self.whole is not None and self.whole < threshold:
            return False
        per_outcome: dict[str, int] = {}
        per_rule: dict[str, int] = {}
        electives: dict[str, int] = {}
        components: dict[str, int] = {}
        for variant in remaining:
            rule = variant.rule_key
            per_rule[rule] = max(per_rule.get(rule, 0), variant.offer)
            electives[rule] = max(electives.get(rule, 0), variant.elective_tenths)
            components.update(variant.credits)
            for outcome in variant.outcomes:
                per_outcome[outcome] = max(per_outcome.get(outcome, 0), variant.share)
        added = min(
            sum(per_rule.values()),
            -(-sum(per_outcome.values()) // _SHARE_SCALE),
            sum(components.values()) + sum(electives.values()),
        )
        return (
            value + added >= threshold and self._caps_bound([*self.chosen, *remaining]) >= threshold
        )

    def _caps_bound(self, variants: Sequence[_Variant]) -> int:
        """An upper bound on what the caps let any set of ``variants`` (one per rule) grant:
        every credit is charged to one item and one issuer, and counts for the whole plan."""
        bounds = [] if self.whole is None else [self.whole]
        for limit, key in ((self.start.item_limit, "item"), (self.start.issuer_limit, "issuer")):
            if limit is None:
                continue
            best: dict[tuple[str, str], int] = {}
            for variant in variants:
                pair = (variant.item if key == "item" else variant.issuer, variant.rule_key)
                best[pair] = max(best.get(pair, 0), variant.offer)
            offered: dict[str, int] = {}
            for (name, _), offer in best.items():
                offered[name] = offered.get(name, 0) + offer
            used = self.start.items if key == "item" else self.start.issuers
            bounds.append(
                sum(
                    min(total, max(0, limit - used.get(name, 0))) for name, total in offered.items()
                )
            )
        return min(bounds, default=sum(v.offer for v in variants))


def _greedy(found: Sequence[Candidate], start: _Room) -> list[_Pick]:
    """Rule by rule in the order of ``found``: the first candidate whose outcomes are free,
    its components each if it fits whole, its electives cut to what the caps leave."""
    room = start.copy()
    picks: list[_Pick] = []
    outcomes: set[str] = set()
    codes: set[str] = set()
    rules: set[str] = set()
    for _, group in itertools.groupby(found, key=lambda c: c.rule):
        candidate = next((c for c in group if not {o.id for o in c.sources} & outcomes), None)
        if candidate is None or candidate.rule.code.casefold() in rules:
            continue
        components: list[Component] = []
        for component in candidate.components:
            amount = _tenths(component.credits)
            if component.code not in codes and not room.blocking(
                candidate.item, candidate.issuer, amount
            ):
                room.charge(candidate.item, candidate.issuer, amount)
                components.append(component)
        wanted = _tenths(candidate.elective_credits)
        space = room.space(candidate.item, candidate.issuer)
        granted = wanted if space is None else min(wanted, space)
        cut = room.blocking(candidate.item, candidate.issuer, wanted) if granted < wanted else ()
        room.charge(candidate.item, candidate.issuer, granted)
        if not components and granted == 0:
            continue
        variant = _Variant.of(candidate, tuple(components))
        picks.append(_Pick(variant, granted, cut))
        outcomes |= variant.outcomes
        codes |= variant.codes
        rules.add(variant.rule_key)
    return picks


# --- plans -----------------------------------------------------------------------------------


def best_plan(
    programme: Programme,
    candidates: Sequence[Candidate],
    prior: Sequence[PriorGrant],
    on: date,
    *,
    budget: int = SEARCH_BUDGET,
) -> Plan:
    """The set of candidates that grants the most credits under the caps, explained.

    The search starts from the greedy plan in the order of ``candidates`` and visits at most
    ``budget`` nodes; ``Plan.exhaustive`` says whether it finished.
    """
    start = _Room.start(programme, prior, on)
    variants = sorted(
        (v for candidate in candidates for v in _variants(candidate)), key=_Variant.key
    )
    search = _Search(variants, start, budget)
    search.seed([pick.variant for pick in _greedy(candidates, start)])
    search.run()
    chosen = sorted(search.best, key=_Variant.key)
    _, picks, _ = _evaluate(chosen, start)
    kept = [p.variant for p in picks if p.variant.component_tenths or p.electives]
    _, picks, room = _evaluate(kept, start)
    return _plan(candidates, picks, room, exhaustive=search.exhaustive)


def greedy_plan(
    programme: Programme,
    rules_in_order: Sequence[Rule],
    outcomes: Sequence[HeldOutcome],
    prior: Sequence[PriorGrant],
    on: date,
) -> Plan:
    """The baseline: each rule in turn takes its best free candidate, if it grants anything,
    with its components whole where they fit and its electives cut to what the caps leave.
    Not a search, so ``exhaustive`` is False."""
    _, found = candidates(programme, rules_in_order, outcomes, prior, on)
    start = _Room.start(programme, prior, on)
    picks = _greedy(found, start)
    room = start.copy()
    for pick in picks:
        variant = pick.variant
        room.charge(variant.item, variant.issuer, variant.component_tenths + pick.electives)
    return _plan(found, picks, room, exhaustive=False)


def _plan(
    found: Sequence[Candidate], picks: Sequence[_Pick], room: _Room, *, exhaustive: bool
) -> Plan:
    """The grants of ``picks`` (in candidate order) and why each other candidate is left out."""
    order = {id(c): n for n, c in enumerate(found)}
    picks = sorted(picks, key=lambda p: order.get(id(p.variant.candidate), len(order)))
    grants = [grant for pick in picks for grant in _grants(pick)]
    passed: list[PassedOver] = []
    by_candidate = {id(p.variant.candidate): p for p in picks}
    for candidate in found:
        pick = by_candidate.get(id(candidate))
        if pick is None:
            passed.append(
                PassedOver(candidate.rule, candidate.sources, _why_not(candidate, picks, room))
            )
            continue
        passed.extend(
            PassedOver(candidate.rule, candidate.sources, _why_not_component(c, picks, room, pick))
            for c in candidate.components
            if c not in pick.variant.components
        )
    total = sum((g.granted for g in grants), Decimal(0))
    return Plan(tuple(grants), tuple(passed), total, exhaustive)


def _sources_text(sources: Iterable[HeldOutcome]) -> str:
    return ", ".join(o.id for o in sources)


def _grants(pick: _Pick) -> list[Grant]:
    candidate = pick.variant.candidate
    label, sources = candidate.rule.label, _sources_text(candidate.sources)
    grants = [
        Grant(
            candidate.rule,
            candidate.sources,
            _component_target(candidate.rule, component),
            component.credits,
            component.credits,
            (),
            msg(
                "rule {rule} exempts {component} ({credits} credits) for {sources}",
                rule=label,
                component=component.code,
                credits=str(component.credits),
                sources=sources,
            ),
        )
        for component in pick.variant.components
    ]
    left = pick.electives
    for target in candidate.electives:
        allowed = target.credits or Decimal(0)
        granted = min(left, _tenths(allowed))
        left -= granted
        if granted == 0:
            continue
        if granted < _tenths(allowed):
            cut_by = pick.cut_by
            reason = msg(
                "rule {rule} grants {granted} elective credits for {sources}, "
                "cut from {allowed} by the {caps} cap",
                rule=label,
                granted=str(_credits(granted)),
                sources=sources,
                allowed=str(allowed),
                caps=_caps_text(cut_by),
            )
        else:
            cut_by = ()
            reason = msg(
                "rule {rule} grants {credits} elective credits for {sources}",
                rule=label,
                credits=str(allowed),
                sources=sources,
            )
        grants.append(
            Grant(
                candidate.rule,
                candidate.sources,
                target,
                allowed,
                _credits(granted),
                cut_by,
                reason,
            )
        )
    return grants


def _component_target(rule: Rule, component: Component) -> Target:
    return next(
        t
        for t in rule.targets
        if t.kind is TargetKind.COMPONENT
        and (t.component or "").casefold() == component.code.casefold()
    )


def _why_not(candidate: Candidate, picks: Sequence[_Pick], room: _Room) -> Message:
    for pick in picks:
        chosen = pick.variant.candidate
        if chosen.rule.code.casefold() == candidate.rule.code.casefold():
            return msg(
                "rule {rule} is applied with outcomes {sources}",
                rule=chosen.rule.label,
                sources=_sources_text(chosen.sources),
            )
    for outcome in candidate.sources:
        for pick in picks:
            if outcome.id in pick.variant.outcomes:
                return msg(
                    "outcome {outcome} is used by rule {rule}",
                    outcome=outcome.id,
                    rule=pick.variant.candidate.rule.label,
                )
    for component in candidate.components:
        for pick in picks:
            if component.code in pick.variant.codes:
                return msg(
                    "{component} is exempted by rule {rule}",
                    component=component.code,
                    rule=pick.variant.candidate.rule.label,
                )
    needed = (
        1 if candidate.elective_credits else min(_tenths(c.credits) for c in candidate.components)
    )
    blocked = room.blocking(candidate.item, candidate.issuer, needed)
    if blocked:
        return msg("the {caps} cap leaves no room", caps=_caps_text(blocked))
    return msg("the plan reaches more credits without it")


def _why_not_component(
    component: Component, picks: Sequence[_Pick], room: _Room, own: _Pick
) -> Message:
    for pick in picks:
        if component.code in pick.variant.codes:
            return msg(
                "{component} is exempted by rule {rule}",
                component=component.code,
                rule=pick.variant.candidate.rule.label,
            )
    candidate = own.variant.candidate
    blocked = room.blocking(candidate.item, candidate.issuer, _tenths(component.credits))
    if blocked:
        return msg(
            "the {caps} cap leaves no room for {component} ({credits} credits)",
            caps=_caps_text(blocked),
            component=component.code,
            credits=str(component.credits),
        )
    return msg(
        "the plan reaches more credits without exempting {component}", component=component.code
    )


# --- progress --------------------------------------------------------------------------------


def audit(
    programme: Programme,
    rules: Sequence[Rule],
    outcomes: Sequence[HeldOutcome],
    prior: Sequence[PriorGrant],
    on: date,
) -> Progress:
    """The learner's progress toward ``programme`` on ``on``: rule checks and the best plan."""
    checks, found = candidates(programme, rules, outcomes, prior, on)
    plan = best_plan(programme, found, prior, on)
    met = met_components(programme, outcomes, prior)
    held: dict[str, Decimal] = {}
    everything: dict[str, Decimal] = {}
    credits_held = credits_pending = Decimal(0)
    for entry in met:
        _add(everything, entry.component.category, entry.component.credits)
        if entry.pending:
            credits_pending += entry.component.credits
        else:
            _add(held, entry.component.category, entry.component.credits)
            credits_held += entry.component.credits
    for grant in prior:
        if grant.target.kind is TargetKind.ELECTIVE:
            _add(everything, grant.target.category, grant.credits)
            if grant.confirmed:
                _add(held, grant.target.category, grant.credits)
                credits_held += grant.credits
            else:
                credits_pending += grant.credits
    planned: set[str] = set()
    for g in plan.grants:
        component = _component_of(programme, g.target)
        if component is not None:
            planned.add(component.code)
        category = g.target.category if component is None else component.category
        _add(everything, category, g.granted)
    covered = planned | {m.component.code for m in met}
    missing = tuple(c for c in programme.components if c.code not in covered)
    mandatory_missing = tuple(c for c in missing if c.mandatory)
    min_level_met = _min_level_met(programme, outcomes)
    credits_with_plan = credits_held + credits_pending + plan.total
    complete = (
        credits_with_plan >= programme.total_credits
        and all(everything.get(k, Decimal(0)) >= v for k, v in programme.category_credits.items())
        and not mandatory_missing
        and min_level_met is not False
    )
    return Progress(
        programme,
        on,
        met,
        credits_held,
        credits_pending,
        held,
        missing,
        mandatory_missing,
        min_level_met,
        tuple(checks),
        plan,
        credits_with_plan,
        complete,
    )


def _add(totals: dict[str, Decimal], category: str, amount: Decimal) -> None:
    if category:
        totals[category] = totals.get(category, Decimal(0)) + amount


def _min_level_met(programme: Programme, outcomes: Iterable[HeldOutcome]) -> bool | None:
    bar = programme.min_level
    if bar is None:
        return None
    return any(_at_level(bar, outcome, at_least=True) for outcome in outcomes)
