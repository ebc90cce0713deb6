"""Use cases for what happens to an outcome after its deposit: verify, revoke, correct.

Given a unit of work; never commit. Outcomes are never edited: each of these
use cases appends one row to ``outcome_events`` (who, when, why), and a
correction deposits a new outcome that the event points at. An outcome's
status is derived from its events (``accounts.model.derive_status``); a use
case that the current status does not allow is refused with a 409 problem that
names the status. The outcome is locked (``SELECT ... FOR UPDATE`` on
PostgreSQL) while its status is checked, so two requests cannot both revoke or
both correct it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import or_, select

from creditbank.accounts import records, statistics
from creditbank.accounts.depositing import OutcomeDeposit, deposit
from creditbank.accounts.model import (
    AccountError,
    OutcomeFacts,
    OutcomeStatus,
    check_event,
    check_reason,
)
from creditbank.accounts.outcomes import Outcome, outcome_of, statuses
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import msg

WITHDRAWN_HOOKS = "creditbank.accounts.withdrawn_hooks"
"""Key in a session's ``info`` of the functions called, in the same transaction, when an
outcome is revoked or superseded: ``hook(uow, outcome_id, kind, user_id)``. The composition
root registers the conversion area's (conversions built on the outcome are flagged or
reversed), so that this area need not know of conversions."""

WithdrawnHook = Callable[[UnitOfWork, int, OutcomeStatus, int], None]


@dataclass(frozen=True, slots=True)
class OutcomeEvent:
    """One fact about an outcome after its deposit. ``kind`` is the status it gave."""

    kind: OutcomeStatus
    reason: str
    by: str
    by_institution: str | None
    at: datetime
    replaced_by: str | None


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """An outcome with its status, its history and the outcomes it replaced or was replaced by."""

    outcome: Outcome
    history: tuple[OutcomeEvent, ...]
    replaces: str | None
    replaced_by: str | None
    receipt: ledger.Receipt | None = None
    """Where the change just made stands in the ledger (only on the answer to a change)."""


@dataclass(frozen=True, slots=True)
class Corrected:
    """The outcome a correction deposited; ``created`` is False when it was sent before."""

    record: OutcomeRecord
    created: bool


def outcome_row(uow: UnitOfWork, public_id: str, *, lock: bool = False) -> OutcomeRow:
    """The stored outcome ``public_id`` (``outcome_not_found``)."""
    query = select(OutcomeRow).where(OutcomeRow.public_id == public_id.strip().lower())
    if lock:  # and refresh what an earlier read of this transaction left in the session
        query = for_update(uow.session, query)
    row = uow.session.scalar(query)
    if row is None:
        raise AccountError(
            "outcome_not_found", msg("there is no outcome {id}", id=public_id.strip())
        )
    return row


def issuer_of(*, uow: UnitOfWork, public_id: str) -> str:
    """The code of the institution that deposited outcome ``public_id`` (its owner)."""
    row = outcome_row(uow, public_id)
    return institutions.institution_codes(uow=uow)[row.institution_id]


def get_outcome(*, uow: UnitOfWork, public_id: str) -> OutcomeRecord:
    """Outcome ``public_id`` with its status and history; superseded ones stay readable."""
    return _record(uow, outcome_row(uow, public_id))


def _record(uow: UnitOfWork, row: OutcomeRow) -> OutcomeRecord:
    session = uow.session
    events = list(
        session.scalars(
            select(OutcomeEventRow)
            .where(
                or_(OutcomeEventRow.outcome_id == row.id, OutcomeEventRow.replaced_by_id == row.id)
            )
            .order_by(OutcomeEventRow.id)
        )
    )
    own = [event for event in events if event.outcome_id == row.id]
    linked = {event.outcome_id for event in events} | {
        event.replaced_by_id for event in own if event.replaced_by_id is not None
    }
    rows = session.execute(
        select(OutcomeRow.id, OutcomeRow.public_id).where(OutcomeRow.id.in_(linked))
    )
    public_ids = {row.id: row.public_id for row in rows}
    users = institutions.user_names(uow=uow, user_ids=[event.by_user_id for event in own])
    history = tuple(
        OutcomeEvent(
            kind=OutcomeStatus(event.kind),
            reason=event.reason,
            by=users[event.by_user_id][0],
            by_institution=users[event.by_user_id][1],
            at=event.at,
            replaced_by=public_ids[event.replaced_by_id] if event.replaced_by_id else None,
        )
        for event in own
    )
    replaces = next(
        (public_ids[event.outcome_id] for event in events if event.replaced_by_id == row.id), None
    )
    replaced_by = next((event.replaced_by for event in history if event.replaced_by), None)
    return OutcomeRecord(outcome_of(uow=uow, row=row), history, replaces, replaced_by)


def _append(
    uow: UnitOfWork,
    row: OutcomeRow,
    kind: OutcomeStatus,
    *,
    reason: str,
    user_id: int,
    replaced_by: OutcomeRow | None = None,
    at: datetime | None = None,
) -> ledger.Receipt:
    event = OutcomeEventRow(
        outcome_id=row.id,
        kind=kind.value,
        reason=reason,
        by_user_id=user_id,
        at=at or datetime.now(UTC),
        replaced_by_id=replaced_by.id if replaced_by else None,
    )
    uow.session.add(event)
    uow.session.flush()
    institution = institutions.institution_codes(uow=uow)[row.institution_id]
    (receipt,) = ledger.append(
        uow,
        [
            records.event_fact(
                event,
                bank=ledger.log_origin(uow=uow),
                outcome=row.public_id,
                institution=institution,
                actor=institutions.actor_ids(uow=uow, user_ids=[user_id])[user_id],
                replaced_by=replaced_by.public_id if replaced_by else None,
            )
        ],
    )
    if kind in {OutcomeStatus.REVOKED, OutcomeStatus.SUPERSEDED}:
        hooks: Sequence[WithdrawnHook] = uow.session.info.get(WITHDRAWN_HOOKS, ())
        for hook in hooks:
            hook(uow, row.id, kind, user_id)
    return receipt


def verify_outcome(
    *, uow: UnitOfWork, public_id: str, user_id: int, reason: str = ""
) -> OutcomeRecord:
    """Record that ``user_id`` verified a deposited outcome (e.g. against the issuer's register)."""
    reason = check_reason(reason, required=False)
    row = outcome_row(uow, public_id, lock=True)
    check_event(
        row.public_id, statuses(uow=uow, outcome_ids=[row.id])[row.id], OutcomeStatus.VERIFIED
    )
    receipt = _append(uow, row, OutcomeStatus.VERIFIED, reason=reason, user_id=user_id)
    return replace(_record(uow, row), receipt=receipt)


def revoke_outcome(*, uow: UnitOfWork, public_id: str, user_id: int, reason: str) -> OutcomeRecord:
    """Revoke an outcome, with a reason. It stays readable, marked revoked."""
    reason = check_reason(reason, required=True)
    row = outcome_row(uow, public_id, lock=True)
    check_event(
        row.public_id, statuses(uow=uow, outcome_ids=[row.id])[row.id], OutcomeStatus.REVOKED
    )
    at = datetime.now(UTC)
    receipt = _append(uow, row, OutcomeStatus.REVOKED, reason=reason, user_id=user_id, at=at)
    statistics.tally_revoked(uow, row, at=at)
    return replace(_record(uow, row), receipt=receipt)


def supersede_outcome(
    *,
    uow: UnitOfWork,
    public_id: str,
    facts: OutcomeFacts,
    reason: str,
    user_id: int,
    today: date,
) -> Corrected:
    """Correct an outcome: deposit ``facts`` as a new record of the same institution and learner,
    and mark the old one superseded by it.

    The correction needs a ``record_id`` of its own. Sending the same correction again answers
    the outcome it made (``created`` False) instead of refusing the now superseded original.
    """
    reason = check_reason(reason, required=True)
    session = uow.session
    old = outcome_row(uow, public_id, lock=True)
    institution = institutions.institution_codes(uow=uow)[old.institution_id]
    account_number = session.scalar(
        select(LearnerRow.account_number).where(LearnerRow.id == old.learner_id)
    )
    assert account_number is not None  # noqa: S101 - a foreign key guarantees it
    current = statuses(uow=uow, outcome_ids=[old.id])[old.id]
    if current is OutcomeStatus.SUPERSEDED:
        replacement = session.scalar(
            select(OutcomeRow)
            .join(OutcomeEventRow, OutcomeEventRow.replaced_by_id == OutcomeRow.id)
            .where(OutcomeEventRow.outcome_id == old.id)
        )
        if replacement is not None and replacement.record_id == facts.record_id:
            (again,) = deposit(
                uow=uow,
                outcomes=[OutcomeDeposit(institution, account_number, facts)],
                today=today,
            )  # the same facts answer the replacement; other facts are a record conflict
            row = session.get_one(OutcomeRow, again.outcome_id)
            return Corrected(replace(_record(uow, row), receipt=again.receipt), created=False)
    check_event(old.public_id, current, OutcomeStatus.SUPERSEDED)
    taken = session.scalar(
        select(OutcomeRow.id).where(
            OutcomeRow.institution_id == old.institution_id,
            OutcomeRow.record_id == facts.record_id,
        )
    )
    if taken is not None:
        raise AccountError(
            "record_conflict",
            msg(
                "record {record} of {institution} exists already; "
                "a correction needs a record_id of its own",
                record=facts.record_id,
                institution=institution,
            ),
        )
    (deposited,) = deposit(
        uow=uow,
        outcomes=[OutcomeDeposit(institution, account_number, facts)],
        today=today,
    )
    new = session.get_one(OutcomeRow, deposited.outcome_id)
    _append(uow, old, OutcomeStatus.SUPERSEDED, reason=reason, user_id=user_id, replaced_by=new)
    return Corrected(replace(_record(uow, new), receipt=deposited.receipt), created=True)


def supersede_with(
    *,
    uow: UnitOfWork,
    public_id: str,
    replacement: OutcomeDeposit,
    reason: str,
    user_id: int,
    now: datetime | None = None,
) -> OutcomeRecord:
    """Correct outcome ``public_id`` by ``replacement``, an outcome of the same learner and
    institution that another area derives (e.g. transferred credit recorded as what it is):
    the replacement is deposited (:func:`creditbank.accounts.depositing.deposit`, at ``now``)
    and logged, the old outcome is marked superseded by it and logged. Nothing is edited in
    place."""
    reason = check_reason(reason, required=True)
    old = outcome_row(uow, public_id, lock=True)
    check_event(
        old.public_id, statuses(uow=uow, outcome_ids=[old.id])[old.id], OutcomeStatus.SUPERSEDED
    )
    number = uow.session.get_one(LearnerRow, old.learner_id).account_number
    institution = institutions.institution_codes(uow=uow)[old.institution_id]
    if (replacement.account_number, replacement.institution.upper()) != (number, institution):
        raise AccountError(
            "invalid_outcome",
            msg("a correction belongs to the same learner and institution as the outcome"),
        )
    now = now or datetime.now(UTC)
    (made,) = deposit(uow=uow, outcomes=[replacement], today=now.date(), now=now, log=False)
    assert made.fact is not None  # noqa: S101 - a derived outcome is always new
    (deposited,) = ledger.append(uow, [made.fact])
    new = uow.session.get_one(OutcomeRow, made.outcome_id)
    _append(uow, old, OutcomeStatus.SUPERSEDED, reason=reason, user_id=user_id, replaced_by=new)
    return replace(_record(uow, new), receipt=deposited)
