"""Moving a learner's record between banks on the pages: the learner's "move my record" page
(make a package for a peer bank, as a file or a one-time link; hand over a package from
another bank; what was imported and what became of it) and the recognition queue of the
bank's accreditation officers (recognise or refuse each imported outcome). Thin: parse, call
the handlers the API and the CLI call, render."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts.api import PersonalDataCipher
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import msg
from creditbank.peers import views as peer_views
from creditbank.peers.commands import ShowTrustList
from creditbank.transfers import importing, packages, recognition, views
from creditbank.transfers.commands import (
    DecideRecognition,
    ImportTransfer,
    ListMyTransfers,
    ListRecognitions,
    MakeTransferPackage,
)
from creditbank.transfers.model import MAX_PACKAGE_BYTES, Decision, ImportStatus
from creditbank.web.auth import LearnerPage, StaffPage
from creditbank.web.deps import Now, Uow, cipher_of, render
from creditbank.web.pages.changes import Shown, attempt, database, refusal, see, status_of
from creditbank.web.pages.forms import say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Cipher = Annotated[PersonalDataCipher, Depends(cipher_of)]
NOTICES = {
    "imported": msg("The package was accepted: its outcomes await this bank's recognition."),
    "recognised": msg("The outcome is recognised and counts at this bank."),
    "refused": msg("The outcome is not recognised."),
}


def _peers(uow: UnitOfWork) -> list[str]:
    listed = peer_views.show_trust_list(ShowTrustList(), principal=None, uow=uow)
    return [peer.origin for peer in listed.peers]


def _my_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    shown: Shown,
    *,
    link: str | None = None,
) -> HTMLResponse:
    mine = views.list_my_transfers(ListMyTransfers(), principal=learner, uow=uow)
    return render(
        request,
        "me/transfers.html",
        status_code=shown.status_code,
        peers=_peers(uow),
        imported=mine.imported,
        made=mine.made,
        link=link,
        **shown.context(),
    )


@pages.get("/me/transfers", response_class=HTMLResponse)
def my_transfers(
    request: Request, uow: Uow, learner: LearnerPage, done: str | None = None
) -> HTMLResponse:
    """Move my record: make a package for another bank, hand one over, what became of them."""
    notice = say(request, NOTICES[done]) if done in NOTICES else None
    return _my_page(request, uow, learner, Shown(notice=notice))


@pages.post("/me/transfers/package", response_class=HTMLResponse)
def make_my_package(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    cipher: Cipher,
    to: Annotated[str, Form(max_length=255)] = "",
    form: Annotated[str, Form(max_length=8)] = "file",
) -> Response:
    """The learner's package for a peer bank: a file to download, or a one-time link shown
    once."""
    command = MakeTransferPackage(learner.account_number, to.strip(), link=form == "link")
    made = attempt(
        request,
        lambda writing: packages.make_transfer_package(
            command, principal=learner, uow=writing, now=now, cipher=cipher
        ),
    )
    if isinstance(made, DomainError):
        shown = Shown(status_of(made), refusal(request, made), {"to": to})
        return _my_page(request, uow, learner, shown)
    if made.link is not None:
        notice = say(request, msg("Copy this link now: it works once, and is not shown again."))
        return _my_page(request, uow, learner, Shown(notice=notice), link=made.link)
    body = json.dumps(made.package, ensure_ascii=False)
    name = f"transfer-{made.public_id[:8]}.json"
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@pages.post("/me/transfers/import", response_class=HTMLResponse)
async def hand_over(
    request: Request,
    learner: LearnerPage,
    now: Now,
    cipher: Cipher,
    package: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Hand a package from another bank over to this one (a file, or its one-time link)."""
    text: str | None = None
    if package is not None and package.filename:
        data = await package.read(MAX_PACKAGE_BYTES + 1)
        text = data.decode("utf-8", errors="replace")
    link = None if text is not None else (url.strip() or None)
    command = ImportTransfer(learner.account_number, package=text, url=link)
    return await run_in_threadpool(_hand_over, request, learner, now, cipher, command, url)


def _hand_over(
    request: Request,
    learner: LearnerPrincipal,
    now: datetime,
    cipher: PersonalDataCipher,
    command: ImportTransfer,
    url: str,
) -> Response:
    done = attempt(
        request,
        lambda writing: importing.import_transfer(
            command, principal=learner, uow=writing, now=now, cipher=cipher
        ),
    )
    if not isinstance(done, DomainError):
        return see("/me/transfers", done="imported")
    shown = Shown(status_of(done), refusal(request, done), {"url": url})
    with database(request).unit_of_work() as reading:
        return _my_page(request, reading, learner, shown)


def _queue_page(
    request: Request, uow: UnitOfWork, staff: Principal, shown: Shown, status: ImportStatus | None
) -> HTMLResponse:
    listed = views.list_recognitions(ListRecognitions(status), principal=staff, uow=uow)
    return render(
        request,
        "staff/recognitions.html",
        status_code=shown.status_code,
        imported=listed,
        status=status.value if status else "all",
        statuses=[s.value for s in ImportStatus],
        pending=ImportStatus.PENDING,
        **shown.context(),
    )


@pages.get("/staff/recognitions", response_class=HTMLResponse)
def recognition_queue(
    request: Request,
    uow: Uow,
    staff: StaffPage,
    status: str = "pending",
    done: str | None = None,
) -> HTMLResponse:
    """Outcomes imported from peer banks awaiting this bank's recognition (or of a status)."""
    chosen = ImportStatus(status) if status in {s.value for s in ImportStatus} else None
    notice = say(request, NOTICES[done]) if done in NOTICES else None
    return _queue_page(request, uow, staff, Shown(notice=notice), chosen)


@pages.post("/staff/recognitions/{imported_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    imported_id: str,
    uow: Uow,
    staff: StaffPage,
    now: Now,
    decision: Annotated[str, Form(max_length=16)] = "",
    framework: Annotated[str, Form(max_length=32)] = "",
    level: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Recognise (at the peer's level, or at the level of this bank's framework named) or
    refuse, with a reason."""
    chosen = Decision.RECOGNISE if decision == Decision.RECOGNISE.value else Decision.REFUSE
    command = DecideRecognition(
        imported_id,
        chosen,
        framework=framework.strip() or None,
        level=level.strip() or None,
        reason=reason,
    )
    done = attempt(
        request,
        lambda writing: recognition.decide_recognition(
            command, principal=staff, uow=writing, now=now
        ),
        passed_on=lambda error: error.code in {"forbidden", "recognition_not_found"},
    )
    if not isinstance(done, DomainError):
        return see("/staff/recognitions", done=done.status.value)
    shown = Shown(status_of(done), refusal(request, done), {"id": imported_id})
    return _queue_page(request, uow, staff, shown, ImportStatus.PENDING)
