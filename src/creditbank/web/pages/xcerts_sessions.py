"""The 1+X pages of one assessment session: its candidates with their weighted marks and
outcomes (passed, failed, absent) and the outcome each pass deposited; the form to register a
candidate (the centre's registrars); the results template to download and the results upload
(the provider's registrars), which first shows a preview (the first rows as the bank read them
and every problem with its line) and records nothing until "Record results" is pressed.

The file goes from the preview to the recording inside the preview page's form (base64 in a
hidden field: no state is kept between the two requests, and the recording checks everything
again). A file too large to travel in a form field is asked for again.
"""

from __future__ import annotations

import base64
import binascii
import io
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.accounts.api import FileFormat
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import TOO_LARGE, FileLimits, limits_of
from creditbank.messages import Message, msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow, cipher_of, render
from creditbank.web.pages.changes import Shown, attempt, database, refusal, see, status_of, submit
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.pages.xcerts_desk import passed_on
from creditbank.web.problems import FORM_FIELD_BYTES
from creditbank.web.sessions import csrf_protect
from creditbank.xcerts import desks, intake, results, sessions
from creditbank.xcerts.commands import (
    PreviewResults,
    RecordResults,
    RegisterCandidate,
    ShowResultsTemplate,
    ShowSessionDesk,
)
from creditbank.xcerts.model import RESULT_HEADERS_ZH

session_pages = APIRouter(dependencies=[Depends(csrf_protect)])

SHORT = 64
CONTENT_TOO_LARGE = 413
MAX_FILENAME = 200
CARRIED = FORM_FIELD_BYTES - 4096
"""The most base64 the preview's form carries to the recording (a form field's limit)."""
NOTICES: dict[str, Message] = {
    "scheduled": msg("The session is scheduled. Register its candidates below."),
    "registered": msg("The candidate is registered."),
    "recorded": msg(
        "The results are recorded; each candidate who passed has the certificate in their account."
    ),
}


def _limits(request: Request) -> FileLimits:
    return limits_of(request.app.state.settings)


def _session_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    session_id: int,
    shown: Shown = Shown(),
    failed: str | None = None,
) -> Response:
    desk = desks.show_session_desk(ShowSessionDesk(session_id), principal=principal, uow=uow)
    return render(
        request,
        "xcerts/session.html",
        status_code=shown.status_code,
        desk=desk,
        session_view=desk.detail.session,
        candidates=desk.detail.candidates,
        failed=failed,
        **shown.context(),
    )


@session_pages.get("/staff/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    session_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    done: str | None = None,
) -> Response:
    """A session: its candidates, each one's marks, weighted mark and outcome (passed, failed,
    absent once results are in) and the outcome deposited; the forms its reader may send."""
    notice = say(request, NOTICES[done]) if done in NOTICES else None
    return _session_page(request, uow, principal, session_id, Shown(notice=notice))


@session_pages.post("/staff/sessions/{session_id}/candidates", response_class=HTMLResponse)
def register_candidate(
    session_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    account_number: Annotated[str, Form(max_length=SHORT)] = "",
    fee_exempt: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    """Register a learner for the session by account number, fee-exempt or not (the centre's
    registrars, bank administrators)."""
    errors = FieldErrors(request)
    if not account_number.strip():
        errors.add("account_number", msg("give the learner's account number"))
    command = RegisterCandidate(session_id, account_number, fee_exempt=bool(fee_exempt))
    page = f"/staff/sessions/{session_id}"

    def again(shown: Shown) -> Response:
        return _session_page(request, uow, principal, session_id, shown, failed="candidate")

    return submit(
        request,
        lambda writing: sessions.register_candidate(command, principal=principal, uow=writing),
        errors=errors,
        values={"account_number": account_number, "fee_exempt": fee_exempt},
        then=lambda _made: see(page, done="registered"),
        again=again,
        passed_on=lambda error: error.code in {"forbidden", "session_not_found"},
    )


@session_pages.get("/staff/sessions/{session_id}/template.{extension}")
def results_template(
    session_id: int,
    extension: Literal["xlsx", "csv"],
    uow: Uow,
    principal: StaffPage,
) -> Response:
    """The session's results file to fill in (XLSX or CSV): its candidates' account numbers,
    the level's columns, headers in Chinese and English."""
    query = ShowResultsTemplate(session_id, FileFormat(extension))
    found = intake.show_results_template(query, principal=principal, uow=uow)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _format(text: str) -> FileFormat | None:
    try:
        return FileFormat(text) if text else None
    except ValueError:
        return None


def _preview_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    session_id: int,
    today: date,
    *,
    assessor: str,
    filename: str,
    file_format: str,
    content: bytes,
    refused: DomainError | None = None,
) -> Response:
    """The preview of a file (read and checked, nothing stored) with the form that records it;
    after a refusal to record, the refusal on top."""
    command = PreviewResults(
        session_id, assessor, filename, _format(file_format), io.BytesIO(content), today
    )
    preview = intake.preview_results(
        command, principal=principal, uow=uow, cipher=cipher_of(request), limits=_limits(request)
    )
    carried = base64.b64encode(content).decode()
    problems = [say(request, problem) for problem in preview.problems]
    status = 200 if preview.ready else UNPROCESSABLE
    if preview.unreadable == TOO_LARGE:
        status = CONTENT_TOO_LARGE
    if refused is not None:
        problems = [*refusal(request, refused), *problems]
        status = status_of(refused)
    return render(
        request,
        "xcerts/preview.html",
        status_code=status,
        preview=preview,
        session_view=preview.session,
        problems=problems,
        assessor=assessor,
        filename=filename,
        file_format=file_format,
        content=carried if len(carried) <= CARRIED else None,
        headers_zh=RESULT_HEADERS_ZH,
    )


@session_pages.post("/staff/sessions/{session_id}/results/preview", response_class=HTMLResponse)
def preview_results(
    session_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    file: Annotated[UploadFile, File()],
    assessor: Annotated[str, Form(max_length=320)] = "",
    file_format: Annotated[str, Form(alias="format", max_length=8)] = "",
) -> Response:
    """Read and check a results file as recording would, store nothing, and show the first
    rows as read and every problem with its line (the provider's registrars)."""
    filename = (file.filename or "results")[-MAX_FILENAME:].rsplit("/", 1)[-1]
    content = file.file.read()
    return _preview_page(
        request,
        uow,
        principal,
        session_id,
        today,
        assessor=assessor,
        filename=filename,
        file_format=file_format,
        content=content,
    )


@session_pages.post("/staff/sessions/{session_id}/results", response_class=HTMLResponse)
def record_results(
    session_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    assessor: Annotated[str, Form(max_length=320)] = "",
    filename: Annotated[str, Form(max_length=MAX_FILENAME)] = "results",
    file_format: Annotated[str, Form(alias="format", max_length=8)] = "",
    content: Annotated[str, Form(max_length=FORM_FIELD_BYTES)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Record the previewed file's results, all or nothing, in the name of the assessor (the
    provider's registrars, bank administrators); then back to the session's page."""
    if file is not None and (file.filename or file.size):
        filename = (file.filename or filename).rsplit("/", 1)[-1]
        data = file.file.read()
    else:
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            data = b""
    command = RecordResults(
        session_id, assessor, filename, _format(file_format), io.BytesIO(data), today
    )
    done = attempt(
        request,
        lambda writing: results.record_results(
            command,
            principal=principal,
            uow=writing,
            database=database(request),
            cipher=cipher_of(request),
            limits=_limits(request),
        ),
        passed_on=passed_on,
    )
    if isinstance(done, DomainError):
        return _preview_page(
            request,
            uow,
            principal,
            session_id,
            today,
            assessor=assessor,
            filename=filename,
            file_format=file_format,
            content=data,
            refused=done,
        )
    return see(f"/staff/sessions/{session_id}", done="recorded")
