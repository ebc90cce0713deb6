"""Rule versions as stored: drafting, the four-eyes steps (submit, approve, reject, retire),
reading versions back with their history, and the versions the engine applies on a day.

Approvals and retirements are facts of record: logged in the same transaction
(:mod:`creditbank.conversion.records`). Given a unit of work; never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.conversion import records
from creditbank.conversion.model import (
    Conditions,
    ConversionError,
    LevelBar,
    Rule,
    RuleDraft,
    RuleStatus,
    SourceSpec,
    Target,
    TargetKind,
    check_rule,
    check_rule_step,
    rule_status,
)
from creditbank.conversion.programme_store import (
    item_of,
    item_ref,
    level_bar,
    programme_of,
    programme_row,
)
from creditbank.conversion.tables import ProgrammeRow, RuleEventRow, RuleRow
from creditbank.db import UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg


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
        self._frameworks: dict[str, frameworks.FrameworkVersion] = {}

    def bar(self, framework: str, level: str) -> LevelBar:
        """The bar of ``level`` of the latest version of ``framework`` (as ``level_bar``
        says), each framework read once per use case, not once per level."""
        key = (framework.upper(), level.casefold())
        if key not in self._found:
            found = self._frameworks.get(key[0])
            if found is None:
                found = self._frameworks[key[0]] = frameworks.get_framework(
                    uow=self._uow, code=framework
                )
            pinned = found.level(level)
            self._found[key] = LevelBar(found.code, pinned.code, pinned.track, pinned.rank)
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
            item = item_of(uow, source.item, default_owner=institution)
            if item is None:
                problems.append(
                    msg(
                        "source {number}: there is no catalogue item {code}",
                        number=number,
                        code=source.item,
                    )
                )
            else:
                resolved = replace(resolved, item=item_ref(item))
        if source.kind is not None and source.kind not in set(catalog.ItemKind):
            problems.append(
                msg(
                    "source {number}: {kind} is not a kind of item", number=number, kind=source.kind
                )
            )
        if source.level is not None:
            try:
                resolved = replace(
                    resolved, level=level_bar(uow, source.level.framework, source.level.level)
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
    found_row = programme_row(uow, draft.programme)
    programme = programme_of(uow, found_row)
    draft, problems = _resolve(uow, draft, institution)
    problems.extend(check_rule(draft, programme))
    if problems:
        raise ConversionError(
            "invalid_rule", msg("rule {code} is not valid", code=draft.code), problems
        )
    # The programme is locked before its versions are read: parallel drafts of one code take
    # their turns (each withdraws the draft before it) instead of colliding on a version.
    uow.session.scalar(
        for_update(uow.session, select(ProgrammeRow.id).where(ProgrammeRow.id == found_row.id))
    )
    versions = _versions(uow, RuleRow.programme_id == found_row.id, RuleRow.code == draft.code)
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
        programme_id=found_row.id,
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
    """The rules that meet ``where``, by id, with their histories: the rules with their
    programmes' and owners' codes in one query, their events in another, the users named in a
    third."""
    session = uow.session
    found_rows = session.execute(
        select(
            RuleRow,
            ProgrammeRow.code,
            institutions.institution_code_of(RuleRow.institution_id),
        )
        .join(ProgrammeRow, ProgrammeRow.id == RuleRow.programme_id)
        .where(*where)
        .order_by(RuleRow.id)
    ).all()
    if not found_rows:
        return []
    rows = [found.RuleRow for found in found_rows]
    programmes = {found.RuleRow.programme_id: found[1] for found in found_rows}
    codes = {found.RuleRow.institution_id: found[2] for found in found_rows}
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
        where.append(RuleRow.programme_id == programme_row(uow, programme).id)
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
        uow,
        uow.session.get_one(RuleRow, version.id),
        event,
        programme=version.programme,
        institution=version.institution,
    )


def engine_rules(uow: UnitOfWork, programme_id: int, on: date) -> list[Rule]:
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
            name_en=draft.name_en,
        )
        current = chosen.get(draft.code)
        if current is None or rule.in_force(on) or not current.in_force(on):
            chosen[draft.code] = rule
    return sorted(chosen.values(), key=lambda rule: rule.code)
