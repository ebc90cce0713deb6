"""Use cases of credit conversion: programmes, rules and their approval, progress, conversions.

Given a unit of work; never commit. The decisions are the pure engine's
(:mod:`creditbank.conversion.engine`); this module loads what it needs, stores what it
decides and logs the facts of record (a rule version approved or retired, a conversion
confirmed or reversed) in the same transaction.

Concurrency: every conversion request first writes the (learner, programme) row of
``conversion_locks``. On PostgreSQL that row lock makes a second request for the same
learner and programme wait until the first commits; on SQLite the write takes the
database's write lock. Either way the second one then sees the first one's claims and
caps, and is refused with ``conversion_conflict`` (409) when nothing is left to convert.
The primary key of ``conversion_claims`` refuses a source used twice in any case.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, or_, select, text
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.catalog.model import split_item_ref
from creditbank.conversion import engine, records, transfers
from creditbank.conversion.model import (
    CapKind,
    Caps,
    Component,
    Conditions,
    ConversionError,
    HeldOutcome,
    LevelBar,
    PriorGrant,
    Programme,
    Rule,
    RuleDraft,
    RuleStatus,
    SourceSpec,
    Target,
    TargetKind,
    check_programme,
    check_rule,
    check_rule_step,
    rule_status,
)
from creditbank.conversion.tables import (
    ClaimRow,
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ConversionSourceRow,
    IdempotencyKeyRow,
    ProgrammeComponentRow,
    ProgrammeRow,
    RuleEventRow,
    RuleRow,
)
from creditbank.db import UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg

# --- programmes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgrammeSpec:
    """A programme as an institution defines it: items as ``OWNER:CODE`` (or a bare code of
    its own), the minimum level as (framework, level)."""

    code: str
    institution: str
    item: str
    name: str
    total_credits: Decimal
    components: tuple[Component, ...] = ()
    category_credits: dict[str, Decimal] | None = None
    min_level: tuple[str, str] | None = None
    caps: Caps = field(default_factory=Caps)
    reverse_on_withdrawal: bool = False
    name_en: str = ""


def _item(uow: UnitOfWork, ref: str, *, default_owner: str) -> catalog.CatalogItem | None:
    owner, code = split_item_ref(ref)
    try:
        return catalog.find_item(uow=uow, institution=owner or default_owner, code=code)
    except institutions.InstitutionError:
        return None


def _item_ref(item: catalog.CatalogItem) -> str:
    return f"{item.institution}:{item.code}"


def _level_bar(uow: UnitOfWork, framework: str, level: str) -> LevelBar:
    found = frameworks.get_framework(uow=uow, code=framework)
    pinned = found.level(level)
    return LevelBar(found.code, pinned.code, pinned.track, pinned.rank)


def create_programme(*, uow: UnitOfWork, spec: ProgrammeSpec, by: str) -> Programme:
    """Define a programme that credits can be converted into; every problem is named."""
    session = uow.session
    institution = spec.institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=institution)
    problems: list[Message] = []
    item = _item(uow, spec.item, default_owner=institution)
    if item is None:
        problems.append(msg("there is no catalogue item {code}", code=spec.item))
    components: list[tuple[Component, int | None]] = []
    for component in spec.components:
        component_item = None
        if component.item:
            component_item = _item(uow, component.item, default_owner=institution)
            if component_item is None:
                problems.append(msg("there is no catalogue item {code}", code=component.item))
        components.append(
            (
                replace(component, item=_item_ref(component_item) if component_item else None),
                component_item.id if component_item else None,
            )
        )
    bar: LevelBar | None = None
    level_id: int | None = None
    if spec.min_level is not None:
        framework, level = spec.min_level
        try:
            bar = _level_bar(uow, framework, level)
            level_id = frameworks.pin_level(
                uow=uow, ref=frameworks.LevelRef(framework, level), on=date.max
            ).level_id
        except frameworks.FrameworkError as error:
            problems.append(error.message)
    programme = Programme(
        code=spec.code.strip(),
        institution=institution,
        name=spec.name.strip(),
        name_en=spec.name_en.strip(),
        total_credits=spec.total_credits,
        components=tuple(component for component, _ in components),
        category_credits=dict(spec.category_credits or {}),
        min_level=bar,
        caps=spec.caps,
        reverse_on_withdrawal=spec.reverse_on_withdrawal,
    )
    problems.extend(check_programme(programme))
    if session.scalar(select(ProgrammeRow.id).where(ProgrammeRow.code == programme.code)):
        problems.append(msg("programme {code} exists already", code=programme.code))
    if problems or item is None:
        raise ConversionError(
            "invalid_programme",
            msg("programme {code} cannot be defined", code=spec.code),
            problems,
        )
    caps = spec.caps
    row = ProgrammeRow(
        code=programme.code,
        institution_id=institution_id,
        item_id=item.id,
        name=programme.name,
        name_en=programme.name_en,
        total_credits=programme.total_credits,
        category_credits={key: str(value) for key, value in programme.category_credits.items()},
        min_level_id=level_id,
        cap_per_source_item=caps.per_source_item,
        cap_programme_credits=caps.programme_credits,
        cap_programme_share=caps.programme_share,
        cap_per_year=caps.per_year,
        cap_per_issuer=caps.per_issuer,
        reverse_on_withdrawal=programme.reverse_on_withdrawal,
        created_by=by,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    session.add_all(
        ProgrammeComponentRow(
            programme_id=row.id,
            position=position,
            code=component.code,
            name=component.name,
            credits=component.credits,
            category=component.category,
            mandatory=component.mandatory,
            item_id=item_id,
        )
        for position, (component, item_id) in enumerate(components)
    )
    session.flush()
    return _programme_of(uow, row)


def _programme_row(uow: UnitOfWork, code: str) -> ProgrammeRow:
    row = uow.session.scalar(select(ProgrammeRow).where(ProgrammeRow.code == code.strip()))
    if row is None:
        raise ConversionError(
            "programme_not_found", msg("there is no programme {code}", code=code.strip())
        )
    return row


def _item_refs(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(item_ids)
    if not wanted:
        return {}
    codes = institutions.institution_codes(uow=uow)
    rows = uow.session.execute(
        select(
            catalog.CatalogItemRow.id,
            catalog.CatalogItemRow.institution_id,
            catalog.CatalogItemRow.code,
        ).where(catalog.CatalogItemRow.id.in_(wanted))
    )
    return {row.id: f"{codes[row.institution_id]}:{row.code}" for row in rows}


def _programme_of(uow: UnitOfWork, row: ProgrammeRow) -> Programme:
    components = list(
        uow.session.scalars(
            select(ProgrammeComponentRow)
            .where(ProgrammeComponentRow.programme_id == row.id)
            .order_by(ProgrammeComponentRow.position)
        )
    )
    refs = _item_refs(uow, [c.item_id for c in components if c.item_id is not None])
    bar = None
    if row.min_level_id is not None:
        pinned = frameworks.pinned_level(uow=uow, level_id=row.min_level_id)
        bar = LevelBar(pinned.framework, pinned.level.code, pinned.level.track, pinned.level.rank)
    return Programme(
        code=row.code,
        institution=institutions.institution_codes(uow=uow)[row.institution_id],
        name=row.name,
        name_en=row.name_en,
        total_credits=row.total_credits,
        components=tuple(
            Component(
                code=c.code,
                name=c.name,
                credits=c.credits,
                category=c.category,
                mandatory=c.mandatory,
                item=refs.get(c.item_id) if c.item_id is not None else None,
            )
            for c in components
        ),
        category_credits={key: Decimal(value) for key, value in row.category_credits.items()},
        min_level=bar,
        caps=Caps(
            per_source_item=row.cap_per_source_item,
            programme_credits=row.cap_programme_credits,
            programme_share=row.cap_programme_share,
            per_year=row.cap_per_year,
            per_issuer=row.cap_per_issuer,
        ),
        reverse_on_withdrawal=row.reverse_on_withdrawal,
    )


def get_programme(*, uow: UnitOfWork, code: str) -> Programme:
    return _programme_of(uow, _programme_row(uow, code))


def list_programmes(*, uow: UnitOfWork, institution: str | None = None) -> list[Programme]:
    query = select(ProgrammeRow).order_by(ProgrammeRow.code)
    if institution is not None:
        query = query.where(
            ProgrammeRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    return [_programme_of(uow, row) for row in uow.session.scalars(query)]


def programme_owner(*, uow: UnitOfWork, code: str) -> str:
    """The code of the institution that runs programme ``code``."""
    row = _programme_row(uow, code)
    return institutions.institution_codes(uow=uow)[row.institution_id]


# --- rules --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleEvent:
    kind: RuleStatus
    by: str
    reason: str
    effective_on: date | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """A rule version with its status and history."""

    id: int
    programme: str
    institution: str
    draft: RuleDraft
    version: int
    status: RuleStatus
    author: str
    drafted_at: datetime
    history: tuple[RuleEvent, ...]
    retired_from: date | None
    receipt: ledger.Receipt | None = None

    @property
    def label(self) -> str:
        return f"{self.draft.code} v{self.version}"


def spec_of(draft: RuleDraft) -> dict[str, Any]:
    """The JSON a rule version's sources, targets and conditions are stored as."""
    conditions = draft.conditions
    return {
        "sources": [
            {
                "item": source.item,
                "kind": source.kind,
                "level": (
                    {"framework": source.level.framework, "level": source.level.level}
                    if source.level
                    else None
                ),
                "at_least": source.at_least,
            }
            for source in draft.sources
        ],
        "targets": [
            {
                "kind": target.kind.value,
                "component": target.component,
                "credits": None if target.credits is None else str(target.credits),
                "category": target.category,
            }
            for target in draft.targets
        ],
        "conditions": {
            "min_score": None if conditions.min_score is None else str(conditions.min_score),
            "max_age_years": conditions.max_age_years,
            "settings": sorted(conditions.settings),
        },
    }


class _Levels:
    """Framework levels by (framework, level), looked up once per use case."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._found: dict[tuple[str, str], LevelBar] = {}

    def bar(self, framework: str, level: str) -> LevelBar:
        key = (framework.upper(), level.casefold())
        if key not in self._found:
            self._found[key] = _level_bar(self._uow, framework, level)
        return self._found[key]


def _draft_of(row: RuleRow, programme: str, levels: _Levels) -> RuleDraft:
    spec = row.spec
    conditions = spec["conditions"]
    return RuleDraft(
        code=row.code,
        programme=programme,
        name=row.name,
        name_en=row.name_en,
        sources=tuple(
            SourceSpec(
                item=source["item"],
                kind=source["kind"],
                level=(
                    levels.bar(source["level"]["framework"], source["level"]["level"])
                    if source["level"]
                    else None
                ),
                at_least=source["at_least"],
            )
            for source in spec["sources"]
        ),
        targets=tuple(
            Target(
                kind=TargetKind(target["kind"]),
                component=target["component"],
                credits=None if target["credits"] is None else Decimal(target["credits"]),
                category=target["category"],
            )
            for target in spec["targets"]
        ),
        conditions=Conditions(
            min_score=(
                None if conditions["min_score"] is None else Decimal(conditions["min_score"])
            ),
            max_age_years=conditions["max_age_years"],
            settings=frozenset(conditions["settings"]),
        ),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _resolve(
    uow: UnitOfWork, draft: RuleDraft, institution: str
) -> tuple[RuleDraft, list[Message]]:
    """``draft`` with its items as ``OWNER:CODE`` and its levels looked up, and the problems."""
    problems: list[Message] = []
    sources = []
    for number, source in enumerate(draft.sources, start=1):
        resolved = source
        if source.item:
            item = _item(uow, source.item, default_owner=institution)
            if item is None:
                problems.append(
                    msg(
                        "source {number}: there is no catalogue item {code}",
                        number=number,
                        code=source.item,
                    )
                )
            else:
                resolved = replace(resolved, item=_item_ref(item))
        if source.kind is not None and source.kind not in set(catalog.ItemKind):
            problems.append(
                msg(
                    "source {number}: {kind} is not a kind of item", number=number, kind=source.kind
                )
            )
        if source.level is not None:
            try:
                resolved = replace(
                    resolved, level=_level_bar(uow, source.level.framework, source.level.level)
                )
            except frameworks.FrameworkError as error:
                problems.append(error.message)
        sources.append(resolved)
    return replace(draft, sources=tuple(sources)), problems


def draft_rule(*, uow: UnitOfWork, institution: str, draft: RuleDraft, user_id: int) -> RuleVersion:
    """Draft a new version of a rule (version 1 of a new code). An open draft of the same code is
    withdrawn in its favour; a version under review blocks a new one."""
    session = uow.session
    institution = institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=institution)
    programme_row = _programme_row(uow, draft.programme)
    programme = _programme_of(uow, programme_row)
    draft, problems = _resolve(uow, draft, institution)
    problems.extend(check_rule(draft, programme))
    if problems:
        raise ConversionError(
            "invalid_rule", msg("rule {code} is not valid", code=draft.code), problems
        )
    # The programme is locked before its versions are read: parallel drafts of one code take
    # their turns (each withdraws the draft before it) instead of colliding on a version.
    uow.session.scalar(
        for_update(uow.session, select(ProgrammeRow.id).where(ProgrammeRow.id == programme_row.id))
    )
    versions = _versions(uow, RuleRow.programme_id == programme_row.id, RuleRow.code == draft.code)
    if versions and versions[-1].institution != institution:
        raise ConversionError(
            "rule_conflict",
            msg(
                "rule {code} of programme {programme} belongs to {institution}",
                code=draft.code,
                programme=programme.code,
                institution=versions[-1].institution,
            ),
        )
    now = datetime.now(UTC)
    for version in versions:
        if version.status is RuleStatus.SUBMITTED:
            raise ConversionError(
                "rule_conflict",
                msg(
                    "rule {rule} is under review; wait for its decision before drafting another",
                    rule=version.label,
                ),
            )
        if version.status is RuleStatus.DRAFT:
            _rule_event(uow, version, RuleStatus.WITHDRAWN, by_id=user_id, reason="", at=now)
    row = RuleRow(
        programme_id=programme_row.id,
        institution_id=institution_id,
        code=draft.code,
        version=versions[-1].version + 1 if versions else 1,
        name=draft.name.strip(),
        name_en=draft.name_en.strip(),
        spec=spec_of(draft),
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        drafted_by_user_id=user_id,
        drafted_at=now,
    )
    session.add(row)
    session.flush()
    return get_rule(uow=uow, rule_id=row.id)


def _rule_event(
    uow: UnitOfWork,
    version: RuleVersion,
    kind: RuleStatus,
    *,
    by_id: int,
    reason: str,
    at: datetime,
    effective_on: date | None = None,
) -> RuleEventRow:
    author_id = uow.session.scalar(
        select(RuleRow.drafted_by_user_id).where(RuleRow.id == version.id)
    )
    assert author_id is not None  # noqa: S101 - the version exists
    check_rule_step(
        label=version.label, current=version.status, step=kind, author_id=author_id, by_id=by_id
    )
    event = RuleEventRow(
        rule_id=version.id,
        author_user_id=author_id,
        kind=kind.value,
        by_user_id=by_id,
        reason=reason,
        effective_on=effective_on,
        at=at,
    )
    uow.session.add(event)
    uow.session.flush()
    return event


def _versions(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[RuleVersion]:
    session = uow.session
    rows = list(session.scalars(select(RuleRow).where(*where).order_by(RuleRow.id)))
    if not rows:
        return []
    events: dict[int, list[RuleEventRow]] = {row.id: [] for row in rows}
    for event in session.scalars(
        select(RuleEventRow).where(RuleEventRow.rule_id.in_(list(events))).order_by(RuleEventRow.id)
    ):
        events[event.rule_id].append(event)
    users = institutions.user_names(
        uow=uow,
        user_ids={row.drafted_by_user_id for row in rows}
        | {event.by_user_id for found in events.values() for event in found},
    )
    codes = institutions.institution_codes(uow=uow)
    programmes = dict(
        session.execute(
            select(ProgrammeRow.id, ProgrammeRow.code).where(
                ProgrammeRow.id.in_({row.programme_id for row in rows})
            )
        ).all()
    )
    levels = _Levels(uow)
    found = []
    for row in rows:
        history = tuple(
            RuleEvent(
                kind=RuleStatus(event.kind),
                by=users[event.by_user_id][0],
                reason=event.reason,
                effective_on=event.effective_on,
                at=event.at,
            )
            for event in events[row.id]
        )
        found.append(
            RuleVersion(
                id=row.id,
                programme=programmes[row.programme_id],
                institution=codes[row.institution_id],
                draft=_draft_of(row, programmes[row.programme_id], levels),
                version=row.version,
                status=rule_status(event.kind for event in history),
                author=users[row.drafted_by_user_id][0],
                drafted_at=row.drafted_at,
                history=history,
                retired_from=next(
                    (e.effective_on for e in history if e.kind is RuleStatus.RETIRED), None
                ),
            )
        )
    return found


def get_rule(*, uow: UnitOfWork, rule_id: int) -> RuleVersion:
    found = _versions(uow, RuleRow.id == rule_id)
    if not found:
        raise ConversionError("rule_not_found", msg("there is no rule {id}", id=rule_id))
    return found[0]


def _locked_rule(uow: UnitOfWork, rule_id: int) -> RuleVersion:
    """Rule version ``rule_id``, locked until the transaction ends (``db.for_update``) BEFORE
    its status is read: of two parallel steps on it, the second waits and then sees the
    first one's event, so it is refused (``rule_status_conflict``) instead of doubling it."""
    uow.session.scalar(for_update(uow.session, select(RuleRow.id).where(RuleRow.id == rule_id)))
    return get_rule(uow=uow, rule_id=rule_id)


def rule_owner(*, uow: UnitOfWork, rule_id: int) -> str:
    return get_rule(uow=uow, rule_id=rule_id).institution


def list_rules(
    *,
    uow: UnitOfWork,
    institution: str | None = None,
    status: RuleStatus | None = None,
    programme: str | None = None,
) -> list[RuleVersion]:
    where = []
    if institution is not None:
        where.append(
            RuleRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    if programme is not None:
        where.append(RuleRow.programme_id == _programme_row(uow, programme).id)
    found = _versions(uow, *where)
    return [version for version in found if status is None or version.status is status]


def submit_rule(*, uow: UnitOfWork, rule_id: int, user_id: int) -> RuleVersion:
    """Send a draft to the bank for approval."""
    version = _locked_rule(uow, rule_id)
    _rule_event(uow, version, RuleStatus.SUBMITTED, by_id=user_id, reason="", at=datetime.now(UTC))
    return get_rule(uow=uow, rule_id=rule_id)


def approve_rule(*, uow: UnitOfWork, rule_id: int, user_id: int, reason: str = "") -> RuleVersion:
    """Approve a submitted version (a bank administrator other than its author); logged."""
    version = _locked_rule(uow, rule_id)
    event = _rule_event(
        uow,
        version,
        RuleStatus.APPROVED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=False),
        at=datetime.now(UTC),
    )
    (receipt,) = ledger.append(uow, [_rule_fact(uow, version, event)])
    return replace(get_rule(uow=uow, rule_id=rule_id), receipt=receipt)


def reject_rule(*, uow: UnitOfWork, rule_id: int, user_id: int, reason: str) -> RuleVersion:
    """Reject a submitted version, with a reason (a bank administrator other than its author)."""
    version = _locked_rule(uow, rule_id)
    _rule_event(
        uow,
        version,
        RuleStatus.REJECTED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=True),
        at=datetime.now(UTC),
    )
    return get_rule(uow=uow, rule_id=rule_id)


def retire_rule(
    *, uow: UnitOfWork, rule_id: int, user_id: int, effective_on: date, reason: str
) -> RuleVersion:
    """Retire an approved version from a date on (requests from that day no longer use it)."""
    version = _locked_rule(uow, rule_id)
    event = _rule_event(
        uow,
        version,
        RuleStatus.RETIRED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=True),
        at=datetime.now(UTC),
        effective_on=effective_on,
    )
    (receipt,) = ledger.append(uow, [_rule_fact(uow, version, event)])
    return replace(get_rule(uow=uow, rule_id=rule_id), receipt=receipt)


def _rule_fact(uow: UnitOfWork, version: RuleVersion, event: RuleEventRow) -> ledger.LogFact:
    return records.rule_fact(
        uow.session.get_one(RuleRow, version.id),
        event,
        programme=version.programme,
        institution=version.institution,
    )


def _engine_rules(uow: UnitOfWork, programme_id: int, on: date) -> list[Rule]:
    """For each rule code: its newest approved version in force ``on``, else its newest approved
    version (which the engine then reports as not in force)."""
    versions = [
        version
        for version in _versions(uow, RuleRow.programme_id == programme_id)
        if version.status in {RuleStatus.APPROVED, RuleStatus.RETIRED}
    ]
    chosen: dict[str, Rule] = {}
    for version in versions:  # by id, so by version within a code
        draft = version.draft
        rule = Rule(
            id=version.id,
            code=draft.code,
            version=version.version,
            sources=draft.sources,
            targets=draft.targets,
            conditions=draft.conditions,
            valid_from=draft.valid_from,
            valid_until=draft.valid_until,
            retired_from=version.retired_from,
            name=draft.name,
        )
        current = chosen.get(draft.code)
        if current is None or rule.in_force(on) or not current.in_force(on):
            chosen[draft.code] = rule
    return sorted(chosen.values(), key=lambda rule: rule.code)


# --- what the engine needs of a learner -----------------------------------------------


def held_outcomes(uow: UnitOfWork, learner_id: int) -> list[HeldOutcome]:
    """The learner's standing outcomes (not revoked, not superseded), as the engine sees them."""
    outcome = accounts.OutcomeRow
    item = catalog.CatalogItemRow
    rows = uow.session.execute(
        select(outcome, item.code, item.kind, item.institution_id)
        .join(item, item.id == outcome.item_id)
        .where(
            outcome.learner_id == learner_id,
            or_(
                accounts.has_status(accounts.OutcomeStatus.DEPOSITED),
                accounts.has_status(accounts.OutcomeStatus.VERIFIED),
            ),
        )
        .order_by(outcome.id)
    ).all()
    levels = frameworks.pinned_levels(
        uow=uow, level_ids=[row[0].framework_level_id for row in rows]
    )
    codes = institutions.institution_codes(uow=uow)
    return [
        HeldOutcome(
            id=row.public_id,
            item=f"{codes[owner]}:{code}",
            kind=kind,
            framework=levels[row.framework_level_id].framework,
            track=levels[row.framework_level_id].level.track,
            level=levels[row.framework_level_id].level.code,
            level_rank=levels[row.framework_level_id].level.rank,
            credits=row.credits,
            score=row.score,
            assessed_on=row.assessed_on,
            setting=row.setting,
            issuer=codes[row.institution_id],
            transferred=row.conversion_grant_id is not None,
        )
        for row, code, kind, owner in rows
    ]


class ConversionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    REVERSED = "reversed"


class ConversionEventKind(StrEnum):
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    REVERSED = "reversed"
    FLAGGED = "flagged"


def _conversion_status(kinds: Iterable[str]) -> ConversionStatus:
    present = set(kinds)
    for kind in (ConversionStatus.REVERSED, ConversionStatus.DECLINED, ConversionStatus.CONFIRMED):
        if kind.value in present:
            return kind
    return ConversionStatus.PENDING


def _active() -> ColumnElement[bool]:
    """A condition on ``conversions``: not declined and not reversed."""
    return ~exists().where(
        ConversionEventRow.conversion_id == ConversionRow.id,
        ConversionEventRow.kind.in_(
            [ConversionEventKind.DECLINED.value, ConversionEventKind.REVERSED.value]
        ),
    )


def prior_grants(uow: UnitOfWork, learner_id: int, programme_id: int) -> list[PriorGrant]:
    """The grants of the learner's active conversions toward the programme."""
    session = uow.session
    conversions = list(
        session.scalars(
            select(ConversionRow).where(
                ConversionRow.learner_id == learner_id,
                ConversionRow.programme_id == programme_id,
                _active(),
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
    for grant_id, public_id in session.execute(
        select(ConversionSourceRow.grant_id, accounts.OutcomeRow.public_id)
        .join(accounts.OutcomeRow, accounts.OutcomeRow.id == ConversionSourceRow.outcome_id)
        .where(ConversionSourceRow.grant_id.in_(list(sources)))
    ):
        sources[grant_id].append(public_id)
    refs = _item_refs(uow, [grant.source_item_id for grant in grants])
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
    row = _programme_row(uow, programme)
    return LearnerProgress(
        accounts.check_account_number(account_number), _audit(uow, learner_id, row, on)
    )


def _audit(uow: UnitOfWork, learner_id: int, row: ProgrammeRow, on: date) -> engine.Progress:
    return engine.audit(
        _programme_of(uow, row),
        _engine_rules(uow, row.id, on),
        held_outcomes(uow, learner_id),
        prior_grants(uow, learner_id, row.id),
        on,
    )


# --- conversions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversionEvent:
    kind: ConversionEventKind
    reason: str
    by: str
    outcome: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class GrantRecord:
    position: int
    rule_id: int
    rule: str
    version: int
    target: Target
    allowed: Decimal
    granted: Decimal
    cut_by: tuple[CapKind, ...]
    reason: Message
    sources: tuple[str, ...]
    transferred: str | None
    """The transferred-credit outcome that stands for it (once confirmed): the one deposited at
    confirmation, or the correction that superseded it."""
    deposited: str | None = None
    """The outcome the confirmation deposited (what its log entry names), corrected or not."""


@dataclass(frozen=True, slots=True)
class Conversion:
    public_id: str
    account_number: str
    programme: str
    institution: str
    requested_on: date
    requested_by: str
    requested_at: datetime
    total: Decimal
    status: ConversionStatus
    needs_review: bool
    grants: tuple[GrantRecord, ...]
    history: tuple[ConversionEvent, ...]
    passed_over: tuple[engine.PassedOver, ...] = ()
    receipt: ledger.Receipt | None = None


def message_json(message: Message) -> dict[str, Any]:
    return {"template": message.template, "params": {k: str(v) for k, v in message.params.items()}}


def message_of(data: dict[str, Any]) -> Message:
    return Message(data["template"], dict(data["params"]))


def _lock(uow: UnitOfWork, learner_id: int, programme_id: int) -> None:
    """Write the (learner, programme) lock row first: requests for them run one at a time."""
    uow.session.execute(
        text(
            "INSERT INTO conversion_locks (learner_id, programme_id, requests) "
            "VALUES (:learner, :programme, 1) ON CONFLICT (learner_id, programme_id) "
            "DO UPDATE SET requests = conversion_locks.requests + 1"
        ),
        {"learner": learner_id, "programme": programme_id},
    )


def _nothing_left(progress: engine.Progress) -> ConversionError:
    reasons: list[Message] = [passed.reason for passed in progress.plan.passed_over]
    reasons.extend(reason for check in progress.checks for reason in check.reasons[:1])
    return ConversionError(
        "conversion_conflict",
        msg(
            "no approved rule converts anything more toward {programme} for this learner now",
            programme=progress.programme.code,
        ),
        reasons[:20],
    )


def request_conversion(
    *,
    uow: UnitOfWork,
    account_number: str,
    programme: str,
    on: date,
    requested_by: str,
    dry_run: bool = False,
) -> Conversion:
    """Propose a conversion toward ``programme``: the engine's best plan under the rules in
    force ``on`` that day. Stored as pending (its sources claimed) unless ``dry_run``; the
    programme's institution then confirms or declines it."""
    session = uow.session
    learner_id = accounts.learner_id_of(uow, account_number)
    row = _programme_row(uow, programme)
    if not dry_run:
        _lock(uow, learner_id, row.id)
    audited = _audit(uow, learner_id, row, on)
    plan = audited.plan
    if not plan.grants:
        raise _nothing_left(audited)
    number = accounts.check_account_number(account_number)
    public_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    grants = tuple(
        GrantRecord(
            position=position,
            rule_id=grant.rule.id,
            rule=grant.rule.code,
            version=grant.rule.version,
            target=grant.target,
            allowed=grant.allowed,
            granted=grant.granted,
            cut_by=grant.cut_by,
            reason=grant.reason,
            sources=tuple(source.id for source in grant.sources),
            transferred=None,
        )
        for position, grant in enumerate(plan.grants)
    )
    conversion = Conversion(
        public_id=public_id,
        account_number=number,
        programme=row.code,
        institution=audited.programme.institution,
        requested_on=on,
        requested_by=requested_by,
        requested_at=now,
        total=plan.total,
        status=ConversionStatus.PENDING,
        needs_review=False,
        grants=grants,
        history=(),
        passed_over=plan.passed_over,
    )
    if dry_run:
        return conversion
    stored = ConversionRow(
        public_id=public_id,
        learner_id=learner_id,
        programme_id=row.id,
        requested_on=on,
        requested_by=requested_by,
        requested_at=now,
        total=plan.total,
    )
    session.add(stored)
    session.flush()
    outcome_ids = dict(
        session.execute(
            select(accounts.OutcomeRow.public_id, accounts.OutcomeRow.id).where(
                accounts.OutcomeRow.public_id.in_(
                    {source.id for grant in plan.grants for source in grant.sources}
                )
            )
        ).all()
    )
    item_ids = _item_ids(uow, {grant.sources[0].item for grant in plan.grants})
    institution_ids = {code: id_ for id_, code in institutions.institution_codes(uow=uow).items()}
    claimed: set[int] = set()
    for position, grant in enumerate(plan.grants):
        grant_row = ConversionGrantRow(
            conversion_id=stored.id,
            position=position,
            rule_id=grant.rule.id,
            target_kind=grant.target.kind.value,
            component=grant.target.component,
            category=grant.target.category,
            allowed=grant.allowed,
            granted=grant.granted,
            cut_by=",".join(cap.value for cap in grant.cut_by),
            reason=message_json(grant.reason),
            source_item_id=item_ids[grant.sources[0].item],
            source_institution_id=institution_ids[grant.sources[0].issuer],
        )
        session.add(grant_row)
        session.flush()
        for source in grant.sources:
            session.add(
                ConversionSourceRow(grant_id=grant_row.id, outcome_id=outcome_ids[source.id])
            )
            if outcome_ids[source.id] not in claimed:
                claimed.add(outcome_ids[source.id])
                session.add(
                    ClaimRow(
                        programme_id=row.id,
                        outcome_id=outcome_ids[source.id],
                        conversion_id=stored.id,
                    )
                )
    try:
        session.flush()
    except IntegrityError as error:
        raise ConversionError(
            "conversion_conflict",
            msg(
                "a source outcome is in use by another conversion toward {programme}; "
                "look at the learner's progress again",
                programme=row.code,
            ),
        ) from error
    return get_conversion(uow=uow, public_id=public_id)


def _item_ids(uow: UnitOfWork, refs: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for ref in refs:
        owner, code = split_item_ref(ref)
        item = catalog.find_item(uow=uow, institution=owner or "", code=code)
        assert item is not None  # noqa: S101 - the outcome's item exists
        found[ref] = item.id
    return found


def _conversion_row(uow: UnitOfWork, public_id: str, *, lock: bool = False) -> ConversionRow:
    query = select(ConversionRow).where(ConversionRow.public_id == public_id.strip().lower())
    row = uow.session.scalar(for_update(uow.session, query) if lock else query)
    if row is None:
        raise ConversionError(
            "conversion_not_found", msg("there is no conversion {id}", id=public_id.strip())
        )
    return row


def conversion_owner(*, uow: UnitOfWork, public_id: str) -> str:
    """The institution that decides on conversion ``public_id`` (the programme's)."""
    row = _conversion_row(uow, public_id)
    programme = uow.session.get_one(ProgrammeRow, row.programme_id)
    return institutions.institution_codes(uow=uow)[programme.institution_id]


def conversion_account(*, uow: UnitOfWork, public_id: str) -> str:
    """The account number of the learner conversion ``public_id`` is for."""
    row = _conversion_row(uow, public_id)
    number = uow.session.scalar(
        select(accounts.LearnerRow.account_number).where(accounts.LearnerRow.id == row.learner_id)
    )
    assert number is not None  # noqa: S101 - a foreign key guarantees it
    return number


def get_conversion(*, uow: UnitOfWork, public_id: str) -> Conversion:
    return _conversion_of(uow, _conversion_row(uow, public_id))


def _conversion_of(uow: UnitOfWork, row: ConversionRow) -> Conversion:
    session = uow.session
    programme = session.get_one(ProgrammeRow, row.programme_id)
    grants = transfers.grants_of(uow, row)
    grant_ids = [grant.id for grant in grants]
    sources = transfers.sources_of(uow, grant_ids)
    deposited: dict[int, str] = {}
    transferred: dict[int, str] = {}
    for made_by, outcome_id in session.execute(
        select(accounts.OutcomeRow.conversion_grant_id, accounts.OutcomeRow.public_id)
        .where(accounts.OutcomeRow.conversion_grant_id.in_(grant_ids))
        .order_by(accounts.OutcomeRow.id)
    ):
        if made_by is not None:
            deposited.setdefault(made_by, outcome_id)  # the confirmation's deposit comes first
            transferred[made_by] = outcome_id  # a correction's replacement comes last
    rules = transfers.rule_versions(uow, {grant.rule_id for grant in grants})
    events = list(
        session.scalars(
            select(ConversionEventRow)
            .where(ConversionEventRow.conversion_id == row.id)
            .order_by(ConversionEventRow.id)
        )
    )
    causes = dict(
        session.execute(
            select(accounts.OutcomeRow.id, accounts.OutcomeRow.public_id).where(
                accounts.OutcomeRow.id.in_({e.outcome_id for e in events if e.outcome_id})
            )
        ).all()
    )
    status = _conversion_status(event.kind for event in events)
    flagged = any(event.kind == ConversionEventKind.FLAGGED for event in events)
    number = session.scalar(
        select(accounts.LearnerRow.account_number).where(accounts.LearnerRow.id == row.learner_id)
    )
    return Conversion(
        public_id=row.public_id,
        account_number=number or "",
        programme=programme.code,
        institution=institutions.institution_codes(uow=uow)[programme.institution_id],
        requested_on=row.requested_on,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        total=row.total,
        status=status,
        needs_review=flagged and status in {ConversionStatus.PENDING, ConversionStatus.CONFIRMED},
        grants=tuple(
            GrantRecord(
                position=grant.position,
                rule_id=grant.rule_id,
                rule=rules[grant.rule_id][0],
                version=rules[grant.rule_id][1],
                target=Target(
                    TargetKind(grant.target_kind),
                    component=grant.component,
                    credits=grant.allowed if grant.target_kind == TargetKind.ELECTIVE else None,
                    category=grant.category,
                ),
                allowed=grant.allowed,
                granted=grant.granted,
                cut_by=tuple(CapKind(cap) for cap in grant.cut_by.split(",") if cap),
                reason=message_of(grant.reason),
                sources=tuple(sorted(sources[grant.id])),
                transferred=transferred.get(grant.id),
                deposited=deposited.get(grant.id),
            )
            for grant in grants
        ),
        history=tuple(
            ConversionEvent(
                kind=ConversionEventKind(event.kind),
                reason=event.reason,
                by=event.by,
                outcome=causes.get(event.outcome_id) if event.outcome_id else None,
                at=event.at,
            )
            for event in events
        ),
    )


def list_conversions(
    *, uow: UnitOfWork, account_number: str | None = None, institution: str | None = None
) -> list[Conversion]:
    """A learner's conversions, or those toward an institution's programmes, newest first."""
    query = select(ConversionRow).order_by(ConversionRow.id.desc()).limit(200)
    if account_number is not None:
        query = query.where(ConversionRow.learner_id == accounts.learner_id_of(uow, account_number))
    if institution is not None:
        query = query.join(ProgrammeRow, ProgrammeRow.id == ConversionRow.programme_id).where(
            ProgrammeRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    return [_conversion_of(uow, row) for row in uow.session.scalars(query)]


def _event(
    uow: UnitOfWork,
    row: ConversionRow,
    kind: ConversionEventKind,
    *,
    reason: str,
    by: str,
    outcome_id: int | None = None,
) -> ConversionEventRow:
    event = ConversionEventRow(
        conversion_id=row.id,
        kind=kind.value,
        reason=reason,
        by=by,
        outcome_id=outcome_id,
        at=datetime.now(UTC),
    )
    uow.session.add(event)
    uow.session.flush()
    return event


def _status_of(uow: UnitOfWork, row: ConversionRow) -> ConversionStatus:
    return _conversion_status(
        uow.session.scalars(
            select(ConversionEventRow.kind).where(ConversionEventRow.conversion_id == row.id)
        )
    )


def _require_status(
    row: ConversionRow, current: ConversionStatus, allowed: set[ConversionStatus], action: str
) -> None:
    if current not in allowed:
        raise ConversionError(
            "conversion_status_conflict",
            msg(
                "conversion {id} is {status}; it cannot be {action}",
                id=row.public_id,
                status=current.value,
                action=action,
            ),
            extensions={"conversion_status": current.value},
        )


def confirm_conversion(*, uow: UnitOfWork, public_id: str, by: str) -> Conversion:
    """The receiving institution confirms a pending conversion: each grant is deposited as an
    outcome of transferred credit toward the programme (never as the programme's own award),
    linked to its sources; logged."""
    row = _conversion_row(uow, public_id, lock=True)
    _require_status(row, _status_of(uow, row), {ConversionStatus.PENDING}, "confirmed")
    programme = uow.session.get_one(ProgrammeRow, row.programme_id)
    institution = institutions.institution_codes(uow=uow)[programme.institution_id]
    number = conversion_account(uow=uow, public_id=public_id)
    facts = [
        accounts.deposited_fact(outcome, account_number=number, institution=institution)
        for outcome in transfers.deposit_transferred_credit(uow, row, programme)
    ]
    event = _event(uow, row, ConversionEventKind.CONFIRMED, reason="", by=by)
    confirmed = get_conversion(uow=uow, public_id=public_id)
    receipts = ledger.append(uow, [*facts, records.conversion_fact(confirmed, event)])
    return replace(confirmed, receipt=receipts[-1])


def decline_conversion(*, uow: UnitOfWork, public_id: str, by: str, reason: str) -> Conversion:
    """Decline a pending conversion with a reason; its sources are free again."""
    row = _conversion_row(uow, public_id, lock=True)
    _require_status(row, _status_of(uow, row), {ConversionStatus.PENDING}, "declined")
    _event(
        uow,
        row,
        ConversionEventKind.DECLINED,
        reason=accounts.check_reason(reason, required=True),
        by=by,
    )
    _release(uow, row)
    return get_conversion(uow=uow, public_id=public_id)


def reverse_conversion(
    *,
    uow: UnitOfWork,
    public_id: str,
    by: str,
    user_id: int,
    reason: str,
    outcome_id: int | None = None,
) -> Conversion:
    """Reverse a confirmed conversion (or withdraw a pending one): the transferred credit is
    revoked, the sources are free again; logged."""
    row = _conversion_row(uow, public_id, lock=True)
    current = _status_of(uow, row)
    _require_status(
        row, current, {ConversionStatus.PENDING, ConversionStatus.CONFIRMED}, "reversed"
    )
    reason = accounts.check_reason(reason, required=True)
    transferred = uow.session.execute(
        select(accounts.OutcomeRow.id, accounts.OutcomeRow.public_id)
        .join(ConversionGrantRow, ConversionGrantRow.id == accounts.OutcomeRow.conversion_grant_id)
        .where(ConversionGrantRow.conversion_id == row.id)
    ).all()
    standing = accounts.statuses(uow=uow, outcome_ids=[outcome.id for outcome in transferred])
    for outcome in transferred:  # a corrected one is revoked through its replacement
        if accounts.stands(standing[outcome.id]):
            accounts.revoke_outcome(
                uow=uow, public_id=outcome.public_id, user_id=user_id, reason=reason
            )
    event = _event(
        uow, row, ConversionEventKind.REVERSED, reason=reason, by=by, outcome_id=outcome_id
    )
    _release(uow, row)
    reversed_ = get_conversion(uow=uow, public_id=public_id)
    (receipt,) = ledger.append(uow, [records.conversion_fact(reversed_, event)])
    return replace(reversed_, receipt=receipt)


def _release(uow: UnitOfWork, row: ConversionRow) -> None:
    uow.session.execute(delete(ClaimRow).where(ClaimRow.conversion_id == row.id))


def source_withdrawn(
    uow: UnitOfWork, outcome_id: int, kind: accounts.OutcomeStatus, user_id: int
) -> None:
    """An outcome was revoked or superseded: every active conversion built on it is flagged for
    review, or reversed where its programme's policy says so (hook of the accounts area)."""
    session = uow.session
    rows = list(
        session.scalars(
            select(ConversionRow)
            .join(ClaimRow, ClaimRow.conversion_id == ConversionRow.id)
            .where(ClaimRow.outcome_id == outcome_id)
            .order_by(ConversionRow.id)
        )
    )
    if not rows:
        return
    public_id = session.scalar(
        select(accounts.OutcomeRow.public_id).where(accounts.OutcomeRow.id == outcome_id)
    )
    users = institutions.user_names(uow=uow, user_ids=[user_id])
    by = users[user_id][0] if user_id in users else "system"
    for row in rows:
        programme = session.get_one(ProgrammeRow, row.programme_id)
        reason = msg(
            "source outcome {outcome} was {event}", outcome=public_id or "", event=kind.value
        ).render()
        if programme.reverse_on_withdrawal:
            reverse_conversion(
                uow=uow,
                public_id=row.public_id,
                by=by,
                user_id=user_id,
                reason=reason,
                outcome_id=outcome_id,
            )
        else:
            _event(
                uow, row, ConversionEventKind.FLAGGED, reason=reason, by=by, outcome_id=outcome_id
            )


# --- idempotency -----------------------------------------------------------------------


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def remembered(
    *, uow: UnitOfWork, scope: str, key: str, fingerprint: str
) -> tuple[int, dict[str, Any]] | None:
    """The answer first given to the request ``key`` of ``scope``; ``idempotency_key_reused``
    when the key came with another request."""
    row = uow.session.get(IdempotencyKeyRow, (scope, key))
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise ConversionError(
            "idempotency_key_reused",
            msg("Idempotency-Key {key} was used with another request", key=key),
        )
    return row.status_code, row.response


def remember(
    *,
    uow: UnitOfWork,
    scope: str,
    key: str,
    fingerprint: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Keep the answer to request ``key`` of ``scope`` (in the request's own transaction)."""
    uow.session.add(
        IdempotencyKeyRow(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            response=response,
            created_at=datetime.now(UTC),
        )
    )
    try:
        uow.session.flush()
    except IntegrityError as error:
        raise ConversionError(
            "conversion_conflict",
            msg("a request with Idempotency-Key {key} is being processed; retry", key=key),
        ) from error
