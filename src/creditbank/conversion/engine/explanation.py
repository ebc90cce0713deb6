"""Explanation: a plan's grants, each with its reason, and why each candidate is left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from creditbank.conversion.engine.caps import Room, caps_text, from_tenths, to_tenths
from creditbank.conversion.engine.results import Candidate, Grant, PassedOver, Plan
from creditbank.conversion.engine.variants import Pick
from creditbank.conversion.model import Component, HeldOutcome, Rule, Target, TargetKind
from creditbank.messages import Message, msg


def explain_plan(
    found: Sequence[Candidate], picks: Sequence[Pick], room: Room, *, exhaustive: bool
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


def _grants(pick: Pick) -> list[Grant]:
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
        granted = min(left, to_tenths(allowed))
        left -= granted
        if granted == 0:
            continue
        if granted < to_tenths(allowed):
            cut_by = pick.cut_by
            reason = msg(
                "rule {rule} grants {granted} elective credits for {sources}, "
                "cut from {allowed} by the {caps} cap",
                rule=label,
                granted=str(from_tenths(granted)),
                sources=sources,
                allowed=str(allowed),
                caps=caps_text(cut_by),
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
                from_tenths(granted),
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


def _why_not(candidate: Candidate, picks: Sequence[Pick], room: Room) -> Message:
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
        1 if candidate.elective_credits else min(to_tenths(c.credits) for c in candidate.components)
    )
    blocked = room.blocking(candidate.item, candidate.issuer, needed)
    if blocked:
        return msg("the {caps} cap leaves no room", caps=caps_text(blocked))
    return msg("the plan reaches more credits without it")


def _why_not_component(
    component: Component, picks: Sequence[Pick], room: Room, own: Pick
) -> Message:
    for pick in picks:
        if component.code in pick.variant.codes:
            return msg(
                "{component} is exempted by rule {rule}",
                component=component.code,
                rule=pick.variant.candidate.rule.label,
            )
    candidate = own.variant.candidate
    blocked = room.blocking(candidate.item, candidate.issuer, to_tenths(component.credits))
    if blocked:
        return msg(
            "the {caps} cap leaves no room for {component} ({credits} credits)",
            caps=caps_text(blocked),
            component=component.code,
            credits=str(component.credits),
        )
    return msg(
        "the plan reaches more credits without exempting {component}", component=component.code
    )
