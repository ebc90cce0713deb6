"""Read models of transfers: an imported package with its outcomes, the recognition queue, a
learner's own transfers. Handlers check the policy first, as every handler does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.transfers.commands import ListMyTransfers, ListRecognitions, ShowTransfer
from creditbank.transfers.model import ImportStatus, TransferError, as_utc
from creditbank.transfers.tables import ImportedOutcomeRow, TransferExportRow, TransferImportRow
from creditbank.usecases import handler

MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class ImportedOutcome:
    """An outcome imported from a peer bank, as answers show it (no personal data)."""

    public_id: str
    transfer: str
    account_number: str
    source: str
    leaf_hash: str
    leaf_index: int
    issuer: str
    source_institution: str
    item_code: str
    item_kind: str
    item_name: str
    framework: str
    level: str
    credits: Decimal | None
    assessed_on: date
    status: ImportStatus
    decision: str | None
    decided_at: datetime | None
    reason: str
    recognised_by: str | None
    target_framework: str | None
    target_level: str | None
    outcome: str | None
    """The outcome deposited here for it, when recognised."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """A package imported here, with its outcomes."""

    public_id: str
    account_number: str
    source: str
    checkpoint_size: int
    made_at: datetime
    imported_at: datetime
    outcomes: list[ImportedOutcome]


@dataclass(frozen=True, slots=True)
class MadeTransfer:
    """A package made here (for the learner's page): to whom, how many outcomes, until when."""

    public_id: str
    target: str
    outcome_count: int
    created_at: datetime
    expires_at: datetime
    link: bool
    link_used: bool


def answers(uow: UnitOfWork, rows: list[ImportedOutcomeRow]) -> list[ImportedOutcome]:
    """The rows as answers, reading what they share once."""
    numbers = accounts.account_numbers(uow=uow, learner_ids=[row.learner_id for row in rows])
    transfers = dict(
        uow.session.execute(
            select(TransferImportRow.id, TransferImportRow.public_id).where(
                TransferImportRow.id.in_({row.import_id for row in rows})
            )
        ).all()
    )
    codes = institutions.institution_codes(uow=uow) if rows else {}
    deposited = accounts.outcome_public_ids(
        uow=uow, outcome_ids=[row.outcome_id for row in rows if row.outcome_id is not None]
    )
    return [
        ImportedOutcome(
            public_id=row.public_id,
            transfer=transfers[row.import_id],
            account_number=numbers[row.learner_id],
            source=row.source,
            leaf_hash=row.leaf_hash,
            leaf_index=row.leaf_index,
            issuer=row.issuer,
            source_institution=row.source_institution,
            item_code=row.item_code,
            item_kind=row.item_kind,
            item_name=row.item_name,
            framework=row.framework,
            level=row.level,
            credits=row.credits,
            assessed_on=row.assessed_on,
            status=ImportStatus(row.status),
            decision=row.decision,
            decided_at=None if row.decided_at is None else as_utc(row.decided_at),
            reason=row.reason,
            recognised_by=None if row.institution_id is None else codes.get(row.institution_id),
            target_framework=row.target_framework,
            target_level=row.target_level,
            outcome=None if row.outcome_id is None else deposited.get(row.outcome_id),
        )
        for row in rows
    ]


def transfer_of(uow: UnitOfWork, row: TransferImportRow) -> Transfer:
    """An imported package as answers show it."""
    outcomes = list(
        uow.session.scalars(
            select(ImportedOutcomeRow)
            .where(ImportedOutcomeRow.import_id == row.id)
            .order_by(ImportedOutcomeRow.id)
        )
    )
    return Transfer(
        public_id=row.public_id,
        account_number=accounts.account_number_of(uow=uow, learner_id=row.learner_id),
        source=row.source,
        checkpoint_size=row.checkpoint_size,
        made_at=as_utc(row.made_at),
        imported_at=as_utc(row.imported_at),
        outcomes=answers(uow, outcomes),
    )


def _not_found(public_id: str) -> TransferError:
    return TransferError(
        "transfer_not_found", msg("there is no transfer {id} here", id=public_id[:40])
    )


@handler
def show_transfer(
    query: ShowTransfer, *, principal: Principal | LearnerPrincipal, uow: UnitOfWork
) -> Transfer:
    """Staff who may read imports see any; a learner sees their own (another's is not found)."""
    if isinstance(principal, Principal):
        require(principal, Action.READ_TRANSFER, principal.institution)
    row = uow.session.scalar(
        select(TransferImportRow).where(TransferImportRow.public_id == query.public_id.strip())
    )
    if row is None:
        raise _not_found(query.public_id)
    if isinstance(principal, LearnerPrincipal) and row.learner_id != principal.learner_id:
        raise _not_found(query.public_id)
    return transfer_of(uow, row)


@handler
def list_recognitions(
    query: ListRecognitions, *, principal: Principal, uow: UnitOfWork
) -> list[ImportedOutcome]:
    """The imported outcomes of ``query.status`` (all when None), oldest first."""
    require(principal, Action.READ_TRANSFER, principal.institution)
    statement = select(ImportedOutcomeRow).order_by(ImportedOutcomeRow.id).limit(MAX_LISTED)
    if query.status is not None:
        statement = statement.where(ImportedOutcomeRow.status == query.status.value)
    if query.account_number:
        learner = accounts.find_learner(uow=uow, account_number=query.account_number)
        if learner is None:
            return []
        statement = statement.where(ImportedOutcomeRow.learner_id == learner.id)
    return answers(uow, list(uow.session.scalars(statement)))


@dataclass(frozen=True, slots=True)
class MyTransfers:
    """What the learner's "move my record" page shows."""

    imported: list[ImportedOutcome]
    made: list[MadeTransfer]


@handler
def list_my_transfers(
    query: ListMyTransfers, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> MyTransfers:
    del query
    imported = list(
        uow.session.scalars(
            select(ImportedOutcomeRow)
            .where(ImportedOutcomeRow.learner_id == principal.learner_id)
            .order_by(ImportedOutcomeRow.id.desc())
            .limit(MAX_LISTED)
        )
    )
    made = uow.session.scalars(
        select(TransferExportRow)
        .where(TransferExportRow.learner_id == principal.learner_id)
        .order_by(TransferExportRow.id.desc())
        .limit(MAX_LISTED)
    )
    return MyTransfers(
        imported=answers(uow, imported),
        made=[
            MadeTransfer(
                public_id=row.public_id,
                target=row.target,
                outcome_count=row.outcome_count,
                created_at=as_utc(row.created_at),
                expires_at=as_utc(row.expires_at),
                link=row.link_digest is not None,
                link_used=row.link_used_at is not None,
            )
            for row in made
        ],
    )
