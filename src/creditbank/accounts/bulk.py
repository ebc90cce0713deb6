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
``committed`` in the same transaction as its outcomes. The storing side of each chunk is
:class:`creditbank.accounts.depositor.Depositor`.

Idempotent: a row whose ``record_id`` the institution has deposited before with
the same facts is counted as unchanged; with other facts, it is an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import records
from creditbank.accounts.chunks import ChunkPreparer
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.depositor import BatchReport, Depositor
from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import AccountError, RowError
from creditbank.accounts.pipeline import AUTO, WorkerPolicy, pipelined
from creditbank.accounts.tables import DepositBatchRow
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, Translate, msg

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """How a file is split: rows per chunk, and when a worker process prepares the chunks
    (by default once a second chunk shows the file is big enough to pay for starting it).
    Tests use small chunks and a waiting worker to send small files through that path
    (``import_batch``'s ``plan``, or :data:`PLAN` where the caller gives none)."""

    chunk_rows: int = CHUNK
    worker: WorkerPolicy = AUTO


PLAN = BulkPlan()


class BatchStatus(StrEnum):
    PROCESSING = "processing"
    COMMITTED = "committed"
    REJECTED = "rejected"


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


class _Checked(Exception):  # noqa: N818 - internal signal to roll a check's deposit back
    pass


Progress = Callable[[int], None]
BeforeSeal = Callable[[UnitOfWork, str], None]
"""Run by :func:`import_batch` inside the deposit's transaction once every row is stored and
none is bad, before the ledger seals: given the unit of work and the batch's public id. A use
case that deposits through a batch records what belongs with the outcomes here (the 1+X
results of an assessment session), so that both land together or not at all. Raising rolls the
whole deposit back; the error reaches the caller (no rejected batch is kept for it)."""


def _names(uow: UnitOfWork, issuable: catalog.Issuable) -> records.Names:
    """What the batch's log records name items and levels by, known from its issuable items: a
    row's record costs no query."""
    names = records.Names(uow)
    names.remember(issuable.items.values())
    return names


def _chunks(rows: Iterable[tuple[int, Row]], size: int) -> Iterator[list[tuple[int, Row]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _deposit_all(
    depositor: Depositor,
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


def errors_json(report: BatchReport) -> list[dict[str, Any]]:
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
    return rendered_errors(batch.errors, translate)


def rendered_errors(
    errors: Iterable[dict[str, Any]], translate: Translate
) -> list[tuple[int, str, str]]:
    """Errors as stored (:func:`errors_json`) as (line, column, reason) in the reader's
    language."""
    return [
        (
            error["line"],
            error["column"],
            Message(error["message"], error["params"]).render(translate),
        )
        for error in errors
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
    public_id: str | None = None,
) -> Batch:
    """Deposit every row of a file, or none; the batch and its report are kept either way.

    This use case owns its transactions (one for the deposit, one for a
    rejection's report), because a rejected batch's report must outlive the
    rolled-back deposit. ``public_id``: the batch's id, when the caller chose it before.
    """
    institution = institution.strip().upper()
    with database.unit_of_work() as uow:
        institution_id = institutions.institution_id(uow=uow, code=institution)
        issuable = catalog.issuable_items(uow=uow, institution=institution)
    depositor: Depositor | None = None
    public_id = public_id or uuid.uuid4().hex
    file_error: AccountError | None = None
    try:
        with database.unit_of_work() as uow:
            batch_row = _new_batch_row(
                public_id, institution_id, submitted_by, filename, file_format
            )
            uow.session.add(batch_row)
            uow.session.flush()
            depositor = Depositor(
                uow,
                cipher,
                institution_id=institution_id,
                institution=institution,
                held_evidence=lambda hashes: evidence.held_for(
                    uow=uow, institution_id=institution_id, hashes=hashes
                ),
                batch_id=batch_row.id,
                log=lambda facts: ledger.stage(uow, facts),
                names=_names(uow, issuable),
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


def check_batch(
    *,
    database: Database,
    cipher: PersonalDataCipher,
    institution: str,
    rows: Iterable[tuple[int, Row]],
    today: date,
    progress: Progress | None = None,
    plan: BulkPlan | None = None,
) -> BatchReport:
    """What depositing ``rows`` would do, and every problem it would meet (as
    :func:`import_batch` reports them): found by depositing them in a transaction that is always
    rolled back, unlogged. Nothing is stored, not even a batch. A file that cannot be read raises
    (``FileRefusedError``; ``AccountError`` for its header)."""
    institution = institution.strip().upper()
    with database.unit_of_work() as uow:
        institution_id = institutions.institution_id(uow=uow, code=institution)
        issuable = catalog.issuable_items(uow=uow, institution=institution)
    report = BatchReport()
    try:
        with database.unit_of_work() as uow:
            batch_row = _new_batch_row(
                uuid.uuid4().hex, institution_id, "check", "check", FileFormat.CSV
            )
            uow.session.add(batch_row)
            uow.session.flush()
            depositor = Depositor(
                uow,
                cipher,
                institution_id=institution_id,
                institution=institution,
                held_evidence=lambda hashes: evidence.held_for(
                    uow=uow, institution_id=institution_id, hashes=hashes
                ),
                batch_id=batch_row.id,
                log=lambda _facts: None,
                names=_names(uow, issuable),
            )
            report = depositor.report
            preparer = ChunkPreparer(cipher, issuable=issuable, today=today)
            _deposit_all(depositor, preparer, rows, progress, plan or PLAN)
            raise _Checked  # noqa: TRY301 - nothing of a check is kept
    except _Checked:
        pass
    except IntegrityError as error:  # PostgreSQL: a parallel deposit stored a record first
        raise AccountError(
            "record_conflict",
            msg("another deposit stored some of these records at the same moment: check again"),
        ) from error
    report.errors.sort(key=lambda error: error.line)
    return report


@dataclass(frozen=True, slots=True)
class BatchLabel:
    """A deposit batch as its depositor names it: whose, sent by whom, from which file."""

    institution: str
    submitted_by: str
    filename: str
    file_format: FileFormat


def open_batch(*, uow: UnitOfWork, label: BatchLabel) -> DepositBatchRow:
    """A new batch, processing, stored in ``uow`` (a deposit from a file other than a bulk
    deposit file, e.g. a 1+X session's results, records its outcomes under it)."""
    institution_id = institutions.institution_id(uow=uow, code=label.institution)
    row = _new_batch_row(
        uuid.uuid4().hex, institution_id, label.submitted_by, label.filename, label.file_format
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def commit_batch(row: DepositBatchRow, *, rows: int, deposited: int) -> None:
    """Mark batch ``row`` committed: of its ``rows``, ``deposited`` new, the rest unchanged."""
    _finish(
        row,
        BatchReport(rows=rows, deposited=deposited, unchanged=rows - deposited),
        BatchStatus.COMMITTED,
    )


def keep_rejected_batch(
    *, database: Database, label: BatchLabel, rows: int, errors: list[RowError]
) -> str:
    """Record a rejected batch of ``rows`` rows and its errors, in a transaction of its own
    (the deposit's was rolled back): its public id."""
    report = BatchReport(rows=rows)
    for error in errors:
        report.add_error(error)
    with database.unit_of_work() as uow:
        institution_id = institutions.institution_id(uow=uow, code=label.institution)
        row = _new_batch_row(
            uuid.uuid4().hex, institution_id, label.submitted_by, label.filename, label.file_format
        )
        _finish(row, report, BatchStatus.REJECTED)
        uow.session.add(row)
        uow.session.flush()
        return row.public_id


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
    row.errors = errors_json(report)
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
