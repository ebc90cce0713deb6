"""Bulk deposit: a whole file of outcomes, all or nothing.

The file is read as a stream and handled in chunks of :data:`CHUNK` rows. Each
chunk is first made ready without the database (:mod:`creditbank.accounts.chunks`:
parsed, checked, identities indexed, a new account sealed per person); for a
file of more than one chunk that runs in a worker process a chunk or two ahead
(:mod:`creditbank.accounts.pipeline`), on the other core. Then, per chunk, one
query finds the evidence files its rows name, one the learners already in the
bank (by HMAC index), one the records already deposited (by the institution's
``record_id``), and the new accounts and outcomes are inserted in bulk. Every
row is checked, to the end of the file, and every bad row is reported by line,
column and reason (never by its value, which may be personal data).

All of it happens in one transaction. If any row is bad, the transaction is
rolled back (nothing is deposited) and the batch is recorded as ``rejected``
with its report in a transaction of its own; otherwise the batch is marked
``committed`` in the same transaction as its outcomes.

Idempotent: a row whose ``record_id`` the institution has deposited before with
the same facts is counted as unchanged; with other facts, it is an error.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from creditbank.accounts import records
from creditbank.accounts.chunks import (
    ChunkPreparer,
    GoodRow,
    NewAccount,
    PreparedChunk,
    seal_account,
)
from creditbank.accounts.crypto import PersonalDataCipher, Sealed
from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import (
    NAME_MISMATCH,
    AccountError,
    RowError,
    name_digest,
    new_account_number,
)
from creditbank.accounts.pipeline import AUTO, WorkerPolicy, pipelined
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.tables import (
    DepositBatchRow,
    LearnerIdentityRow,
    LearnerKeyRow,
    LearnerPersonalDataRow,
    LearnerRow,
    OutcomeRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork, find_each, insert_rows, reserve_ids
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, Translate, msg

CHUNK = 2000
MAX_REPORTED_ERRORS = 1000


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """How a file is split: rows per chunk, and when a worker process prepares the chunks
    (by default once a second chunk shows the file is big enough to pay for starting it).
    Tests use small chunks and a waiting worker to send small files through that path
    (``import_batch``'s ``plan``, or :data:`PLAN` where the caller gives none)."""

    chunk_rows: int = CHUNK
    worker: WorkerPolicy = AUTO


PLAN = BulkPlan()
_OUTCOME_COLUMNS = (
    *STORED_FACT_COLUMNS,
    "public_id",
    "institution_id",
    "record_id",
    "deposited_at",
    "batch_id",
)


class BatchStatus(StrEnum):
    PROCESSING = "processing"
    COMMITTED = "committed"
    REJECTED = "rejected"


@dataclass
class BatchReport:
    """What a batch did, or why it did nothing."""

    rows: int = 0
    deposited: int = 0
    unchanged: int = 0
    accounts_opened: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


@dataclass(frozen=True, slots=True)
class Batch:
    id: str
    institution: str
    filename: str
    format: FileFormat
    status: BatchStatus
    rows: int
    deposited: int
    unchanged: int
    accounts_opened: int
    error_count: int
    errors: list[dict[str, Any]]
    created_at: datetime
    finished_at: datetime | None


class _Rejected(Exception):  # noqa: N818 - internal signal to roll the deposit back
    pass


Progress = Callable[[int], None]
BeforeSeal = Callable[[UnitOfWork, str], None]
"""Run by :func:`import_batch` inside the deposit's transaction once every row is stored and
none is bad, before the ledger seals: given the unit of work and the batch's public id. A use
case that deposits through a batch records what belongs with the outcomes here (the 1+X
results of an assessment session), so that both land together or not at all. Raising rolls the
whole deposit back; the error reaches the caller (no rejected batch is kept for it)."""


def _chunks(rows: Iterable[tuple[int, Row]], size: int) -> Iterator[list[tuple[int, Row]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Depositor:
    """The storing side of one batch: looks each prepared chunk's learners and records up,
    opens the accounts the bank lacks, inserts the new outcomes, and keeps the report."""

    def __init__(
        self,
        session: Session,
        cipher: PersonalDataCipher,
        *,
        institution_id: int,
        institution: str,
        held_evidence: Callable[[set[str]], set[str]],
        batch_id: int,
        log: Callable[[list[ledger.LogFact]], object],
    ) -> None:
        self.session = session
        self.cipher = cipher
        self.institution_id = institution_id
        self.institution = institution
        self.log = log
        self.held_evidence = held_evidence
        self.batch_id = batch_id
        self.report = BatchReport()

    def store(self, prepared: PreparedChunk) -> None:
        """Look up a prepared chunk's learners and records; insert what is new."""
        self.report.rows += prepared.rows
        errors = list(prepared.errors)
        good = prepared.good
        if prepared.evidence:  # one look-up per chunk, for the rows that name a file
            held = self.held_evidence({sha256 for _, sha256 in prepared.evidence})
            missing = {line for line, sha256 in prepared.evidence if sha256 not in held}
            errors += [
                RowError(
                    line,
                    "evidence_sha256",
                    msg(
                        "the bank holds no evidence file with this hash uploaded by the institution"
                    ),
                )
                for line in missing
            ]
            good = [entry for entry in good if entry.line not in missing]
        for error in sorted(errors, key=lambda error: error.line):
            self.report.add_error(error)
        known = self._known_records([entry.record_id for entry in good])
        learners, existing = self._learners({entry.identity for entry in good}, prepared.accounts)
        good = self._named_as_held(good, learners, existing)
        now = datetime.now(UTC)
        new_rows: list[tuple[object, ...]] = []
        facts: list[ledger.LogFact] = []
        for entry in good:
            learner_id, account_number = learners[entry.identity]
            stored = entry.stored_facts(learner_id)
            if entry.record_id in known:
                if known[entry.record_id] == stored:
                    self.report.unchanged += 1
                else:
                    self.report.add_error(
                        RowError(
                            entry.line,
                            "record_id",
                            msg(
                                "record_id was deposited before with other facts; "
                                "send a correction instead"
                            ),
                        )
                    )
                continue
            new_rows.append(
                (*stored, entry.public_id, self.institution_id, entry.record_id, now, self.batch_id)
            )
            record = records.outcome_values(
                public_id=entry.public_id,
                account_number=account_number,
                institution=self.institution,
                record_id=entry.record_id,
                stored=stored,
                deposited_at=now,
            )
            facts.append(
                ledger.LogFact(
                    ledger.LogKind.OUTCOME_DEPOSITED, entry.public_id, self.institution, now, record
                )
            )
        if new_rows and not self.report.error_count:
            insert_rows(self.session, OutcomeRow, _OUTCOME_COLUMNS, new_rows)
            self.log(facts)
            self.report.deposited += len(new_rows)

    def _known_records(self, record_ids: list[str]) -> dict[str, tuple[object, ...]]:
        """The stored facts (``STORED_FACT_COLUMNS``) of the institution's records among these."""
        columns = [getattr(OutcomeRow, name) for name in STORED_FACT_COLUMNS]
        rows = find_each(
            self.session,
            [OutcomeRow.record_id, *columns],
            OutcomeRow.record_id,
            record_ids,
            OutcomeRow.institution_id == self.institution_id,
        )
        return {row[0]: tuple(row[1:]) for row in rows}

    def _named_as_held(
        self, good: list[GoodRow], learners: dict[str, tuple[int, str]], existing: set[str]
    ) -> list[GoodRow]:
        """The rows whose learner had no account, or names the account's holder as it does;
        a row naming anyone else is an error that says nothing of the account (otherwise a file
        with any name would put outcomes into, and so find, anybody's account)."""
        people = {learners[entry.identity] for entry in good if entry.identity in existing}
        held = self._held_names(dict(people)) if people else {}
        first: dict[str, bytes] = {}  # a new account's name: its first row's
        for entry in good:
            if entry.identity not in existing:
                first.setdefault(entry.identity, entry.name_key)
        wrong = {
            entry.line
            for entry in good
            if not hmac.compare_digest(
                held.get(learners[entry.identity][0], b"")
                if entry.identity in existing
                else first[entry.identity],
                entry.name_key,
            )
        }
        for line in sorted(wrong):
            self.report.add_error(RowError(line, "name", NAME_MISMATCH))
        return [entry for entry in good if entry.line not in wrong]

    def _held_names(self, numbers: dict[int, str]) -> dict[int, bytes]:
        """The name digest of each of these learners (id: account number) as their sealed
        personal data holds it; none for erased personal data, so that a row naming such a
        learner is refused (there is no name left to check it against)."""
        ids = list(numbers)
        keys = {
            row[0]: Sealed(row[1], row[2])
            for row in find_each(
                self.session,
                [LearnerKeyRow.learner_id, LearnerKeyRow.nonce, LearnerKeyRow.wrapped_key],
                LearnerKeyRow.learner_id,
                ids,
            )
        }
        found: dict[int, bytes] = {}
        for learner_id, nonce, ciphertext in find_each(
            self.session,
            [
                LearnerPersonalDataRow.learner_id,
                LearnerPersonalDataRow.nonce,
                LearnerPersonalDataRow.ciphertext,
            ],
            LearnerPersonalDataRow.learner_id,
            ids,
        ):
            if learner_id not in keys:
                continue
            number = numbers[learner_id]
            key = self.cipher.unwrap(number, keys[learner_id])
            personal = self.cipher.open(key, number, Sealed(nonce, ciphertext))
            found[learner_id] = name_digest(personal["name"])
        return found

    def _learners(
        self, wanted: set[str], accounts: list[NewAccount]
    ) -> tuple[dict[str, tuple[int, str]], set[str]]:
        """Learner ids and account numbers by identity HMAC, opening accounts (sealed ahead)
        for those the bank lacks; and the identities that had an account already."""
        rows_found = find_each(
            self.session,
            [LearnerIdentityRow.id_hmac, LearnerIdentityRow.learner_id],
            LearnerIdentityRow.id_hmac,
            list(wanted),
        )
        numbers: dict[int, str] = {
            row[0]: row[1]
            for row in find_each(
                self.session,
                [LearnerRow.id, LearnerRow.account_number],
                LearnerRow.id,
                [row[1] for row in rows_found],
            )
        }
        found: dict[str, tuple[int, str]] = {
            row[0]: (row[1], numbers[row[1]]) for row in rows_found
        }
        lacking = wanted - found.keys()
        missing = [account for account in accounts if account.identity in lacking]
        existing = set(found)
        if missing and not self.report.error_count:
            found.update(self._open_accounts(missing))
        elif missing:
            found.update(dict.fromkeys(lacking, (0, "")))  # the batch is rejected anyway
        return found, existing

    def _open_accounts(self, accounts: list[NewAccount]) -> dict[str, tuple[int, str]]:
        accounts = sorted(self._unclaimed(accounts), key=lambda account: account.number)
        now = datetime.now(UTC)
        ids = reserve_ids(self.session, LearnerRow, len(accounts))
        opened = list(zip(ids, accounts, strict=True))
        institution = self.institution_id
        insert_rows(
            self.session,
            LearnerRow,
            ("id", "account_number", "opened_at", "opened_by_institution_id"),
            [(learner_id, account.number, now, institution) for learner_id, account in opened],
        )
        insert_rows(
            self.session,
            LearnerIdentityRow,
            ("learner_id", "id_hmac"),
            [(learner_id, account.identity) for learner_id, account in opened],
        )
        insert_rows(
            self.session,
            LearnerKeyRow,
            ("learner_id", "nonce", "wrapped_key"),
            [
                (learner_id, account.key_nonce, account.wrapped_key)
                for learner_id, account in opened
            ],
        )
        insert_rows(
            self.session,
            LearnerPersonalDataRow,
            ("learner_id", "nonce", "ciphertext"),
            [
                (learner_id, account.data_nonce, account.sealed_data)
                for learner_id, account in opened
            ],
        )
        self.report.accounts_opened += len(accounts)
        return {account.identity: (learner_id, account.number) for learner_id, account in opened}

    def _unclaimed(self, accounts: list[NewAccount]) -> list[NewAccount]:
        """``accounts``, those whose random number the bank has given already sealed anew under
        another one (their numbers were drawn before the chunks ahead of them were stored)."""
        numbers = [account.number for account in accounts]
        taken = self._taken(numbers)
        if not taken:
            return accounts
        fresh = iter(self._fresh_numbers(len(taken), avoid=set(numbers)))
        return [
            self._reseal(account, next(fresh)) if account.number in taken else account
            for account in accounts
        ]

    def _reseal(self, account: NewAccount, number: str) -> NewAccount:
        old = account.number
        learner_key = self.cipher.unwrap(old, Sealed(account.key_nonce, account.wrapped_key))
        personal = self.cipher.open(
            learner_key, old, Sealed(account.data_nonce, account.sealed_data)
        )
        return seal_account(self.cipher, account.identity, number, personal)

    def _fresh_numbers(self, count: int, *, avoid: set[str]) -> list[str]:
        numbers: set[str] = set()
        while len(numbers) < count:
            candidates = {new_account_number() for _ in range(count - len(numbers))}
            candidates -= numbers | avoid
            numbers |= candidates - self._taken(list(candidates))
        return sorted(numbers)

    def _taken(self, numbers: list[str]) -> set[str]:
        """Those of these account numbers that the bank has given."""
        rows = find_each(
            self.session, [LearnerRow.account_number], LearnerRow.account_number, numbers
        )
        return {row[0] for row in rows}


def _deposit_all(
    depositor: _Depositor,
    preparer: ChunkPreparer,
    rows: Iterable[tuple[int, Row]],
    progress: Progress | None,
    plan: BulkPlan,
) -> None:
    """Pass every row through ``preparer`` and ``depositor``, a chunk at a time.

    For a file of more than one chunk, preparing moves to a worker process a chunk or two
    ahead (:mod:`creditbank.accounts.pipeline`), so that it runs on the other core while this
    process stores. The reader's errors (an unreadable file) surface here, in their turn.
    """
    chunks = _chunks(rows, plan.chunk_rows)
    with (
        closing(preparer),  # the record ids seen here (the worker's end with the worker)
        closing(pipelined(chunks, preparer, policy=plan.worker)) as prepared_chunks,
    ):
        for prepared in prepared_chunks:
            depositor.store(prepared)
            if progress:
                progress(depositor.report.rows)


def _batch(row: DepositBatchRow, institution: str) -> Batch:
    return Batch(
        id=row.public_id,
        institution=institution,
        filename=row.filename,
        format=FileFormat(row.format),
        status=BatchStatus(row.status),
        rows=row.rows,
        deposited=row.deposited,
        unchanged=row.unchanged,
        accounts_opened=row.accounts_opened,
        error_count=row.error_count,
        errors=row.errors,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _errors_json(report: BatchReport) -> list[dict[str, Any]]:
    """Errors as stored: the message template and its parameters, rendered when read."""
    return [
        {
            "line": error.line,
            "column": error.column,
            "message": error.message.template,
            "params": dict(error.message.params),
        }
        for error in report.errors
    ]


def render_errors(batch: Batch, translate: Translate) -> list[tuple[int, str, str]]:
    """A batch's errors as (line, column, reason) in the reader's language."""
    return [
        (
            error["line"],
            error["column"],
            Message(error["message"], error["params"]).render(translate),
        )
        for error in batch.errors
    ]


def import_batch(
    *,
    database: Database,
    cipher: PersonalDataCipher,
    institution: str,
    submitted_by: str,
    filename: str,
    file_format: FileFormat,
    rows: Iterable[tuple[int, Row]],
    today: date,
    progress: Progress | None = None,
    plan: BulkPlan | None = None,
    before_seal: BeforeSeal | None = None,
) -> Batch:
    """Deposit every row of a file, or none; the batch and its report are kept either way.

    This use case owns its transactions (one for the deposit, one for a
    rejection's report), because a rejected batch's report must outlive the
    rolled-back deposit.
    """
    institution = institution.strip().upper()
    with database.unit_of_work() as uow:
        institution_id = institutions.institution_id(uow=uow, code=institution)
        issuable = catalog.issuable_items(uow=uow, institution=institution)
    depositor: _Depositor | None = None
    public_id = uuid.uuid4().hex
    file_error: AccountError | None = None
    try:
        with database.unit_of_work() as uow:
            batch_row = _new_batch_row(
                public_id, institution_id, submitted_by, filename, file_format
            )
            uow.session.add(batch_row)
            uow.session.flush()
            depositor = _Depositor(
                uow.session,
                cipher,
                institution_id=institution_id,
                institution=institution,
                held_evidence=lambda hashes: evidence.held_for(
                    uow=uow, institution_id=institution_id, hashes=hashes
                ),
                batch_id=batch_row.id,
                log=lambda facts: ledger.stage(uow, facts),
            )
            preparer = ChunkPreparer(cipher, issuable=issuable, today=today)
            _deposit_all(depositor, preparer, rows, progress, plan or PLAN)
            if depositor.report.error_count:
                raise _Rejected  # noqa: TRY301 - rolls back the deposit; the report is kept below
            if before_seal is not None:
                before_seal(uow, public_id)
            ledger.seal(uow)  # the batch's entries get their leaves, in this transaction
            _finish(batch_row, depositor.report, BatchStatus.COMMITTED)
            return _batch(batch_row, institution)
    except _Rejected:
        pass
    except AccountError as error:  # the file itself cannot be read (header, format)
        file_error = error
    except IntegrityError as error:  # PostgreSQL: a parallel deposit stored a record first
        raise AccountError(
            "record_conflict",
            msg(
                "another deposit stored some of these records at the same moment; nothing "
                "was deposited: send the file again (the records already stored are then "
                "counted as unchanged)"
            ),
        ) from error
    report = depositor.report if depositor else BatchReport()
    report.deposited = report.unchanged = report.accounts_opened = 0
    if file_error is not None:
        report.add_error(RowError(1, "-", file_error.message))
        for problem in file_error.problems:
            report.add_error(RowError(1, "-", problem))
    with database.unit_of_work() as uow:
        batch_row = _new_batch_row(public_id, institution_id, submitted_by, filename, file_format)
        _finish(batch_row, report, BatchStatus.REJECTED)
        uow.session.add(batch_row)
        uow.session.flush()
        return _batch(batch_row, institution)


def _new_batch_row(
    public_id: str, institution_id: int, submitted_by: str, filename: str, file_format: FileFormat
) -> DepositBatchRow:
    return DepositBatchRow(
        public_id=public_id,
        institution_id=institution_id,
        submitted_by=submitted_by,
        filename=filename[-255:],
        format=file_format.value,
        status=BatchStatus.PROCESSING.value,
        rows=0,
        deposited=0,
        unchanged=0,
        accounts_opened=0,
        error_count=0,
        errors=[],
        created_at=datetime.now(UTC),
        finished_at=None,
    )


def _finish(row: DepositBatchRow, report: BatchReport, status: BatchStatus) -> None:
    report.errors.sort(key=lambda error: error.line)  # a chunk's record conflicts come last
    row.status = status.value
    row.rows = report.rows
    row.deposited = report.deposited
    row.unchanged = report.unchanged
    row.accounts_opened = report.accounts_opened
    row.error_count = report.error_count
    row.errors = _errors_json(report)
    row.finished_at = datetime.now(UTC)


def get_batch(*, uow: UnitOfWork, batch_id: str) -> Batch:
    row = uow.session.scalar(select(DepositBatchRow).where(DepositBatchRow.public_id == batch_id))
    if row is None:
        raise AccountError("batch_not_found", msg("there is no batch {id}", id=batch_id))
    codes = institutions.institution_codes(uow=uow)
    return _batch(row, codes[row.institution_id])


def recent_batches(*, uow: UnitOfWork, institution: str, limit: int = 10) -> list[Batch]:
    """An institution's latest batches, newest first."""
    code = institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=code)
    rows = uow.session.scalars(
        select(DepositBatchRow)
        .where(DepositBatchRow.institution_id == institution_id)
        .order_by(DepositBatchRow.id.desc())
        .limit(limit)
    )
    return [_batch(row, code) for row in rows]
