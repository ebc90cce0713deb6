"""Variants: a candidate granted with a subset of its open components, and their value.

The value of a set of variants does not depend on their order: their components (which must
fit every cap whole) plus the most elective credits the remaining room allows, an exact maximum
flow in tenths of a credit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from creditbank.conversion.engine.caps import Room, to_tenths
from creditbank.conversion.engine.flow import Network
from creditbank.conversion.engine.results import Candidate
from creditbank.conversion.model import CapKind, Component

MAX_SPLIT_COMPONENTS = 4
"""Up to this many open components, a candidate may be granted with any subset of them."""
SHARE_SCALE = 60
"""A multiple of every source count up to five: a candidate's offer split evenly per source."""


@dataclass(frozen=True, slots=True)
class Variant:
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
    def of(cls, candidate: Candidate, components: tuple[Component, ...]) -> Variant:
        component_tenths = sum(to_tenths(c.credits) for c in components)
        elective_tenths = to_tenths(candidate.elective_credits)
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
            -(-offer * SHARE_SCALE // len(candidate.sources)),
            tuple((c.code, to_tenths(c.credits)) for c in components),
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


def variants_of(candidate: Candidate) -> list[Variant]:
    components = candidate.components
    if len(components) <= MAX_SPLIT_COMPONENTS:
        subsets = [
            subset
            for size in range(len(components), -1, -1)
            for subset in itertools.combinations(components, size)
        ]
    else:
        subsets = [components, ()]
    has_electives = to_tenths(candidate.elective_credits) > 0
    return [Variant.of(candidate, s) for s in subsets if s or has_electives]


@dataclass(frozen=True, slots=True)
class Pick:
    """A variant in a plan, with the elective credits it gets and the caps that cut them."""

    variant: Variant
    electives: int
    cut_by: tuple[CapKind, ...]


def max_electives(chosen: Sequence[Variant], room: Room) -> tuple[int, list[Pick]]:
    """The most elective credits ``chosen`` may get in ``room`` (after their components):
    a maximum flow from the source through item buckets (the per-source-item cap), the
    variants (their elective credits) and issuer buckets (the per-issuer cap) into one bucket
    for the plan as a whole (the per-year and programme caps)."""
    picks = [Pick(v, 0, ()) for v in chosen]
    takers = [n for n, v in enumerate(chosen) if v.elective_tenths > 0]
    if not takers:
        return 0, picks
    whole = room.bucket()
    if _all_fit([chosen[n] for n in takers], room, whole):
        return sum(v.elective_tenths for v in chosen), [
            Pick(v, v.elective_tenths, ()) for v in chosen
        ]
    unlimited = sum(chosen[n].elective_tenths for n in takers) + 1
    net = Network()
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
        picks[n] = Pick(variant, granted, tuple(cut))
    return total, picks


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _all_fit(variants: Sequence[Variant], room: Room, whole: int | None) -> bool:
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


def evaluate(chosen: Sequence[Variant], start: Room) -> tuple[int, list[Pick], Room]:
    """The value of ``chosen`` from ``start``: components whole, then the most electives."""
    room = start.copy()
    for variant in chosen:
        room.charge(variant.item, variant.issuer, variant.component_tenths)
    electives, picks = max_electives(chosen, room)
    for pick in picks:
        room.charge(pick.variant.item, pick.variant.issuer, pick.electives)
    return sum(v.component_tenths for v in chosen) + electives, picks, room
