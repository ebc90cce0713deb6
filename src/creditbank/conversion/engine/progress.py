"""Progress: where a learner stands toward a programme, with and without the best plan."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from creditbank.conversion.engine.matching import at_level, candidates, component_of, met_components
from creditbank.conversion.engine.results import Progress
from creditbank.conversion.engine.search import best_plan
from creditbank.conversion.model import HeldOutcome, PriorGrant, Programme, Rule, TargetKind


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
        component = component_of(programme, g.target)
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
    return any(at_level(bar, outcome, at_least=True) for outcome in outcomes)
