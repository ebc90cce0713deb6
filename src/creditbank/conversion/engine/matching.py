"""Matching: which outcomes fill a rule's sources, which conditions they fail, what is met.

A rule in force gives *candidates*: distinct available outcomes for its sources (ranked by
higher score, then newer assessment, then id; at most :data:`MAX_CANDIDATES_PER_RULE` per rule)
and the open components and electives it would grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from creditbank.conversion.engine.results import Candidate, MetComponent, RuleCheck
from creditbank.conversion.model import (
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
    years_before,
)
from creditbank.messages import Message, msg

MAX_CANDIDATES_PER_RULE = 8
"""The most ways of applying one rule the engine considers."""
MAX_ASSIGNMENT_STEPS = 10_000
"""The most steps spent looking for the distinct outcomes of one rule's sources."""


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
    if spec.level is not None and not at_level(spec.level, outcome, at_least=spec.at_least):
        return msg(
            "outcome {outcome} is at {level}, not {expected}",
            outcome=outcome.id,
            level=f"{outcome.framework}:{outcome.level}",
            expected=f"{spec.level}{'+' if spec.at_least else ''}",
        )
    return None


def at_level(bar: LevelBar, outcome: HeldOutcome, *, at_least: bool) -> bool:
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
        component = component_of(programme, grant.target)
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


def component_of(programme: Programme, target: Target) -> Component | None:
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
