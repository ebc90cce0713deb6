"""A learner's skills, and the catalogue items that teach skills.

A learner has a skill when an outcome of theirs that still counts (neither revoked nor
superseded) is of an item at a level that an alignment in force gives the skill
(``creditbank.alignments.api``), or when approved conversion rules would already give them an
item (a programme's component) that such an alignment gives the skill: what the conversion
engine's plan would grant toward each programme with rules in force, and what confirmed
conversions granted (``creditbank.conversion.api``). The rules are the conversion engine's to
apply; this module only reads what it answers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal

from creditbank import clock
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.catalog import api as catalog
from creditbank.conversion import api as conversion
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.matching.model import Evidence, Offer
from creditbank.xcerts import api as xcerts


def level_label(pinned: frameworks.PinnedLevel) -> str:
    """How records name a level of one framework version (ADR 0017)."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


def learner_skills(
    uow: UnitOfWork,
    learner_id: int,
    *,
    conversions: bool = True,
    rules: conversion.RulesInForce | None = None,
) -> dict[int, list[Evidence]]:
    """Learner row ``learner_id``'s skills, each with every reason (outcomes first, in the
    order deposited, then what conversion rules would give). ``conversions`` False leaves out
    what conversion would give; ``rules`` (today's, ``conversion.api.rules_in_force``) saves
    loading the programmes and rules again for each of many learners."""
    outcomes = accounts.standing_outcomes(uow=uow, learner_id=learner_id)
    found: dict[int, list[Evidence]] = {}
    if outcomes:
        aligned = alignments.alignments_of_items(uow, {o.item_id for o in outcomes})
        by_item: dict[int, list[alignments.Alignment]] = {}
        for alignment in aligned:
            by_item.setdefault(alignment.item_id, []).append(alignment)
        levels = frameworks.pinned_levels(
            uow=uow, level_ids={o.framework_level_id for o in outcomes if o.item_id in by_item}
        )
        for outcome in outcomes:
            for alignment in by_item.get(outcome.item_id, ()):
                if alignment.level_id not in {None, outcome.framework_level_id}:
                    continue
                found.setdefault(alignment.skill_id, []).append(
                    Evidence(
                        skill_id=alignment.skill_id,
                        outcome=outcome.public_id,
                        item=alignment.item,
                        item_name=alignment.item_name,
                        level=level_label(levels[outcome.framework_level_id]),
                        by_conversion=False,
                    )
                )
    if conversions:
        for evidence in _by_conversion(uow, learner_id, rules):
            found.setdefault(evidence.skill_id, []).append(evidence)
    return found


def _by_conversion(
    uow: UnitOfWork, learner_id: int, rules: conversion.RulesInForce | None
) -> list[Evidence]:
    """What the learner would be given by approved conversion rules (the engine's best plan
    toward each programme with rules in force today) or was given by confirmed conversions:
    the items of the programmes' components so granted, each with the outcome (or, for a
    confirmed conversion, the conversion) it comes from."""
    earned: dict[str, str] = {}  # item ref -> outcome (or conversion) public id
    for progress in conversion.progress_where_rules_apply(
        uow=uow, learner_id=learner_id, on=clock.today(), rules=rules
    ):
        for grant in progress.plan.grants:
            component = progress.programme.component(grant.target.component or "")
            if component is not None and component.item and grant.sources:
                earned.setdefault(component.item, grant.sources[0].id)
        for met in progress.met:
            if met.transferred and not met.pending and met.component.item:
                earned.setdefault(met.component.item, met.by)
    if not earned:
        return []
    ids = item_ids(uow, earned)
    aligned = alignments.alignments_of_items(uow, set(ids.values()))
    refs = {item_id: ref for ref, item_id in ids.items()}
    return [
        Evidence(
            skill_id=alignment.skill_id,
            outcome=earned[refs[alignment.item_id]],
            item=alignment.item,
            item_name=alignment.item_name,
            level=None,
            by_conversion=True,
        )
        for alignment in aligned
        if alignment.level_id is None
    ]


def item_ids(uow: UnitOfWork, refs: Iterable[str]) -> dict[str, int]:
    """The row ids of the items ``OWNER:CODE`` the catalogue holds, by reference."""
    found: dict[str, int] = {}
    for ref in refs:
        owner, _, code = ref.partition(":")
        try:
            item = catalog.find_item(uow=uow, institution=owner, code=code)
        except institutions.InstitutionError:
            item = None
        if item is not None:
            found[ref] = item.id
    return found


def offers_teaching(uow: UnitOfWork, skill_ids: Collection[int]) -> list[Offer]:
    """The catalogue items (each at any level, and at each level an alignment names) that
    teach any of ``skill_ids``, with the skills of those each teaches, credits and owner."""
    teaching = alignments.alignments_teaching(uow, skill_ids)
    return offers_of([a for found in teaching.values() for a in found], uow)


def offers_of(aligned: Iterable[alignments.Alignment], uow: UnitOfWork) -> list[Offer]:
    """Offers from alignments in force: an item at any level teaches its any-level skills; at
    a level, those and that level's."""
    general: dict[int, set[int]] = {}
    at_level: dict[tuple[int, int], set[int]] = {}
    labels: dict[tuple[int, int | None], alignments.Alignment] = {}
    for alignment in aligned:
        labels.setdefault((alignment.item_id, alignment.level_id), alignment)
        if alignment.level_id is None:
            general.setdefault(alignment.item_id, set()).add(alignment.skill_id)
        else:
            at_level.setdefault((alignment.item_id, alignment.level_id), set()).add(
                alignment.skill_id
            )
    items = catalog.items_by_id(uow=uow, item_ids={key[0] for key in labels})
    schools = xcerts.offering_schools(
        uow, [i for i, item in items.items() if item.kind is catalog.ItemKind.X_CERTIFICATE]
    )
    offers: list[Offer] = []

    def where(item_id: int, level_id: int | None) -> tuple[str, ...]:
        """Who offers it: the pilot schools offering the certificate (at the level), else the
        item's provider, where the catalogue names one."""
        offering = sorted(
            {code for (item, level), codes in schools.items() for code in codes
             if item == item_id and level_id in {None, level}}
        )  # fmt: skip
        provider = items[item_id].provider
        return tuple(offering) if offering else ((provider,) if provider else ())

    def add(item_id: int, level_id: int | None, skills: set[int]) -> None:
        item = items[item_id]
        label = labels[item_id, level_id]
        offers.append(
            Offer(
                item_id=item_id,
                level_id=level_id,
                item=label.item,
                item_name=label.item_name,
                kind=item.kind.value,
                level=label.level,
                credits=None if item.credits is None else Decimal(item.credits),
                owner=item.institution,
                skills=frozenset(skills),
                offered_by=where(item_id, level_id),
            )
        )

    for item_id, skills in sorted(general.items()):
        add(item_id, None, skills)
    for (item_id, level_id), skills in sorted(at_level.items()):
        add(item_id, level_id, skills | general.get(item_id, set()))
    return offers
