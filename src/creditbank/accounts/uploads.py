"""Bulk files kept between their check and their deposit (the upload page's preview).

An uploaded file is kept in the database (``deposit_uploads``, its bytes in pieces of
:data:`PART_BYTES` in ``deposit_upload_parts``), each piece AES-GCM under a key of the upload's
own, which is kept only wrapped by the bank's data key (as a learner's key is): the file holds
names and identity numbers. Then:

- a :class:`Check` (run after the upload's transaction commits: in the background on the web)
  deposits its rows in a transaction that is always rolled back
  (:func:`creditbank.accounts.bulk.check_batch`) and keeps the report (counts, and every
  problem by line, column and reason: never a value) with the upload, or why the file was
  refused whole. Nothing else is stored.
- the deposit is claimed once (:func:`claim`: the upload's row locked, its batch id set; a
  second claim finds it set and gets the same batch), then a :class:`Deposit` deposits the same
  bytes through :func:`creditbank.accounts.bulk.import_batch` under that batch id, and the
  bytes are deleted. A deposit that fails before its batch is kept gives the claim back, so the
  file can be deposited again: nothing is lost and nothing is deposited twice.

Uploads are deleted a day after they were made (:func:`forget_old`). Progress (rows
read so far) of the checks and deposits running in this process is in :data:`PROGRESS`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import IO, Any, BinaryIO, Final, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, insert, select

from creditbank.accounts import bulk
from creditbank.accounts.crypto import NONCE_BYTES, PersonalDataCipher, Sealed
from creditbank.accounts.depositor import BatchReport
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import AccountError
from creditbank.accounts.tables import DepositUploadPartRow, DepositUploadRow
from creditbank.db import Database, UnitOfWork, for_update
from creditbank.errors import DomainError
from creditbank.file_limits import FileLimits
from creditbank.messages import Message, msg

PART_BYTES: Final = 1024 * 1024
SPOOL_BYTES: Final = 8 * 1024 * 1024
"""A file read back is held in memory up to this size, on disk beyond it."""
KEPT_FOR: Final = timedelta(days=1)
PROGRESS: dict[str, int] = {}
"""Rows read so far by the checks and deposits running in this process, by upload id."""


class UploadStatus(StrEnum):
    CHECKING = "checking"
    CHECKED = "checked"
    REFUSED = "refused"
    DEPOSITING = "depositing"
    DEPOSITED = "deposited"


def message_json(message: Message) -> dict[str, Any]:
    """A message as JSON (its template and parameters, messages among them nested)."""
    return {
        "message": message.template,
        "params": {
            name: {"nested": message_json(value)} if isinstance(value, Message) else value
            for name, value in message.params.items()
        },
    }


def message_of(stored: dict[str, Any]) -> Message:
    """A message kept by :func:`message_json`."""
    params = {
        name: message_of(value["nested"]) if isinstance(value, dict) else value
        for name, value in stored["params"].items()
    }
    return Message(stored["message"], params)


def find(uow: UnitOfWork, upload_id: str, *, lock: bool = False) -> DepositUploadRow:
    """The upload ``upload_id`` (locked when ``lock``), or ``upload_not_found``."""
    query = select(DepositUploadRow).where(DepositUploadRow.public_id == upload_id[:32])
    found = uow.session.scalar(for_update(uow.session, query) if lock else query)
    if found is None:
        raise AccountError("upload_not_found", msg("there is no uploaded file {id}", id=upload_id))
    return found


def _associated(public_id: str, number: int) -> bytes:
    return f"creditbank/deposit-upload/{public_id}/{number}".encode()


def keep(
    *,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    institution_id: int,
    submitted_by: str,
    filename: str,
    file_format: FileFormat,
    stream: BinaryIO,
) -> DepositUploadRow:
    """Keep the file in ``stream`` (read to its end a piece at a time), to be checked."""
    public_id = uuid.uuid4().hex
    key, wrapped = cipher.new_learner_key(public_id)
    row = DepositUploadRow(
        public_id=public_id,
        institution_id=institution_id,
        submitted_by=submitted_by,
        filename=filename[-255:],
        format=file_format.value,
        size=0,
        sha256="",
        key_nonce=wrapped.nonce,
        wrapped_key=wrapped.ciphertext,
        status=UploadStatus.CHECKING.value,
        report={},
        batch_public_id=None,
        created_at=datetime.now(UTC),
        checked_at=None,
    )
    uow.session.add(row)
    uow.session.flush()
    sealing = AESGCM(key)
    digest = hashlib.sha256()
    size = number = 0
    while piece := stream.read(PART_BYTES):
        digest.update(piece)
        size += len(piece)
        nonce = os.urandom(NONCE_BYTES)
        uow.session.execute(
            insert(DepositUploadPartRow),
            [
                {
                    "upload_id": row.id,
                    "number": number,
                    "nonce": nonce,
                    "data": sealing.encrypt(nonce, piece, _associated(public_id, number)),
                }
            ],
        )
        number += 1
    row.size, row.sha256 = size, digest.hexdigest()
    return row


def _pieces(
    uow: UnitOfWork, cipher: PersonalDataCipher, row: DepositUploadRow, first: int | None
) -> Iterator[bytes]:
    key = cipher.unwrap(row.public_id, Sealed(row.key_nonce, row.wrapped_key))
    opening = AESGCM(key)
    query = (
        select(DepositUploadPartRow.number, DepositUploadPartRow.nonce, DepositUploadPartRow.data)
        .where(DepositUploadPartRow.upload_id == row.id)
        .order_by(DepositUploadPartRow.number)
    )
    if first is not None:
        query = query.where(DepositUploadPartRow.number < first)
    for number, nonce, data in uow.session.execute(query.execution_options(yield_per=4)):
        yield opening.decrypt(nonce, data, _associated(row.public_id, number))


def opened(
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    row: DepositUploadRow,
    *,
    first_parts: int | None = None,
) -> BinaryIO:
    """The upload's bytes as a seekable file (in memory up to :data:`SPOOL_BYTES`; close it):
    all of them, or the first ``first_parts`` pieces (enough for a text file's first rows)."""
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    digest = hashlib.sha256()
    for piece in _pieces(uow, cipher, row, first_parts):
        digest.update(piece)
        spooled.write(piece)
    if first_parts is None and digest.hexdigest() != row.sha256:  # the pieces' order
        spooled.close()
        message = f"upload {row.public_id}: its pieces do not make the file kept"
        raise RuntimeError(message)
    spooled.seek(0)
    return cast("BinaryIO", spooled)


def forget_old(uow: UnitOfWork, now: datetime) -> None:
    """Delete the files uploaded more than :data:`KEPT_FOR` ago, whatever became of them (one
    still "checking" or "depositing" then is one whose server stopped: a deposit takes minutes,
    and its transaction was rolled back)."""
    old = select(DepositUploadRow.id).where(DepositUploadRow.created_at < now - KEPT_FOR)
    for table, key in (
        (DepositUploadPartRow, DepositUploadPartRow.upload_id),
        (DepositUploadRow, DepositUploadRow.id),
    ):
        uow.session.execute(
            delete(table).where(key.in_(old)).execution_options(synchronize_session=False)
        )


def _progress(upload_id: str) -> bulk.Progress:
    def tell(rows: int) -> None:
        PROGRESS[upload_id] = rows

    return tell


@dataclass(frozen=True, slots=True)
class Job:
    """What a check or a deposit needs to run after the upload's transaction has committed."""

    database: Database
    cipher: PersonalDataCipher
    upload_id: str
    institution: str
    today: date
    limits: FileLimits
    size: int
    """The file's size in bytes (the web runs a small file's job before it answers)."""

    def _open(self) -> tuple[DepositUploadRow, BinaryIO]:
        with self.database.unit_of_work() as uow:
            row = find(uow, self.upload_id)
            return row, opened(uow, self.cipher, row)


@dataclass(frozen=True, slots=True)
class Check(Job):
    """Check an upload (see the module's docstring); its report is kept with it."""

    def run(self) -> None:
        PROGRESS[self.upload_id] = 0
        try:
            row, stream = self._open()
            try:
                report = bulk.check_batch(
                    database=self.database,
                    cipher=self.cipher,
                    institution=self.institution,
                    rows=read_rows(stream, FileFormat(row.format), self.limits),
                    today=self.today,
                    progress=_progress(self.upload_id),
                )
            finally:
                stream.close()
            status, kept = UploadStatus.CHECKED, _report_json(report)
        except DomainError as error:  # the file cannot be read (or a parallel deposit)
            status = UploadStatus.REFUSED
            kept = {
                "code": error.code,
                "refusal": message_json(error.message),
                "problems": [message_json(problem) for problem in error.problems],
            }
        finally:
            PROGRESS.pop(self.upload_id, None)
        with self.database.unit_of_work() as uow:
            row = find(uow, self.upload_id, lock=True)
            if row.status == UploadStatus.CHECKING.value:
                row.status, row.report, row.checked_at = status.value, kept, datetime.now(UTC)


def _report_json(report: BatchReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "deposited": report.deposited,
        "unchanged": report.unchanged,
        "accounts_opened": report.accounts_opened,
        "error_count": report.error_count,
        "errors": bulk.errors_json(report),
    }


def claim(uow: UnitOfWork, row: DepositUploadRow) -> tuple[str, bool]:
    """Claim the deposit of upload ``row`` (locked by the caller): its batch id, and whether
    this claim made it (False: a deposit claimed it before, whose batch id is answered).
    ``upload_not_ready`` unless it was checked without a problem."""
    if row.batch_public_id is not None:
        return row.batch_public_id, False
    if row.status != UploadStatus.CHECKED.value or row.report.get("error_count", 1):
        raise AccountError(
            "upload_not_ready",
            msg("only a file checked without a problem can be deposited: fix it, upload it again"),
        )
    row.batch_public_id = uuid.uuid4().hex
    row.status = UploadStatus.DEPOSITING.value
    uow.session.flush()
    return row.batch_public_id, True


@dataclass(frozen=True, slots=True)
class Deposit(Job):
    """Deposit a claimed upload under its batch id; then its bytes are deleted. A failure
    before the batch is kept gives the claim back (and is raised)."""

    batch_id: str
    submitted_by: str

    def run(self) -> bulk.Batch:
        PROGRESS[self.upload_id] = 0
        try:
            row, stream = self._open()
            try:
                batch = bulk.import_batch(
                    database=self.database,
                    cipher=self.cipher,
                    institution=self.institution,
                    submitted_by=self.submitted_by,
                    filename=row.filename,
                    file_format=FileFormat(row.format),
                    rows=read_rows(stream, FileFormat(row.format), self.limits),
                    today=self.today,
                    progress=_progress(self.upload_id),
                    public_id=self.batch_id,
                )
            finally:
                stream.close()
        except BaseException:
            self._finish(deposited=False)
            raise
        finally:
            PROGRESS.pop(self.upload_id, None)
        self._finish(deposited=True)
        return batch

    def _finish(self, *, deposited: bool) -> None:
        with self.database.unit_of_work() as uow:
            row = find(uow, self.upload_id, lock=True)
            if row.batch_public_id != self.batch_id:
                return
            if deposited:
                row.status = UploadStatus.DEPOSITED.value
                uow.session.execute(
                    delete(DepositUploadPartRow).where(DepositUploadPartRow.upload_id == row.id)
                )
            else:
                row.status, row.batch_public_id = UploadStatus.CHECKED.value, None
