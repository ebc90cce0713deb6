"""What the engine needs of a learner, and their progress toward a programme.

The learner's standing outcomes and the grants of their active conversions are loaded here,
with the programme and its rules in force, and handed to the pure engine
(:func:`creditbank.conversion.engine.audit`), which applies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.conversion import engine
from creditbank.conversion.conversion_reads import ConversionEventKind, active
from creditbank.conversion.model import HeldOutcome, PriorGrant, Target, TargetKind
from creditbank.conversion.programme_store import item_refs, programme_of, programme_row
from creditbank.conversion.rule_store import engine_rules
from creditbank.conversion.tables import (
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ConversionSourceRow,
    ProgrammeRow,
    RuleRow,
)
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions


def held_outcomes(uow: UnitOfWork, learner_id: int) -> list[HeldOutcome]:
    """The learner's standing outcomes (not revoked, not superseded), as the engine sees them."""
    rows = accounts.standing_outcomes(uow=uow, learner_id=learner_id)
    items = catalog.items_by_id(uow=uow, item_ids=[row.item_id for row in rows])
    levels = frameworks.pinned_levels(uow=uow, level_ids=[row.framework_level_id for row in rows])
    codes = institutions.institution_codes(uow=uow)
    return [
        HeldOutcome(
            id=row.public_id,
            item=f"{items[row.item_id].institution}:{items[row.item_id].code}",
            kind=items[row.item_id].kind.value,
            framework=levels[row.framework_level_id].framework,
            track=levels[row.framework_level_id].level.track,
            level=levels[row.framework_level_id].level.code,
            level_rank=levels[row.framework_level_id].level.rank,
            credits=row.credits,
            score=row.score,
            assessed_on=row.assessed_on,
            setting=row.setting,
            issuer=codes[row.institution_id],
            transferred=row.transferred,
        )
        for row in rows
    ]


def prior_grants(uow: UnitOfWork, learner_id: int, programme_id: int) -> list[PriorGrant]:
    """The grants of the learner's active conversions toward the programme."""
    session = uow.session
    conversions = list(
        session.scalars(
            select(ConversionRow).where(
                ConversionRow.learner_id == learner_id,
                ConversionRow.programme_id == programme_id,
                active(),
            )
        )
    )
    if not conversions:
        return []
    by_id = {conversion.id: conversion for conversion in conversions}
    confirmed = set(
        session.scalars(
            select(ConversionEventRow.conversion_id).where(
                ConversionEventRow.conversion_id.in_(list(by_id)),
                ConversionEventRow.kind == ConversionEventKind.CONFIRMED.value,
            )
        )
    )
    grants = list(
        session.scalars(
            select(ConversionGrantRow)
            .where(ConversionGrantRow.conversion_id.in_(list(by_id)))
            .order_by(ConversionGrantRow.id)
        )
    )
    sources: dict[int, list[str]] = {grant.id: [] for grant in grants}
    pairs = session.execute(
        select(ConversionSourceRow.grant_id, ConversionSourceRow.outcome_id).where(
            ConversionSourceRow.grant_id.in_(list(sources))
        )
    ).all()
    public_ids = accounts.outcome_public_ids(uow=uow, outcome_ids=[o for _, o in pairs])
    for grant_id, outcome_id in pairs:
        sources[grant_id].append(public_ids[outcome_id])
    refs = item_refs(uow, [grant.source_item_id for grant in grants])
    codes = institutions.institution_codes(uow=uow)
    rule_codes = dict(
        session.execute(
            select(RuleRow.id, RuleRow.code).where(RuleRow.id.in_({g.rule_id for g in grants}))
        ).all()
    )
    return [
        PriorGrant(
            conversion=by_id[grant.conversion_id].public_id,
            rule=rule_codes[grant.rule_id],
            target=Target(
                TargetKind(grant.target_kind),
                component=grant.component,
                credits=grant.allowed if grant.target_kind == TargetKind.ELECTIVE else None,
                category=grant.category,
            ),
            credits=grant.granted,
            sources=tuple(sorted(sources[grant.id])),
            source_item=refs[grant.source_item_id],
            issuer=codes[grant.source_institution_id],
            requested_on=by_id[grant.conversion_id].requested_on,
            confirmed=grant.conversion_id in confirmed,
        )
        for grant in grants
    ]


@dataclass(frozen=True, slots=True)
class LearnerProgress:
    account_number: str
    progress: engine.Progress


def progress(*, uow: UnitOfWork, account_number: str, programme: str, on: date) -> LearnerProgress:
    """A learner's progress toward a programme ``on`` a date: what counts, what rules could
    add (without applying anything), what is missing, and the best plan."""
    learner_id = accounts.learner_id_of(uow, account_number)
    row = programme_row(uow, programme)
    return LearnerProgress(
        accounts.check_account_number(account_number), audit(uow, learner_id, row, on)
    )


def audit(uow: UnitOfWork, learner_id: int, row: ProgrammeRow, on: date) -> engine.Progress:
    return engine.audit(
        programme_of(uow, row),
        engine_rules(uow, row.id, on),
        held_outcomes(uow, learner_id),
        prior_grants(uow, learner_id, row.id),
        on,
    )
