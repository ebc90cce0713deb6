"""Transferred credit, recorded as what it is.

A confirmed conversion deposits one outcome per grant: "N credits toward programme P
(component C exempted, or elective credits), under rule R version v, from outcomes S". Its
catalogue item is the programme's *transferred credit* item (kind ``transferred_credit``, one
per programme, made by the bank the first time it is needed), never the programme's
qualification, X certificate or course: the learner did not sit those. The outcome's
``transfer`` says toward what, under which rule and from which outcomes; the log commits to it.

Conversions confirmed before this was so deposited the programme's (or component's) own item.
:func:`correct_transferred_credit` corrects them through the ordinary supersede path: a new
transferred-credit outcome replaces each, with a logged reason; nothing is edited in place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.conversion.tables import (
    ConversionGrantRow,
    ConversionRow,
    ConversionSourceRow,
    ProgrammeComponentRow,
    ProgrammeRow,
    RuleRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger

ITEM_PREFIX = "TC."
CORRECTION_SUFFIX = "/transfer"


def transfer_item_code(programme: str) -> str:
    """The code of programme ``programme``'s transferred-credit item (``TC.`` + its code; a
    code too long for that is shortened with a hash of it, so that it stays unique)."""
    code = ITEM_PREFIX + programme
    if len(code) <= 64:  # noqa: PLR2004 - the catalogue's longest code
        return code
    digest = hashlib.sha256(programme.encode()).hexdigest()[:8]
    return f"{ITEM_PREFIX}{programme[:51]}.{digest}"


def transfer_item(uow: UnitOfWork, programme: ProgrammeRow) -> catalog.CatalogItem:
    """The programme's transferred-credit item, made the first time it is needed: owned by the
    programme's institution, in the programme's award's framework and levels, named for the
    programme in Chinese and English."""
    owner = institutions.institution_codes(uow=uow)[programme.institution_id]
    code = transfer_item_code(programme.code)
    found = catalog.find_item(uow=uow, institution=owner, code=code)
    if found is not None:
        return found
    awarded = catalog.items_by_id(uow=uow, item_ids=[programme.item_id])[programme.item_id]
    draft = catalog.ItemDraft(
        institution=owner,
        code=code,
        kind=catalog.ItemKind.TRANSFERRED_CREDIT,
        name=f"转换学分：{programme.name}",
        name_en=f"Transferred credit toward {programme.name_en or programme.name}",
        framework=awarded.framework,
        levels=tuple(level.level.code for level in awarded.levels),
    )
    today = datetime.now(UTC).date()
    try:
        with uow.session.begin_nested():  # two first confirmations at once: one makes it
            return catalog.add_item(uow=uow, draft=draft, on=today)
    except IntegrityError:
        found = catalog.find_item(uow=uow, institution=owner, code=code)
        if found is None:
            raise
        return found


@dataclass(frozen=True, slots=True)
class _Grant:
    row: ConversionGrantRow
    transfer: accounts.Transfer


def grants_of(uow: UnitOfWork, conversion: ConversionRow) -> list[ConversionGrantRow]:
    """A conversion's grants, in order."""
    return list(
        uow.session.scalars(
            select(ConversionGrantRow)
            .where(ConversionGrantRow.conversion_id == conversion.id)
            .order_by(ConversionGrantRow.position)
        )
    )


def sources_of(uow: UnitOfWork, grant_ids: list[int]) -> dict[int, list[str]]:
    """The public ids of the outcomes each of these grants was made from."""
    sources: dict[int, list[str]] = {grant_id: [] for grant_id in grant_ids}
    pairs = uow.session.execute(
        select(ConversionSourceRow.grant_id, ConversionSourceRow.outcome_id).where(
            ConversionSourceRow.grant_id.in_(grant_ids)
        )
    ).all()
    public_ids = accounts.outcome_public_ids(uow=uow, outcome_ids=[o for _, o in pairs])
    for grant_id, outcome_id in pairs:
        sources[grant_id].append(public_ids[outcome_id])
    return sources


def rule_versions(uow: UnitOfWork, rule_ids: set[int]) -> dict[int, tuple[str, int]]:
    """The code and version of each of these rule versions."""
    return {
        rule_id: (code, version)
        for rule_id, code, version in uow.session.execute(
            select(RuleRow.id, RuleRow.code, RuleRow.version).where(RuleRow.id.in_(rule_ids))
        )
    }


def _grants(uow: UnitOfWork, conversion: ConversionRow, programme: ProgrammeRow) -> list[_Grant]:
    """The conversion's grants with what each transfers (rule version, sources)."""
    session = uow.session
    grants = grants_of(uow, conversion)
    sources = sources_of(uow, [grant.id for grant in grants])
    rules = rule_versions(uow, {grant.rule_id for grant in grants})
    names = dict(
        session.execute(
            select(ProgrammeComponentRow.code, ProgrammeComponentRow.name).where(
                ProgrammeComponentRow.programme_id == programme.id
            )
        ).all()
    )
    return [
        _Grant(
            grant,
            accounts.Transfer(
                conversion=conversion.public_id,
                programme=programme.code,
                programme_name=programme.name,
                programme_name_en=programme.name_en,
                component=grant.component,
                component_name=names.get(grant.component) if grant.component else None,
                category=grant.category,
                rule=rules[grant.rule_id][0],
                rule_version=rules[grant.rule_id][1],
                sources=tuple(sorted(sources[grant.id])),
            ),
        )
        for grant in grants
    ]


def _outcome(
    item: catalog.CatalogItem,
    grant: _Grant,
    *,
    institution: str,
    account_number: str,
    record_id: str,
    today: date,
    credits: Decimal | None,  # noqa: A002 - the outcome's credits
) -> accounts.OutcomeDeposit:
    """A grant's credit as an outcome of transferred credit, deposited by the programme's
    institution (``institution``) into the learner's account."""
    return accounts.OutcomeDeposit(
        institution=institution,
        account_number=account_number,
        facts=accounts.OutcomeFacts(
            record_id=record_id,
            item_code=f"{item.institution}:{item.code}",
            level=item.levels[0].level.code,
            credits=credits,
            score=None,
            assessed_on=today,
            setting=accounts.LearningSetting.FORMAL,
        ),
        origin=accounts.TransferredCredit(grant.row.id, grant.transfer),
    )


def deposit_transferred_credit(
    uow: UnitOfWork,
    conversion: ConversionRow,
    programme: ProgrammeRow,
    *,
    account_number: str,
    institution: str,
) -> list[ledger.LogFact]:
    """One transferred-credit outcome per grant of a conversion being confirmed, stored: the
    facts the caller logs with the confirmation. A grant deposited twice is refused by the
    database (its record id is unique per institution)."""
    item = transfer_item(uow, programme)
    now = datetime.now(UTC)
    outcomes = [
        _outcome(
            item,
            grant,
            institution=institution,
            account_number=account_number,
            record_id=f"conversion/{conversion.public_id}/{grant.row.position}",
            today=now.date(),
            credits=grant.row.granted,
        )
        for grant in _grants(uow, conversion, programme)
    ]
    deposited = accounts.deposit(
        uow=uow, outcomes=outcomes, today=now.date(), now=now, log=False
    ).outcomes
    return [made.fact for made in deposited if made.fact is not None]


@dataclass(frozen=True, slots=True)
class Correction:
    """An outcome a conversion deposited as the programme's own item, and what replaces it."""

    conversion: str
    account_number: str
    old_outcome: str
    old_item: str
    new_outcome: str | None
    """None on a dry run."""
    credits: Decimal | None
    transfer: accounts.Transfer


def correct_transferred_credit(
    *, uow: UnitOfWork, user_id: int, reason: str, dry_run: bool = False
) -> list[Correction]:
    """Every standing outcome that a confirmed conversion deposited as the programme's (or a
    component's) own item is superseded by a transferred-credit outcome of the same credits,
    with ``reason`` logged; on a dry run, what would be. Idempotent: a corrected outcome no
    longer stands, and transferred-credit outcomes are left alone. A bank administrator's
    operation (it corrects every institution's records: the handler checks that)."""
    reason = accounts.check_reason(reason, required=True)
    session = uow.session
    found = accounts.untransferred_conversion_outcomes(uow=uow)
    items = catalog.items_by_id(uow=uow, item_ids=[old.item_id for old in found])
    done: list[Correction] = []
    now = datetime.now(UTC)
    grants_by_id: dict[int, _Grant] = {}  # a conversion's grants, read once for all its outcomes
    for old in found:
        grant_id = old.grant_id
        conversion_id = session.get_one(ConversionGrantRow, grant_id).conversion_id
        conversion = session.get_one(ConversionRow, conversion_id)
        programme = session.get_one(ProgrammeRow, conversion.programme_id)
        if grant_id not in grants_by_id:
            grants_by_id.update((g.row.id, g) for g in _grants(uow, conversion, programme))
        grant = grants_by_id[grant_id]
        number = accounts.account_number_of(uow=uow, learner_id=old.learner_id)
        new_id: str | None = None
        if not dry_run:
            item = transfer_item(uow, programme)
            replacement = _outcome(
                item,
                grant,
                institution=institutions.institution_codes(uow=uow)[programme.institution_id],
                account_number=number,
                record_id=old.record_id + CORRECTION_SUFFIX,
                today=old.assessed_on,
                credits=old.credits,
            )
            new_id = accounts.supersede_with(
                uow=uow,
                public_id=old.public_id,
                replacement=replacement,
                reason=reason,
                user_id=user_id,
                now=now,
            ).outcome.public_id
        done.append(
            Correction(
                conversion=conversion.public_id,
                account_number=number,
                old_outcome=old.public_id,
                old_item=f"{items[old.item_id].institution}:{items[old.item_id].code}",
                new_outcome=new_id,
                credits=old.credits,
                transfer=grant.transfer,
            )
        )
    return done
