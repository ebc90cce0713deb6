"""What the ledger holds of outcomes and their events, and how to read it back.

Each deposited outcome, and each verification, revocation or supersession of one, is a
fact of record: the ledger logs a commitment to the business row (its public fields as
below) in the same transaction. ``creditbank log verify`` reads the same fields back with
:data:`READERS` and checks every commitment, so that a business row altered after the
fact shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from sqlalchemy import Exists, select
from sqlalchemy.orm import InstrumentedAttribute

from creditbank.accounts import fields
from creditbank.accounts.fields import STORED_AS_GIVEN
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.db import UnitOfWork, one_of
from creditbank.institutions import api as institutions
from creditbank.ledger.api import LogFact, LogKind, is_logged

STORED_FACT_COLUMNS = ("learner_id", "item_id", "framework_level_id", *STORED_AS_GIVEN)
"""The columns that make an outcome what it is (equal for the same record sent again): the
learner, the item and level resolved, and the facts stored as given
(:mod:`creditbank.accounts.fields`)."""

EVENT_KINDS = {
    OutcomeStatus.VERIFIED: LogKind.OUTCOME_VERIFIED,
    OutcomeStatus.REVOKED: LogKind.OUTCOME_REVOKED,
    OutcomeStatus.SUPERSEDED: LogKind.OUTCOME_SUPERSEDED,
}


def outcome_record(row: OutcomeRow, *, account_number: str, institution: str) -> dict[str, object]:
    """The facts of a deposited outcome that its log entry commits to; transferred credit adds
    what was transferred toward what, from which outcomes (``transfer``)."""
    record = outcome_values(
        public_id=row.public_id,
        account_number=account_number,
        institution=institution,
        record_id=row.record_id,
        stored=tuple(getattr(row, column) for column in STORED_FACT_COLUMNS),
        deposited_at=row.deposited_at,
    )
    if row.transfer is not None:
        record["transfer"] = row.transfer
    return record


def outcome_values(
    *,
    public_id: str,
    account_number: str,
    institution: str,
    record_id: str,
    stored: tuple[object, ...],
    deposited_at: datetime,
) -> dict[str, object]:
    """:func:`outcome_record` from the values of a row (``stored``: ``STORED_FACT_COLUMNS``,
    whose first, the learner's id, the record gives as the account number instead)."""
    values = dict(zip(STORED_FACT_COLUMNS, stored, strict=True))
    record: dict[str, object] = {
        "public_id": public_id,
        "account_number": account_number,
        "institution": institution,
        "record_id": record_id,
        "item_id": values["item_id"],
        "framework_level_id": values["framework_level_id"],
    }
    record.update(
        (name, values[name]) for name in STORED_AS_GIVEN if fields.logged(name, values[name])
    )
    record["deposited_at"] = deposited_at
    return record


def deposited_fact(row: OutcomeRow, *, account_number: str, institution: str) -> LogFact:
    """The log fact of a deposited outcome."""
    return LogFact(
        LogKind.OUTCOME_DEPOSITED,
        row.public_id,
        institution,
        row.deposited_at,
        outcome_record(row, account_number=account_number, institution=institution),
    )


def event_record(
    event: OutcomeEventRow, *, outcome: str, replaced_by: str | None
) -> dict[str, object]:
    """The facts of an outcome event that its log entry commits to."""
    return {
        "outcome": outcome,
        "event": event.kind,
        "reason": event.reason,
        "by_user_id": event.by_user_id,
        "at": event.at,
        "replaced_by": replaced_by,
    }


def event_fact(
    event: OutcomeEventRow, *, outcome: str, institution: str, replaced_by: str | None
) -> LogFact:
    """The log fact of a verification, revocation or supersession of outcome ``outcome``."""
    return LogFact(
        EVENT_KINDS[OutcomeStatus(event.kind)],
        outcome,
        institution,
        event.at,
        event_record(event, outcome=outcome, replaced_by=replaced_by),
    )


def _outcomes(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    session = uow.session
    rows = session.execute(
        select(OutcomeRow, LearnerRow.account_number)
        .join(LearnerRow, LearnerRow.id == OutcomeRow.learner_id)
        .where(one_of(session, OutcomeRow.public_id, list(record_ids)))
    ).all()
    codes = institutions.institution_codes(uow=uow)
    return {
        row.public_id: outcome_record(
            row, account_number=number, institution=codes[row.institution_id]
        )
        for row, number in rows
    }


def _events(
    kind: OutcomeStatus,
) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        session = uow.session
        found = session.execute(
            select(OutcomeEventRow, OutcomeRow.public_id)
            .join(OutcomeRow, OutcomeRow.id == OutcomeEventRow.outcome_id)
            .where(
                one_of(session, OutcomeRow.public_id, list(record_ids)),
                OutcomeEventRow.kind == kind.value,
            )
        ).all()
        replacements = {
            event.replaced_by_id for event, _ in found if event.replaced_by_id is not None
        }
        public_ids = dict(
            session.execute(
                select(OutcomeRow.id, OutcomeRow.public_id).where(OutcomeRow.id.in_(replacements))
            ).all()
        )
        return {
            outcome: event_record(
                event,
                outcome=outcome,
                replaced_by=public_ids.get(event.replaced_by_id) if event.replaced_by_id else None,
            )
            for event, outcome in found
        }

    return read


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[LogKind, Reader] = {
    LogKind.OUTCOME_DEPOSITED: _outcomes,
    **{log_kind: _events(status) for status, log_kind in EVENT_KINDS.items()},
}
"""For each kind of entry this area logs: the records of the given public ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Records of this area that have no entry in the log (there should be none)."""
    session = uow.session

    def logged(kind: LogKind, public_id: InstrumentedAttribute[str]) -> Exists:
        return is_logged(kind, public_id)

    found: dict[LogKind, list[str]] = {}
    outcomes = session.scalars(
        select(OutcomeRow.public_id)
        .where(~logged(LogKind.OUTCOME_DEPOSITED, OutcomeRow.public_id))
        .limit(limit)
    ).all()
    if outcomes:
        found[LogKind.OUTCOME_DEPOSITED] = list(outcomes)
    for status, kind in EVENT_KINDS.items():
        events = session.scalars(
            select(OutcomeRow.public_id)
            .join(OutcomeEventRow, OutcomeEventRow.outcome_id == OutcomeRow.id)
            .where(OutcomeEventRow.kind == status.value, ~logged(kind, OutcomeRow.public_id))
            .limit(limit)
        ).all()
        if events:
            found[kind] = list(events)
    return found
