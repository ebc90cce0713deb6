"""The registrar's bulk deposit pages: the upload form (with the institution's templates to
download), the uploaded file's check (its first rows as the bank read them, identity numbers
masked, and every problem by line) and its deposit, then the batch's report.

Uploading keeps the file and checks it: a small file before the answer, a larger one after it
(a background task: the upload's page refreshes itself, without JavaScript, showing the rows
read so far, until the check is done); "Deposit" deposits that same kept file the same way,
once however often it is pressed. A file that cannot be read at all is refused on the form,
nothing kept. The handlers are :mod:`creditbank.accounts.intake`'s; staff.py includes this
router (and its CSRF check).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from creditbank.access.policy import Principal
from creditbank.accounts import deposits, intake, uploads, views
from creditbank.accounts.bulk import render_errors, rendered_errors
from creditbank.accounts.commands import (
    DepositUpload,
    ShowBatch,
    ShowDepositForm,
    ShowDepositTemplate,
    ShowUpload,
    UploadForCheck,
)
from creditbank.accounts.fields import FIELDS
from creditbank.accounts.files import FileFormat
from creditbank.accounts.uploads import UploadStatus
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import TOO_LARGE, FileLimits, limits_of
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow, cipher_of, render
from creditbank.web.i18n import translator_for
from creditbank.web.pages.changes import attempt, status_of
from creditbank.web.pages.changes import database as _database
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
"""Every form here checks its CSRF token (its own dependency: a router included into another
is not given the other's)."""
CONTENT_TOO_LARGE = 413
REFRESH_SECONDS = 2
INLINE_BYTES = 256 * 1024
"""A file this small (a few thousand rows) is checked, or deposited, before the answer: its
page shows the result at once. A larger one's job runs after the answer, its page refreshing."""
SHOWN_PROBLEMS = 1000
CHINESE_HEADERS = {field.name: field.chinese for field in FIELDS}
_log = logging.getLogger(__name__)


def _limits(request: Request) -> FileLimits:
    return limits_of(request.app.state.settings)


def _form(
    request: Request, institution: str, errors: FieldErrors | None = None, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "staff/batch_new.html",
        status_code=status_code,
        institution=institution,
        formats=list(FileFormat),
        errors=errors.as_dict() if errors else {},
    )


@pages.get("/staff/batches/new", response_class=HTMLResponse)
def batch_form(request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """The form to upload a bulk file, and the institution's templates to download."""
    form = deposits.show_deposit_form(ShowDepositForm(), principal=principal, uow=uow)
    return _form(request, form.institution)


@pages.get("/staff/batches/template", response_class=Response)
def batch_template(
    uow: Uow,
    principal: StaffPage,
    file_format: Annotated[FileFormat, Query(alias="format")] = FileFormat.XLSX,
) -> Response:
    """The institution's blank bulk deposit file (XLSX or CSV), as an attachment."""
    template = intake.show_deposit_template(
        ShowDepositTemplate(file_format), principal=principal, uow=uow
    )
    return Response(
        template.content,
        media_type=template.media_type,
        headers={"Content-Disposition": f'attachment; filename="{template.filename}"'},
    )


def _run(later: BackgroundTasks, job: uploads.Check | uploads.Deposit) -> None:
    """A small file's job now, a larger one's after the answer."""
    if job.size <= INLINE_BYTES:
        _quietly(job)
    else:
        later.add_task(_quietly, job)


def _quietly(job: uploads.Check | uploads.Deposit) -> None:
    """Run a check or deposit after the answer (a failure is logged; the page then shows the
    file as it was before)."""
    try:
        job.run()
    except Exception:  # noqa: BLE001 - nobody to answer any more: logged
        _log.exception("upload %s: a check or deposit failed", job.upload_id)


@pages.post("/staff/batches", response_class=HTMLResponse)
def upload_batch(
    request: Request,
    principal: StaffPage,
    today: Today,
    later: BackgroundTasks,
    file: Annotated[UploadFile, File()],
    file_format: Annotated[str, Form(alias="format", max_length=8)] = "",
) -> Response:
    """Keep the file and check it (after the answer), then show its check; a file that cannot
    be read within the limits is refused on the form (413 or 422), naming the place and the
    reason, and not kept."""
    filename = (file.filename or "upload").rsplit("/", 1)[-1]

    def run(writing: UnitOfWork) -> uploads.Check:
        chosen = FileFormat.of(f"{filename}.{file_format}" if file_format else filename)
        return intake.upload_for_check(
            UploadForCheck(filename, chosen, file.file),
            principal=principal,
            uow=writing,
            database=_database(request),
            cipher=cipher_of(request),
            today=today,
            limits=_limits(request),
        )

    done = attempt(request, run, passed_on=lambda error: error.code == "forbidden")
    if isinstance(done, DomainError):
        return _refused(request, principal, done)
    _run(later, done)
    return RedirectResponse(f"/staff/uploads/{done.upload_id}", status_code=303)


def _refused(request: Request, principal: Principal, error: DomainError) -> HTMLResponse:
    errors = FieldErrors(request)
    errors.add_refusal(error, "file")
    return _form(
        request,
        principal.institution or "",
        errors,
        CONTENT_TOO_LARGE if error.code == TOO_LARGE else UNPROCESSABLE,
    )


def _upload_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    upload_id: str,
    refused: DomainError | None = None,
) -> Response:
    upload = intake.show_upload(
        ShowUpload(upload_id),
        principal=principal,
        uow=uow,
        cipher=cipher_of(request),
        limits=_limits(request),
    )
    if upload.status is UploadStatus.DEPOSITED and upload.batch_id:
        return RedirectResponse(f"/staff/batches/{upload.batch_id}", status_code=303)
    translate = translator_for(request).gettext
    problems = rendered_errors(upload.report.get("errors", [])[:SHOWN_PROBLEMS], translate)
    busy = upload.status in {UploadStatus.CHECKING, UploadStatus.DEPOSITING}
    page = render(
        request,
        "staff/batch_check.html",
        status_code=status_of(refused) if refused else 200,
        upload=upload,
        problems=problems,
        refusal=[say(request, message) for message in upload.refusal],
        not_deposited=[say(request, message) for message in (refused.message, *refused.problems)]
        if refused
        else [],
        chinese=CHINESE_HEADERS,
    )
    if busy:  # the browser asks for the upload's page again by itself (no script)
        page.headers["Refresh"] = f"{REFRESH_SECONDS}; url=/staff/uploads/{upload.id}"
    return page


@pages.get("/staff/uploads/{upload_id}", response_class=HTMLResponse)
def upload_page(upload_id: str, request: Request, uow: Uow, principal: StaffPage) -> Response:
    """An uploaded file: its check's progress (the page refreshes itself), then its first rows as
    read and every problem by line, and the button to deposit it; once deposited, its batch."""
    return _upload_page(request, uow, principal, upload_id)


@pages.post("/staff/uploads/{upload_id}/deposit", response_class=HTMLResponse)
def deposit_upload(
    upload_id: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    later: BackgroundTasks,
) -> Response:
    """Deposit the checked file (after the answer), once however often this is sent; then its
    page shows the progress, and the batch's report when done."""

    def run(writing: UnitOfWork) -> intake.Claimed:
        return intake.deposit_upload(
            DepositUpload(upload_id),
            principal=principal,
            uow=writing,
            database=_database(request),
            cipher=cipher_of(request),
            today=today,
            limits=_limits(request),
        )

    done = attempt(
        request, run, passed_on=lambda error: error.code in {"forbidden", "upload_not_found"}
    )
    if isinstance(done, DomainError):
        return _upload_page(request, uow, principal, upload_id, refused=done)
    if done.deposit is not None:
        _run(later, done.deposit)
    return RedirectResponse(f"/staff/uploads/{upload_id}", status_code=303)


@pages.get("/staff/batches/{batch_id}", response_class=HTMLResponse)
def batch_report(batch_id: str, request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """A batch's status, counts and report: every bad row by line, column and reason."""
    batch = views.show_batch(ShowBatch(batch_id), principal=principal, uow=uow)
    return render(
        request,
        "staff/batch.html",
        batch=batch,
        problems=render_errors(batch, translator_for(request).gettext),
    )
