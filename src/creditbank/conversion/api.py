"""What other areas (and the demo) may use of credit conversion: functions and plain data.

These are the stores' functions, which check no policy: the demo and the accounts area's
withdrawal hook act as the bank itself. Entry points call the handlers
(:mod:`creditbank.conversion.programmes`, ``rules``, ``requests``, ``views``) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from creditbank.conversion import engine
from creditbank.conversion import tables as _tables
from creditbank.conversion.conversion_reads import (
    Conversion,
    ConversionStatus,
    get_conversion,
    list_conversions,
)
from creditbank.conversion.conversion_store import (
    confirm_conversion,
    request_conversion,
    source_withdrawn,
)
from creditbank.conversion.model import Programme, Rule
from creditbank.conversion.programme_store import (
    ProgrammeSpec,
    create_programme,
    get_programme,
    programme_of,
)
from creditbank.conversion.progress import LearnerProgress, held_outcomes, prior_grants, progress
from creditbank.conversion.rule_store import (
    RuleVersion,
    approve_rule,
    draft_rule,
    engine_rules,
    get_rule,
    list_rules,
    submit_rule,
)
from creditbank.conversion.statistics import conversion_facts
from creditbank.db import UnitOfWork


@dataclass(frozen=True, slots=True)
class RulesInForce:
    """The programmes that have an approved rule in force on a date, each with its rules as the
    engine takes them (loaded once, for the progress of many learners)."""

    on: date
    programmes: tuple[tuple[int, Programme, tuple[Rule, ...]], ...]
    """(programme row id, programme, its rules), by programme code."""


def rules_in_force(*, uow: UnitOfWork, on: date) -> RulesInForce:
    """The programmes with an approved rule in force ``on``, with their rules."""
    rows = uow.session.scalars(
        select(_tables.ProgrammeRow)
        .where(_tables.ProgrammeRow.id.in_(select(_tables.RuleRow.programme_id)))
        .order_by(_tables.ProgrammeRow.code)
    ).all()
    found: list[tuple[int, Programme, tuple[Rule, ...]]] = []
    for row in rows:
        rules = engine_rules(uow, row.id, on)
        if any(rule.in_force(on) for rule in rules):
            found.append((row.id, programme_of(uow, row), tuple(rules)))
    return RulesInForce(on, tuple(found))


def progress_where_rules_apply(
    *, uow: UnitOfWork, learner_id: int, on: date, rules: RulesInForce | None = None
) -> list[engine.Progress]:
    """Learner row ``learner_id``'s progress (a what-if: nothing applied) toward each programme
    that has an approved rule in force ``on``, by programme code: what its rules would already
    grant (``plan``) and what confirmed conversions granted (``met``). For the areas that count
    what conversion would give a learner (matching, issue 20). ``rules``: the programmes and
    rules of :func:`rules_in_force` for ``on``, loaded once for many learners."""
    held = held_outcomes(uow, learner_id)
    if not held:
        return []
    if rules is None or rules.on != on:
        rules = rules_in_force(uow=uow, on=on)
    return [
        engine.audit(programme, list(found), held, prior_grants(uow, learner_id, row_id), on)
        for row_id, programme, found in rules.programmes
    ]


__all__ = [
    "Conversion",
    "ConversionStatus",
    "LearnerProgress",
    "Programme",
    "ProgrammeSpec",
    "RuleVersion",
    "RulesInForce",
    "approve_rule",
    "confirm_conversion",
    "conversion_facts",
    "create_programme",
    "draft_rule",
    "get_conversion",
    "get_programme",
    "get_rule",
    "list_conversions",
    "list_rules",
    "progress",
    "progress_where_rules_apply",
    "request_conversion",
    "rules_in_force",
    "source_withdrawn",
    "submit_rule",
]
