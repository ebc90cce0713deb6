"""Conversions as they are read: their status, grants (with the reason for each and the
transferred credit that stands for it) and history; finding one, its owner, its learner.

No writes here, and no import of :mod:`creditbank.conversion.records`: the log's readers use
this read model to read back what a confirmation or reversal committed to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from creditbank.accounts import api as accounts
from creditbank.conversion import engine, transfers
from creditbank.conversion.model import CapKind, ConversionError, Target, TargetKind
from creditbank.conversion.tables import ConversionEventRow, ConversionRow, ProgrammeRow
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg


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


def conversion_status(kinds: Iterable[str]) -> ConversionStatus:
    present = set(kinds)
    for kind in (ConversionStatus.REVERSED, ConversionStatus.DECLINED, ConversionStatus.CONFIRMED):
        if kind.value in present:
            return kind
    return ConversionStatus.PENDING


def active() -> ColumnElement[bool]:
    """A condition on ``conversions``: not declined and not reversed."""
    return ~exists().where(
        ConversionEventRow.conversion_id == ConversionRow.id,
        ConversionEventRow.kind.in_(
            [ConversionEventKind.DECLINED.value, ConversionEventKind.REVERSED.value]
        ),
    )


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


def conversion_row(uow: UnitOfWork, public_id: str, *, lock: bool = False) -> ConversionRow:
    query = select(ConversionRow).where(ConversionRow.public_id == public_id.strip().lower())
    row = uow.session.scalar(for_update(uow.session, query) if lock else query)
    if row is None:
        raise ConversionError(
            "conversion_not_found", msg("there is no conversion {id}", id=public_id.strip())
        )
    return row


def conversion_owner(*, uow: UnitOfWork, public_id: str) -> str:
    """The institution that decides on conversion ``public_id`` (the programme's)."""
    row = conversion_row(uow, public_id)
    programme = uow.session.get_one(ProgrammeRow, row.programme_id)
    return institutions.institution_codes(uow=uow)[programme.institution_id]


def conversion_account(*, uow: UnitOfWork, public_id: str) -> str:
    """The account number of the learner conversion ``public_id`` is for."""
    row = conversion_row(uow, public_id)
    return accounts.account_number_of(uow=uow, learner_id=row.learner_id)


def get_conversion(*, uow: UnitOfWork, public_id: str) -> Conversion:
    return conversion_of(uow, conversion_row(uow, public_id))


def conversion_of(uow: UnitOfWork, row: ConversionRow) -> Conversion:
    session = uow.session
    programme = session.get_one(ProgrammeRow, row.programme_id)
    grants = transfers.grants_of(uow, row)
    grant_ids = [grant.id for grant in grants]
    sources = transfers.sources_of(uow, grant_ids)
    deposited: dict[int, str] = {}
    transferred: dict[int, str] = {}
    for made_by, _, outcome_id in accounts.outcomes_of_grants(uow=uow, grant_ids=grant_ids):
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
    causes = accounts.outcome_public_ids(
        uow=uow, outcome_ids=[e.outcome_id for e in events if e.outcome_id]
    )
    status = conversion_status(event.kind for event in events)
    flagged = any(event.kind == ConversionEventKind.FLAGGED for event in events)
    number = accounts.account_number_of(uow=uow, learner_id=row.learner_id)
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
    return [conversion_of(uow, row) for row in uow.session.scalars(query)]


def status_of(uow: UnitOfWork, row: ConversionRow) -> ConversionStatus:
    return conversion_status(
        uow.session.scalars(
            select(ConversionEventRow.kind).where(ConversionEventRow.conversion_id == row.id)
        )
    )
