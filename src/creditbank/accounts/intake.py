"""Handlers of intake as registrars have it: the blank template of an institution, and a bulk
file uploaded, checked and shown (its first rows as read, every problem by line) before the
same file is deposited (:mod:`creditbank.accounts.uploads` keeps it meanwhile).

Each checks the access policy first: a registrar deposits for their own institution (bank
administrators, who deposit for any, name the institution of a template). Uploading and
depositing answer a job (:class:`~creditbank.accounts.uploads.Check`,
:class:`~creditbank.accounts.uploads.Deposit`) that the caller runs once the unit of work has
committed: the web runs it in the background while the upload's page shows its progress.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from creditbank.access.policy import AccessError, Action, Principal, require
from creditbank.accounts import uploads
from creditbank.accounts.blanks import TEMPLATE_FORMATS, Template, deposit_template
from creditbank.accounts.commands import (
    DepositUpload,
    ShowDepositTemplate,
    ShowUpload,
    UploadForCheck,
)
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.fields import FIELDS, stored_value
from creditbank.accounts.files import COLUMNS, FileFormat, read_rows
from creditbank.accounts.model import AccountError
from creditbank.accounts.tables import DepositUploadRow
from creditbank.accounts.uploads import UploadStatus
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import FileLimits
from creditbank.file_limits.preview import PREVIEW_ROWS, PreviewRow, preview
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler

MASKED_COLUMNS = frozenset({"id_number"})


def _own_institution(principal: Principal) -> str:
    """The institution the acting user deposits for from the web: their own."""
    if principal.institution is None:
        raise AccessError(
            "forbidden",
            msg(
                "depositing from the web is for the staff of an institution, for their institution"
            ),
        )
    return principal.institution


@handler
def show_deposit_template(
    query: ShowDepositTemplate, *, principal: Principal, uow: UnitOfWork
) -> Template:
    """The blank bulk deposit file of an institution: its items, their levels and the learning
    settings in drop-down lists (XLSX), Chinese and English headers."""
    if query.institution is None and principal.institution is None:
        raise AccessError(
            "forbidden", msg("bank staff have no institution of their own: name the institution")
        )
    code = institutions.check_institution_code(query.institution or principal.institution or "")
    require(principal, Action.DEPOSIT, code)
    if query.file_format not in TEMPLATE_FORMATS:
        raise AccountError("invalid_file", msg("a template is an XLSX or a CSV file"))
    institutions.institution_id(uow=uow, code=code)  # one that exists (404 otherwise)
    items = catalog.list_items(uow=uow, institution=code)
    return deposit_template(code, items, query.file_format)


@handler
def upload_for_check(
    command: UploadForCheck,
    *,
    principal: Principal,
    uow: UnitOfWork,
    database: Database,
    cipher: PersonalDataCipher,
    today: date,
    limits: FileLimits,
) -> uploads.Check:
    """Keep the file, once its first rows read (a file that cannot be read is refused here,
    nothing kept); the check to run once ``uow`` has committed."""
    institution = _own_institution(principal)
    require(principal, Action.DEPOSIT, institution)
    command.stream.seek(0)
    with closing(read_rows(command.stream, command.file_format, limits)) as rows:
        for _ in islice(rows, PREVIEW_ROWS):
            pass
    command.stream.seek(0)
    uploads.forget_old(uow, datetime.now(UTC))
    row = uploads.keep(
        uow=uow,
        cipher=cipher,
        institution_id=institutions.institution_id(uow=uow, code=institution),
        submitted_by=principal.email,
        filename=command.filename,
        file_format=command.file_format,
        stream=command.stream,
    )
    return uploads.Check(database, cipher, row.public_id, institution, today, limits, row.size)


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file and its check, as its page shows it."""

    id: str
    institution: str
    filename: str
    format: FileFormat
    size: int
    sha256: str
    status: UploadStatus
    created_at: datetime
    report: dict[str, Any]
    """The check's counts and ``errors`` (as batches keep them); empty until checked."""
    refusal: list[Message]
    """Why the file was refused whole (its message, then its problems)."""
    batch_id: str | None
    progress: int | None
    """Rows read so far, while it is checked or deposited in this process."""
    columns: tuple[str, ...]
    preview: list[PreviewRow]

    @property
    def may_deposit(self) -> bool:
        return self.status is UploadStatus.CHECKED and self.report.get("error_count") == 0


def _shown(column: str, text: str) -> str:
    """A value as the bank understands it (a date as the date read), else as given."""
    field = next(field for field in FIELDS if field.name == column)
    try:
        return str(stored_value(field.parse(text)))
    except (ValueError, ArithmeticError, DomainError):
        return text


def _first_rows(
    uow: UnitOfWork, cipher: PersonalDataCipher, row: DepositUploadRow, limits: FileLimits
) -> list[PreviewRow]:
    whole = FileFormat(row.format) is FileFormat.XLSX  # a workbook is read from its end
    with uploads.opened(uow, cipher, row, first_parts=None if whole else 1) as stream:
        try:
            with closing(read_rows(stream, FileFormat(row.format), limits)) as rows:
                return preview(rows, COLUMNS, masked_columns=MASKED_COLUMNS, shown=_shown)
        except DomainError:
            return []


@handler
def show_upload(
    query: ShowUpload,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    limits: FileLimits,
) -> Upload:
    """An uploaded file, its check's report and (once checked) its first rows as read."""
    row = uploads.find(uow, query.upload_id)
    institution = institutions.institution_codes(uow=uow)[row.institution_id]
    require(principal, Action.DEPOSIT, institution)
    status = UploadStatus(row.status)
    shown = status in {UploadStatus.CHECKED, UploadStatus.REFUSED}
    report = dict(row.report)
    return Upload(
        id=row.public_id,
        institution=institution,
        filename=row.filename,
        format=FileFormat(row.format),
        size=row.size,
        sha256=row.sha256,
        status=status,
        created_at=row.created_at,
        report=report,
        refusal=[
            uploads.message_of(stored)
            for stored in ([report["refusal"], *report["problems"]] if "refusal" in report else [])
        ],
        batch_id=row.batch_public_id,
        progress=uploads.PROGRESS.get(row.public_id),
        columns=COLUMNS,
        preview=_first_rows(uow, cipher, row, limits) if shown else [],
    )


@dataclass(frozen=True, slots=True)
class Claimed:
    """A deposit claimed: its batch id, and the deposit to run (None: claimed before)."""

    batch_id: str
    deposit: uploads.Deposit | None


@handler
def deposit_upload(
    command: DepositUpload,
    *,
    principal: Principal,
    uow: UnitOfWork,
    database: Database,
    cipher: PersonalDataCipher,
    today: date,
    limits: FileLimits,
) -> Claimed:
    """Claim the deposit of a file checked without a problem (once: a second claim gets the
    first's batch); the deposit to run once ``uow`` has committed."""
    row = uploads.find(uow, command.upload_id, lock=True)
    institution = institutions.institution_codes(uow=uow)[row.institution_id]
    require(principal, Action.DEPOSIT, institution)
    batch_id, fresh = uploads.claim(uow, row)
    if not fresh:
        return Claimed(batch_id, None)
    job = uploads.Deposit(
        database,
        cipher,
        row.public_id,
        institution,
        today,
        limits,
        row.size,
        batch_id=batch_id,
        submitted_by=principal.email,
    )
    return Claimed(batch_id, job)
