"""A learner's skills, and the catalogue items that teach skills.

A learner has a skill when an outcome of theirs that still counts (neither revoked nor
superseded) is of an item at a level that an alignment in force gives the skill
(``creditbank.alignments.api``), or when approved conversion rules would already give them an
item (a programme's component) that such an alignment gives the skill: what the conversion
engine's plan would grant toward each programme with rules in force, and what confirmed
conversions granted (``creditbank.conversion.api``). The rules are the conversion engine's to
apply; this module only reads what it answers.

A learner holds a certificate a job asks for (``OWNER:CODE`` or ``OWNER:CODE@LEVEL``) when an
outcome of theirs that still counts is of that item at that level or a higher one of the same
framework, as the framework in force orders its levels (its ranks: never the codes; NVQC-style
frameworks list level 1 first as the highest), or, for a certificate asked at no level, when
approved conversion rules would give them the item (conversion grants no level).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank import clock
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.catalog import api as catalog
from creditbank.conversion import api as conversion
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.matching.model import (
    CertificateEvidence,
    CertificateNeed,
    Evidence,
    Offer,
)
from creditbank.xcerts import api as xcerts


def level_label(pinned: frameworks.PinnedLevel) -> str:
    """How records name a level of one framework version (ADR 0017)."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


@dataclass(frozen=True, slots=True)
class AskedCertificate:
    """A certificate a job asks for, resolved in the catalogue once for many learners."""

    name: str
    """As the job names it: ``OWNER:CODE`` or ``OWNER:CODE@LEVEL``."""
    item: str
    """``OWNER:CODE``."""
    item_id: int | None
    """None where the catalogue no longer holds the item (then nobody holds it)."""
    item_name: str
    level: frameworks.PinnedLevel | None
    framework: frameworks.FrameworkVersion | None
    """The level's framework in force, whose ranks order the levels."""

    def met_by(self, held: frameworks.PinnedLevel) -> bool:
        """Whether an outcome of the item at level ``held`` meets it: any level when none is
        asked; else that level or a higher one of the same framework and track."""
        if self.level is None:
            return True
        if held.framework != self.level.framework:
            return False
        if held.level.key == self.level.level.key:
            return True
        if self.framework is None:
            return False
        try:
            return self.framework.is_at_least(held.level.code, self.level.level.code)
        except frameworks.FrameworkError:  # another track, unordered categories, a retired code
            return False


def ask_certificates(uow: UnitOfWork, names: Iterable[str]) -> tuple[AskedCertificate, ...]:
    """The certificates ``names`` (each once, in the order given) as the catalogue holds them."""
    written = list(dict.fromkeys(names))
    parts = {name: name.partition("@") for name in written}
    ids = item_ids(uow, {ref for ref, _, _ in parts.values()})
    items = catalog.items_by_id(uow=uow, item_ids=ids.values())
    versions: dict[str, frameworks.FrameworkVersion] = {}
    asked: list[AskedCertificate] = []
    for name in written:
        ref, _, level_code = parts[name]
        item = items.get(ids.get(ref, -1))
        pinned = None if item is None or not level_code else item.level_named(level_code)
        level = pinned if isinstance(pinned, frameworks.PinnedLevel) else None
        if level is not None and level.framework not in versions:
            versions[level.framework] = frameworks.get_framework(uow=uow, code=level.framework)
        asked.append(
            AskedCertificate(
                name=name,
                item=ref,
                item_id=None if item is None or (level_code and level is None) else item.id,
                item_name=ref if item is None else item.name,
                level=level,
                framework=None if level is None else versions[level.framework],
            )
        )
    return tuple(asked)


@dataclass(frozen=True, slots=True)
class Standing:
    """A learner's skills (each with every reason) and the certificates asked about that they
    hold (by name, each with every reason)."""

    skills: dict[int, list[Evidence]]
    certificates: dict[str, tuple[CertificateEvidence, ...]]

    def needs(
        self,
        asked: Sequence[AskedCertificate],
        offers: dict[str, Offer] | None = None,
    ) -> tuple[CertificateNeed, ...]:
        """The certificates ``asked`` for, held or not, with the offer that would give each."""
        return tuple(
            CertificateNeed(
                name=one.name,
                item_name=one.item_name,
                held=self.certificates.get(one.name, ()),
                offer=(offers or {}).get(one.name),
            )
            for one in asked
        )


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
    return learner_standing(uow, learner_id, conversions=conversions, rules=rules).skills


def learner_standing(
    uow: UnitOfWork,
    learner_id: int,
    *,
    certificates: Sequence[AskedCertificate] = (),
    conversions: bool = True,
    rules: conversion.RulesInForce | None = None,
) -> Standing:
    """Learner row ``learner_id``'s skills as :func:`learner_skills` reads them, and which of
    ``certificates`` they hold (outcomes first, then what conversion rules would give)."""
    outcomes = accounts.standing_outcomes(uow=uow, learner_id=learner_id)
    found: dict[int, list[Evidence]] = {}
    held: dict[str, list[CertificateEvidence]] = {}
    if outcomes:
        aligned = alignments.alignments_of_items(uow, {o.item_id for o in outcomes})
        by_item: dict[int, list[alignments.Alignment]] = {}
        for alignment in aligned:
            by_item.setdefault(alignment.item_id, []).append(alignment)
        asked_items = {c.item_id for c in certificates}
        levels = frameworks.pinned_levels(
            uow=uow,
            level_ids={
                o.framework_level_id
                for o in outcomes
                if o.item_id in by_item or o.item_id in asked_items
            },
        )
        for outcome in outcomes:
            for certificate in certificates:
                pinned = (
                    levels[outcome.framework_level_id] if outcome.item_id in asked_items else None
                )
                if (
                    certificate.item_id == outcome.item_id
                    and pinned is not None
                    and certificate.met_by(pinned)
                ):
                    held.setdefault(certificate.name, []).append(
                        CertificateEvidence(outcome.public_id, level_label(pinned), False)  # noqa: FBT003
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
        earned = _earned_by_conversion(uow, learner_id, rules)
        for evidence in _by_conversion(uow, earned):
            found.setdefault(evidence.skill_id, []).append(evidence)
        for certificate in certificates:
            if certificate.level is None and certificate.item in earned:
                held.setdefault(certificate.name, []).append(
                    CertificateEvidence(earned[certificate.item], None, True)  # noqa: FBT003
                )
    return Standing(found, {name: tuple(reasons) for name, reasons in held.items()})


def _earned_by_conversion(
    uow: UnitOfWork, learner_id: int, rules: conversion.RulesInForce | None
) -> dict[str, str]:
    """What the learner would be given by approved conversion rules (the engine's best plan
    toward each programme with rules in force today) or was given by confirmed conversions:
    the items (``OWNER:CODE``) of the programmes' components so granted, each with the outcome
    (or, for a confirmed conversion, the conversion) it comes from."""
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
    return earned


def _by_conversion(uow: UnitOfWork, earned: dict[str, str]) -> list[Evidence]:
    """The skills the items ``earned`` by conversion give (their any-level alignments)."""
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
        return _where(items[item_id], schools, level_id)

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


def _where(
    item: catalog.CatalogItem, schools: dict[tuple[int, int], list[str]], level_id: int | None
) -> tuple[str, ...]:
    """Who offers ``item``: the pilot schools offering the certificate (at the level), else the
    item's provider, where the catalogue names one."""
    offering = sorted(
        {code for (item_id, level), codes in schools.items() for code in codes
         if item_id == item.id and level_id in {None, level}}
    )  # fmt: skip
    return tuple(offering) if offering else ((item.provider,) if item.provider else ())


def certificate_offers(uow: UnitOfWork, asked: Sequence[AskedCertificate]) -> dict[str, Offer]:
    """For each certificate ``asked`` that the catalogue holds, by name: the item at the asked
    level (or at any level) as the plan would take it, with its credits, who offers it and the
    skills its alignments in force teach there."""
    wanted = {one.name: one.item_id for one in asked if one.item_id is not None}
    items = catalog.items_by_id(uow=uow, item_ids=set(wanted.values()))
    aligned = alignments.alignments_of_items(uow, set(items))
    schools = xcerts.offering_schools(
        uow, [i for i, item in items.items() if item.kind is catalog.ItemKind.X_CERTIFICATE]
    )
    found: dict[str, Offer] = {}
    for one in asked:
        if one.name not in wanted:
            continue
        item = items[wanted[one.name]]
        level_id = None if one.level is None else one.level.level_id
        found[one.name] = Offer(
            item_id=item.id,
            level_id=level_id,
            item=one.item,
            item_name=item.name,
            kind=item.kind.value,
            level=None if one.level is None else level_label(one.level),
            credits=None if item.credits is None else Decimal(item.credits),
            owner=item.institution,
            skills=frozenset(
                a.skill_id
                for a in aligned
                if a.item_id == item.id and a.level_id in {None, level_id}
            ),
            offered_by=_where(item, schools, level_id),
        )
    return found
