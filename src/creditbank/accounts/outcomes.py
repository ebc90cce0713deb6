"""Use cases for learning outcomes: deposit one, read a learner's transcript.

Given a unit of work; never commit. An outcome is stored once and never
edited; depositing the same record again (same institution, same
``record_id``, same facts) changes nothing, and the same ``record_id`` with
other facts is refused rather than overwriting. What happens to an outcome
later (verification, revocation, correction) is recorded as events
(:mod:`creditbank.accounts.lifecycle`); its status is derived from them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, exists, not_, select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import records
from creditbank.accounts.model import (
    STATUS_PRECEDENCE,
    AccountError,
    LearningSetting,
    OutcomeFacts,
    OutcomeStatus,
    Transfer,
    check_account_number,
    check_outcome,
    derive_status,
    normalised,
)
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.evidence import api as evidence
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    public_id: str
    account_number: str
    institution: str
    record_id: str
    item_code: str
    item_owner: str
    item_kind: catalog.ItemKind
    item_name: str
    level: frameworks.PinnedLevel
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: LearningSetting
    evidence_sha256: str | None
    status: OutcomeStatus
    deposited_at: datetime
    transfer: Transfer | None = None
    """Set on transferred credit: what was transferred toward what, from which outcomes."""


@dataclass(frozen=True, slots=True)
class Deposited:
    outcome: Outcome
    created: bool
    receipt: ledger.Receipt | None
    """Where the deposit stands in the ledger (leaf index and hash)."""


@dataclass(frozen=True, slots=True)
class TranscriptPage:
    outcomes: list[Outcome]
    next_cursor: int | None


def learner_id_of(uow: UnitOfWork, number: str) -> int:
    """The row id of account ``number``, or ``account_not_found``."""
    found = uow.session.scalar(
        select(LearnerRow.id).where(LearnerRow.account_number == check_account_number(number))
    )
    if found is None:
        raise AccountError(
            "account_not_found", msg("there is no account {number}", number=number.upper())
        )
    return found


def stored_facts(
    *, learner_id: int, item_id: int, level_id: int, facts: OutcomeFacts
) -> dict[str, object]:
    """The columns that make a record what it is; equal for the same record sent again."""
    return {
        "learner_id": learner_id,
        "item_id": item_id,
        "framework_level_id": level_id,
        "credits": facts.credits,
        "score": facts.score,
        "assessed_on": facts.assessed_on,
        "setting": facts.setting.value,
        "evidence_sha256": facts.evidence_sha256,
    }


def facts_of(row: OutcomeRow) -> dict[str, object]:
    """:func:`stored_facts` of a stored outcome."""
    return {key: getattr(row, key) for key in STORED_FACT_COLUMNS}


def item_level(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel | Message:
    """The item's level named ``level``, or the problem saying at which levels it is awarded."""
    return item.level_named(level)


def deposit_outcome(
    *, uow: UnitOfWork, institution: str, account_number: str, facts: OutcomeFacts, today: date
) -> Deposited:
    """Deposit one outcome of ``institution``'s item into a learner's account."""
    deposited, _ = deposit_row(
        uow=uow,
        institution=institution,
        account_number=account_number,
        facts=facts,
        today=today,
    )
    return deposited


def deposit_row(
    *, uow: UnitOfWork, institution: str, account_number: str, facts: OutcomeFacts, today: date
) -> tuple[Deposited, OutcomeRow]:
    """:func:`deposit_outcome`, with the stored row (for a correction to point at)."""
    session = uow.session
    facts = normalised(facts)
    institution_id = institutions.institution_id(uow=uow, code=institution)
    learner_id = learner_id_of(uow, account_number)
    issuable = catalog.issuable_items(uow=uow, institution=institution, ref=facts.item_code)
    item = issuable.find(facts.item_code)
    if item is None:
        raise AccountError(
            "invalid_outcome",
            issuable.ambiguity(facts.item_code)
            or msg(
                "{institution} has no catalogue item {code}",
                institution=institution.upper(),
                code=facts.item_code,
            ),
        )
    problems: list[Message] = [
        problem for _, problem in check_outcome(facts, item_credits=item.credits, today=today)
    ]
    not_granted = issuable.window_problem(item, facts.assessed_on)
    if not_granted is not None:
        problems.append(not_granted)
    sha256 = facts.evidence_sha256
    if (
        sha256 is not None
        and evidence.SHA256_HEX.match(sha256)
        and not evidence.held_for(uow=uow, institution_id=institution_id, hashes=[sha256])
    ):
        problems.append(
            msg(
                "the bank holds no evidence file {sha256} uploaded by {institution}; "
                "upload it first (POST /api/v1/evidence)",
                sha256=sha256,
                institution=institution.upper(),
            )
        )
    level = item_level(item, facts.level)
    if isinstance(level, Message):
        problems.append(level)
    if problems or isinstance(level, Message):
        raise AccountError(
            "invalid_outcome",
            msg("outcome {record} is not valid", record=facts.record_id),
            problems,
        )
    hold_write_lock(session)  # SQLite: one writer from here on, so the look-up sees the latest
    existing = _stored(uow, institution_id, facts.record_id)
    context = _Context(check_account_number(account_number), {institution_id: institution.upper()})
    item_fields = (item.code, item.kind, item.name, item.institution)
    sent = stored_facts(
        learner_id=learner_id, item_id=item.id, level_id=level.level_id, facts=facts
    )
    if existing is not None:
        return _deposit_again(uow, existing, context, sent, (item_fields, level))
    row = new_outcome_row(
        learner_id=learner_id,
        institution_id=institution_id,
        record_id=facts.record_id,
        item_id=item.id,
        framework_level_id=level.level_id,
        credits=facts.credits,
        score=facts.score,
        assessed_on=facts.assessed_on,
        setting=facts.setting.value,
        evidence_sha256=facts.evidence_sha256,
        deposited_at=datetime.now(UTC),
    )
    try:
        with session.begin_nested():  # a SAVEPOINT: the transaction survives a lost race
            session.add(row)
            session.flush()
    except IntegrityError:
        # PostgreSQL: a parallel request stored the record first (its insert committed while
        # ours waited on the unique index). Answer as if it had come first: the same facts
        # are that outcome, other facts a record conflict.
        winner = _stored(uow, institution_id, facts.record_id)
        if winner is None:
            raise
        return _deposit_again(uow, winner, context, sent, (item_fields, level))
    (receipt,) = ledger.append(
        uow,
        [
            records.deposited_fact(
                row, account_number=context.account_number, institution=institution.upper()
            )
        ],
    )
    outcome = _outcome(context, row, item_fields, level, OutcomeStatus.DEPOSITED)
    return Deposited(outcome, created=True, receipt=receipt), row


def new_outcome_row(
    *,
    learner_id: int,
    institution_id: int,
    record_id: str,
    item_id: int,
    framework_level_id: int,
    credits: Decimal | None,  # noqa: A002 - the outcome's column
    score: Decimal | None,
    assessed_on: date,
    setting: str,
    evidence_sha256: str | None,
    deposited_at: datetime,
    conversion_grant_id: int | None = None,
    transfer: Transfer | None = None,
) -> OutcomeRow:
    """A new outcome's row, under a public id of its own: what every deposit stores, whichever
    way it came (:func:`deposit_outcome`, a conversion's transferred credit, an accredited
    unit; a bulk file inserts the same columns in bulk, :mod:`creditbank.accounts.depositor`)."""
    return OutcomeRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        institution_id=institution_id,
        record_id=record_id,
        item_id=item_id,
        framework_level_id=framework_level_id,
        credits=credits,
        score=score,
        assessed_on=assessed_on,
        setting=setting,
        evidence_sha256=evidence_sha256,
        deposited_at=deposited_at,
        batch_id=None,
        conversion_grant_id=conversion_grant_id,
        transfer=None if transfer is None else transfer.as_json(),
    )


def _stored(uow: UnitOfWork, institution_id: int, record_id: str) -> OutcomeRow | None:
    """The outcome ``institution_id`` deposited as ``record_id``, if any."""
    return uow.session.scalar(
        select(OutcomeRow).where(
            OutcomeRow.institution_id == institution_id, OutcomeRow.record_id == record_id
        )
    )


def _deposit_again(
    uow: UnitOfWork,
    existing: OutcomeRow,
    context: _Context,
    sent: dict[str, object],
    shown: tuple[tuple[str, catalog.ItemKind, str, str], frameworks.PinnedLevel],
) -> tuple[Deposited, OutcomeRow]:
    """A record sent again: the stored outcome when its facts are ``sent`` (``created``
    False), else ``record_conflict``."""
    if facts_of(existing) != sent:
        raise AccountError(
            "record_conflict",
            msg(
                "record {record} of {institution} was deposited with other facts; "
                "correct it with a superseding record, not by sending it again",
                record=existing.record_id,
                institution=context.institution_codes[existing.institution_id],
            ),
        )
    status = statuses(uow=uow, outcome_ids=[existing.id])[existing.id]
    receipt = ledger.receipt_of(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=existing.public_id
    )
    item_fields, level = shown
    return Deposited(
        _outcome(context, existing, item_fields, level, status), created=False, receipt=receipt
    ), existing


@dataclass(frozen=True, slots=True)
class _Context:
    """What every outcome of one answer shares: the account number and institution codes."""

    account_number: str
    institution_codes: dict[int, str]


def _outcome(
    context: _Context,
    row: OutcomeRow,
    item: tuple[str, catalog.ItemKind, str, str],
    level: frameworks.PinnedLevel,
    status: OutcomeStatus,
) -> Outcome:
    item_code, item_kind, item_name, item_owner = item
    return Outcome(
        public_id=row.public_id,
        account_number=context.account_number,
        institution=context.institution_codes[row.institution_id],
        record_id=row.record_id,
        item_code=item_code,
        item_owner=item_owner,
        item_kind=item_kind,
        item_name=item_name,
        level=level,
        credits=row.credits,
        score=row.score,
        assessed_on=row.assessed_on,
        setting=LearningSetting(row.setting),
        evidence_sha256=row.evidence_sha256,
        status=status,
        deposited_at=row.deposited_at,
        transfer=None if row.transfer is None else Transfer.of(row.transfer),
    )


def _shown(context: _Context, item: catalog.ItemLabel) -> tuple[str, catalog.ItemKind, str, str]:
    """What an outcome shows of its item: code, kind, name and owner's code."""
    return item.code, item.kind, item.name, context.institution_codes[item.institution_id]


def transcript(
    *,
    uow: UnitOfWork,
    account_number: str,
    issued_by: str | None = None,
    kind: catalog.ItemKind | None = None,
    assessed_from: date | None = None,
    assessed_to: date | None = None,
    status: OutcomeStatus | None = None,
    after: int | None = None,
    limit: int = 100,
) -> TranscriptPage:
    """A learner's outcomes in deposit order, a page at a time (``after`` = the cursor)."""
    learner_id = learner_id_of(uow, account_number)
    limit = max(1, min(limit, MAX_PAGE))
    query: Select[OutcomeRow] = (
        select(OutcomeRow)
        .where(OutcomeRow.learner_id == learner_id)
        .order_by(OutcomeRow.id)
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(has_status(status))
    if issued_by is not None:
        query = query.where(
            OutcomeRow.institution_id == institutions.institution_id(uow=uow, code=issued_by)
        )
    if kind is not None:
        query = query.where(catalog.is_item_of_kind(kind, OutcomeRow.item_id))
    if assessed_from is not None:
        query = query.where(OutcomeRow.assessed_on >= assessed_from)
    if assessed_to is not None:
        query = query.where(OutcomeRow.assessed_on <= assessed_to)
    if after is not None:
        query = query.where(OutcomeRow.id > after)
    rows = uow.session.scalars(query).all()
    page, more = rows[:limit], len(rows) > limit
    levels = frameworks.pinned_levels(uow=uow, level_ids=[row.framework_level_id for row in page])
    items = catalog.item_labels(uow=uow, item_ids=[row.item_id for row in page])
    context = _Context(
        check_account_number(account_number), institutions.institution_codes(uow=uow)
    )
    status_of = statuses(uow=uow, outcome_ids=[row.id for row in page])
    outcomes = [
        _outcome(
            context,
            row,
            _shown(context, items[row.item_id]),
            levels[row.framework_level_id],
            status_of[row.id],
        )
        for row in page
    ]
    return TranscriptPage(outcomes, page[-1].id if more else None)


def every_outcome(
    *,
    uow: UnitOfWork,
    account_number: str,
    issued_by: str | None = None,
    status: OutcomeStatus | None = None,
) -> list[Outcome]:
    """Every outcome of the account (:func:`transcript`, page by page)."""
    found: list[Outcome] = []
    after: int | None = None
    while True:
        page = transcript(
            uow=uow,
            account_number=account_number,
            issued_by=issued_by,
            status=status,
            after=after,
            limit=MAX_PAGE,
        )
        found.extend(page.outcomes)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def statuses(*, uow: UnitOfWork, outcome_ids: list[int]) -> dict[int, OutcomeStatus]:
    """The derived status of each outcome (one query for all of them)."""
    kinds: dict[int, set[OutcomeStatus]] = {outcome_id: set() for outcome_id in outcome_ids}
    if outcome_ids:
        rows = uow.session.execute(
            select(OutcomeEventRow.outcome_id, OutcomeEventRow.kind).where(
                OutcomeEventRow.outcome_id.in_(outcome_ids)
            )
        )
        for outcome_id, kind in rows:
            kinds[outcome_id].add(OutcomeStatus(kind))
    return {outcome_id: derive_status(found) for outcome_id, found in kinds.items()}


def _has_event(kind: OutcomeStatus) -> ColumnElement[bool]:
    return exists().where(
        OutcomeEventRow.outcome_id == OutcomeRow.id, OutcomeEventRow.kind == kind.value
    )


def has_status(status: OutcomeStatus) -> ColumnElement[bool]:
    """A condition on ``outcomes`` rows: the outcome's derived status is ``status``.

    Follows :data:`STATUS_PRECEDENCE` (as :func:`derive_status` does): an outcome has a status
    when it has an event of that kind and none of a kind that takes precedence. Each check is an
    index look-up on ``outcome_events (outcome_id, kind)``.
    """
    if status is OutcomeStatus.DEPOSITED:
        return not_(exists().where(OutcomeEventRow.outcome_id == OutcomeRow.id))
    position = STATUS_PRECEDENCE.index(status)
    return and_(
        _has_event(status), *(not_(_has_event(kind)) for kind in STATUS_PRECEDENCE[:position])
    )


def outcome_of(*, uow: UnitOfWork, row: OutcomeRow) -> Outcome:
    """One stored outcome as answers show it, with its derived status."""
    session = uow.session
    item = catalog.item_labels(uow=uow, item_ids=[row.item_id])[row.item_id]
    number = session.scalar(
        select(LearnerRow.account_number).where(LearnerRow.id == row.learner_id)
    )
    context = _Context(number or "", institutions.institution_codes(uow=uow))
    return _outcome(
        context,
        row,
        _shown(context, item),
        frameworks.pinned_level(uow=uow, level_id=row.framework_level_id),
        statuses(uow=uow, outcome_ids=[row.id])[row.id],
    )
