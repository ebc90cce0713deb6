"""The search for the best plan: depth-first include/exclude over the variants, with bounds.

It starts from the greedy plan and visits at most ``budget`` nodes (:data:`SEARCH_BUDGET`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from creditbank.conversion.engine.caps import Room, to_tenths
from creditbank.conversion.engine.explanation import explain_plan
from creditbank.conversion.engine.matching import candidates
from creditbank.conversion.engine.results import Candidate, Plan
from creditbank.conversion.engine.variants import (
    SHARE_SCALE,
    Pick,
    Variant,
    evaluate,
    max_electives,
    variants_of,
)
from creditbank.conversion.model import Component, HeldOutcome, PriorGrant, Programme, Rule

SEARCH_BUDGET = 50_000
"""The most nodes the plan search visits before it settles for the best found so far."""


@dataclass(frozen=True, slots=True)
class _State:
    """An exact value of the chosen variants, with the elective credits of its best flow per
    item and issuer: a child whose electives fit beside them needs no flow of its own."""

    value: int
    items: dict[str, int]
    issuers: dict[str, int]
    electives: int

    def add(self, variant: Variant, electives: int) -> _State:
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

    def __init__(self, variants: Sequence[Variant], room: Room, budget: int) -> None:
        self.variants = variants
        self.start = room
        self.room = room.copy()
        self.budget = budget
        self.nodes = 0
        self.exhaustive = True
        self.chosen: list[Variant] = []
        self.outcomes: set[str] = set()
        self.codes: set[str] = set()
        self.rules: set[str] = set()
        self.components = 0
        self.best_value = -1
        self.best: tuple[Variant, ...] = ()
        self.seeded = False
        self.whole = room.bucket()
        self.states: list[_State | None] = [_State(0, {}, {}, 0)]

    def seed(self, chosen: Sequence[Variant]) -> None:
        """Start from ``chosen``; the search replaces it with the first set it finds that is at
        least as good, so that the result does not depend on the order of the candidates."""
        self.best_value, _, _ = evaluate(chosen, self.start)
        self.best = tuple(chosen)
        self.seeded = True

    def run(self) -> None:
        self._walk(0, 0)

    def _fits(self, variant: Variant) -> bool:
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

    def _extend(self, variant: Variant) -> _State | None:
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
        electives, picks = max_electives(self.chosen, self.room)
        items: dict[str, int] = {}
        issuers: dict[str, int] = {}
        for pick in picks:
            items[pick.variant.item] = items.get(pick.variant.item, 0) + pick.electives
            issuers[pick.variant.issuer] = issuers.get(pick.variant.issuer, 0) + pick.electives
        return _State(self.components + electives, items, issuers, electives)

    def _take(self, variant: Variant, sign: int) -> None:
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

    def _promising(self, value: int, remaining: Sequence[Variant], threshold: int) -> bool:
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
            -(-sum(per_outcome.values()) // SHARE_SCALE),
            sum(components.values()) + sum(electives.values()),
        )
        return (
            value + added >= threshold and self._caps_bound([*self.chosen, *remaining]) >= threshold
        )

    def _caps_bound(self, variants: Sequence[Variant]) -> int:
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


def _greedy(found: Sequence[Candidate], start: Room) -> list[Pick]:
    """Rule by rule in the order of ``found``: the first candidate whose outcomes are free,
    its components each if it fits whole, its electives cut to what the caps leave."""
    room = start.copy()
    picks: list[Pick] = []
    outcomes: set[str] = set()
    codes: set[str] = set()
    rules: set[str] = set()
    for _, group in itertools.groupby(found, key=lambda c: c.rule):
        candidate = next((c for c in group if not {o.id for o in c.sources} & outcomes), None)
        if candidate is None or candidate.rule.code.casefold() in rules:
            continue
        components: list[Component] = []
        for component in candidate.components:
            amount = to_tenths(component.credits)
            if component.code not in codes and not room.blocking(
                candidate.item, candidate.issuer, amount
            ):
                room.charge(candidate.item, candidate.issuer, amount)
                components.append(component)
        wanted = to_tenths(candidate.elective_credits)
        space = room.space(candidate.item, candidate.issuer)
        granted = wanted if space is None else min(wanted, space)
        cut = room.blocking(candidate.item, candidate.issuer, wanted) if granted < wanted else ()
        room.charge(candidate.item, candidate.issuer, granted)
        if not components and granted == 0:
            continue
        variant = Variant.of(candidate, tuple(components))
        picks.append(Pick(variant, granted, cut))
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
    start = Room.start(programme, prior, on)
    variants = sorted(
        (v for candidate in candidates for v in variants_of(candidate)), key=Variant.key
    )
    search = _Search(variants, start, budget)
    search.seed([pick.variant for pick in _greedy(candidates, start)])
    search.run()
    chosen = sorted(search.best, key=Variant.key)
    _, picks, _ = evaluate(chosen, start)
    kept = [p.variant for p in picks if p.variant.component_tenths or p.electives]
    _, picks, room = evaluate(kept, start)
    return explain_plan(candidates, picks, room, exhaustive=search.exhaustive)


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
    start = Room.start(programme, prior, on)
    picks = _greedy(found, start)
    room = start.copy()
    for pick in picks:
        variant = pick.variant
        room.charge(variant.item, variant.issuer, variant.component_tenths + pick.electives)
    return explain_plan(found, picks, room, exhaustive=False)
