"""Conversions as they are written: requesting one (the engine's best plan, its sources
claimed), confirming it (transferred credit deposited and logged), declining, reversing, and
what happens when a source is withdrawn.

Concurrency: every conversion request first writes the (learner, programme) row of
``conversion_locks``. On PostgreSQL that row lock makes a second request for the same
learner and programme wait until the first commits; on SQLite the write takes the
database's write lock. Either way the second one then sees the first one's claims and
caps, and is refused with ``conversion_conflict`` (409) when nothing is left to convert.
The primary key of ``conversion_claims`` refuses a source used twice in any case.
Given a unit of work; never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.catalog.model import split_item_ref
from creditbank.conversion import engine, records, statistics, transfers
from creditbank.conversion.conversion_reads import (
    Conversion,
    ConversionEventKind,
    ConversionStatus,
    GrantRecord,
    conversion_account,
    conversion_row,
    get_conversion,
    message_json,
    status_of,
)
from creditbank.conversion.model import ConversionError
from creditbank.conversion.programme_store import programme_row
from creditbank.conversion.progress import audit
from creditbank.conversion.tables import (
    ClaimRow,
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ConversionSourceRow,
    ProgrammeRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg


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
    row = programme_row(uow, programme)
    if not dry_run:
        _lock(uow, learner_id, row.id)
    audited = audit(uow, learner_id, row, on)
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
    outcome_ids = accounts.outcome_ids_by_public_id(
        uow=uow, public_ids={source.id for grant in plan.grants for source in grant.sources}
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
    statistics.tally_requested(uow, stored)
    return get_conversion(uow=uow, public_id=public_id)


def _item_ids(uow: UnitOfWork, refs: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for ref in refs:
        owner, code = split_item_ref(ref)
        item = catalog.find_item(uow=uow, institution=owner or "", code=code)
        assert item is not None  # noqa: S101 - the outcome's item exists
        found[ref] = item.id
    return found


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
    row = conversion_row(uow, public_id, lock=True)
    _require_status(row, status_of(uow, row), {ConversionStatus.PENDING}, "confirmed")
    programme = uow.session.get_one(ProgrammeRow, row.programme_id)
    institution = institutions.institution_codes(uow=uow)[programme.institution_id]
    number = conversion_account(uow=uow, public_id=public_id)
    # asked before the deposit: it may lock the learner, and a row lock taken after the deposit
    # inserted outcomes (whose foreign key holds a share lock on the learner) deadlocks with a
    # second first confirmation doing the same on PostgreSQL
    first = statistics.first_confirmation(uow, row.learner_id)
    facts = transfers.deposit_transferred_credit(
        uow, row, programme, account_number=number, institution=institution
    )
    event = _event(uow, row, ConversionEventKind.CONFIRMED, reason="", by=by)
    statistics.tally_confirmed(uow, row, at=event.at, first=first)
    confirmed = get_conversion(uow=uow, public_id=public_id)
    receipts = ledger.append(uow, [*facts, records.conversion_fact(uow, confirmed, event)])
    return replace(confirmed, receipt=receipts[-1])


def decline_conversion(*, uow: UnitOfWork, public_id: str, by: str, reason: str) -> Conversion:
    """Decline a pending conversion with a reason; its sources are free again."""
    row = conversion_row(uow, public_id, lock=True)
    _require_status(row, status_of(uow, row), {ConversionStatus.PENDING}, "declined")
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
    row = conversion_row(uow, public_id, lock=True)
    current = status_of(uow, row)
    _require_status(
        row, current, {ConversionStatus.PENDING, ConversionStatus.CONFIRMED}, "reversed"
    )
    reason = accounts.check_reason(reason, required=True)
    grant_ids = uow.session.scalars(
        select(ConversionGrantRow.id).where(ConversionGrantRow.conversion_id == row.id)
    ).all()
    transferred = accounts.outcomes_of_grants(uow=uow, grant_ids=grant_ids)
    standing = accounts.statuses(uow=uow, outcome_ids=[id_ for _, id_, _ in transferred])
    for _, id_, outcome in transferred:  # a corrected one is revoked through its replacement
        if accounts.stands(standing[id_]):
            accounts.revoke_outcome(uow=uow, public_id=outcome, user_id=user_id, reason=reason)
    event = _event(
        uow, row, ConversionEventKind.REVERSED, reason=reason, by=by, outcome_id=outcome_id
    )
    _release(uow, row)
    reversed_ = get_conversion(uow=uow, public_id=public_id)
    (receipt,) = ledger.append(uow, [records.conversion_fact(uow, reversed_, event)])
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
    public_id = accounts.outcome_public_ids(uow=uow, outcome_ids=[outcome_id]).get(outcome_id)
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
