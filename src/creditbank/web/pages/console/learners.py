"""The operator console's learners: find a learner's account by its number, or by identity
number with a stated purpose; see the account's state and web access; give the learner an
activation code, shown once with a QR code and a slip to print.

The identity number travels only in a POST form's body: never in a URL, never logged, never
shown back (the result shows it masked). Finding by it opens the learner's personal data
through the audited read: the learner sees who looked, when and why on "/me/access".
Auditors find accounts by number and read their state; the forms that open personal data or
change something are the administrators' (the handlers refuse anyone else).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from creditbank.access.policy import Principal
from creditbank.accounts import learners, lookup
from creditbank.accounts.commands import (
    FindAccount,
    FindLearnerByIdentity,
    ShowLearnerConsole,
    ShowLookUpForm,
)
from creditbank.accounts.lookup import LearnerAccount, LearnerConsole
from creditbank.accounts.model import AccountError, parse_id_number
from creditbank.db import UnitOfWork
from creditbank.messages import Message, msg
from creditbank.sessions import handlers as sessions
from creditbank.sessions import views as web_access
from creditbank.sessions.commands import IssueActivationCode, ShowWebAccess
from creditbank.sessions.views import WebAccess
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Now, Uow, cipher_of, render
from creditbank.web.pages.changes import database, see, status_of
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

HOME = "/console/learners"
MIN_PURPOSE, MAX_PURPOSE = 5, 200
OTHER_PURPOSE = "other"
PURPOSES: dict[str, Message] = {
    "activation": msg("to give the learner an activation code, at their request"),
    "enquiry": msg("to answer the learner's enquiry about their account"),
    "correction": msg("to correct the learner's account, at their request"),
}
"""The purposes an administrator may choose; any other is written in (``OTHER_PURPOSE``). The
purpose is recorded in the words the administrator saw, in their page's language."""
VALID_DAYS = (7, 14, 30)
DEFAULT_VALID_DAYS = 14


def _console(uow: UnitOfWork, principal: Principal) -> LearnerConsole:
    """What the user may do here; ``forbidden`` for all but the console's readers."""
    return lookup.show_learner_console(ShowLearnerConsole(), principal=principal, uow=uow)


def _web_access(uow: UnitOfWork, principal: Principal, number: str, now: datetime) -> WebAccess:
    query = ShowWebAccess(number)
    return web_access.show_web_access(query, principal=principal, uow=uow, now=now)


def _page(
    request: Request,
    console: LearnerConsole,
    *,
    status_code: int = 200,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    account: LearnerAccount | None = None,
    access: WebAccess | None = None,
    missing: bool = False,
) -> HTMLResponse:
    return render(
        request,
        "console/learners.html",
        status_code=status_code,
        console=console,
        purposes=PURPOSES,
        other_purpose=OTHER_PURPOSE,
        valid_days=VALID_DAYS,
        default_valid_days=DEFAULT_VALID_DAYS,
        errors=errors.as_dict() if errors else {},
        values=values or {},
        account=account,
        access=access,
        missing=missing,
    )


@pages.get("/console/learners", response_class=HTMLResponse)
def learners_page(
    request: Request, uow: Uow, principal: StaffPage, account_number: str | None = None
) -> Response:
    """The forms to find a learner; with ``account_number`` (the first form sends it), the
    account's own page, or the form again with what is wrong with the number."""
    console = _console(uow, principal)
    if account_number is None:
        return _page(request, console)
    try:
        account = lookup.find_account(FindAccount(account_number), principal=principal, uow=uow)
    except AccountError as error:
        errors = FieldErrors(request)
        errors.add("account_number", error.message)
        return _page(
            request,
            console,
            status_code=status_of(error),
            errors=errors,
            values={"account_number": account_number.strip()[:20]},
        )
    return see(f"{HOME}/{account.account_number}")


@pages.get("/console/learners/{account_number}", response_class=HTMLResponse)
def account_page(
    account_number: str, request: Request, uow: Uow, now: Now, principal: StaffPage
) -> HTMLResponse:
    """An account's state, its web access and what may be done for the learner."""
    console = _console(uow, principal)
    account = lookup.find_account(FindAccount(account_number), principal=principal, uow=uow)
    access = _web_access(uow, principal, account.account_number, now)
    return _page(request, console, account=account, access=access)


def _purpose(errors: FieldErrors, request: Request, choice: str, written: str) -> str:
    """The purpose chosen (in the page's words) or written in; an error when there is none."""
    if choice in PURPOSES:
        return say(request, PURPOSES[choice])
    purpose = " ".join(written.split())
    if not MIN_PURPOSE <= len(purpose) <= MAX_PURPOSE:
        errors.add(
            "purpose",
            msg(
                "say why you look the learner up, in {low} to {high} characters",
                low=MIN_PURPOSE,
                high=MAX_PURPOSE,
            ),
        )
    return purpose


@pages.post("/console/learners/find", response_class=HTMLResponse)
def find_by_identity(
    request: Request,
    uow: Uow,
    now: Now,
    principal: StaffPage,
    id_number: Annotated[str, Form(max_length=64)] = "",
    purpose_choice: Annotated[str, Form(max_length=32)] = "",
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Find a learner by identity number, with a purpose: the look-up is written to the
    learner's access audit (and the administrators' audit) in a unit of work of its own, so it
    is recorded even when what follows fails; the identity number is never shown back. Who may
    not open personal data (auditors) gets the error page (403) before the form is read."""
    console = _console(uow, principal)
    learners.show_lookup_form(ShowLookUpForm(), principal=principal, uow=uow)  # before the form
    errors = FieldErrors(request)
    stated = _purpose(errors, request, purpose_choice, purpose)
    parsed = None
    try:
        parsed = parse_id_number(id_number)
    except AccountError as error:
        errors.add("id_number", error.message)
    values = {"purpose_choice": purpose_choice, "purpose": purpose}
    if errors or parsed is None:
        return _page(request, console, status_code=UNPROCESSABLE, errors=errors, values=values)
    with database(request).unit_of_work() as writing:  # the audit commits before it is shown
        found = lookup.find_learner_by_identity(
            FindLearnerByIdentity(parsed, stated),
            principal=principal,
            uow=writing,
            cipher=cipher_of(request),
        )
    if found is None:
        return _page(request, console, missing=True)
    access = _web_access(uow, principal, found.account_number, now)
    return _page(request, console, account=found, access=access)


def activation_qr(link: str) -> Markup:
    """The activation link as a QR code: inline SVG drawn here (the page loads nothing)."""
    return Markup(segno.make(link, error="m").svg_inline(scale=4, svgclass="qr"))  # noqa: S704 - segno's own SVG


def activation_link(base_url: str, code: str) -> str:
    """What the QR code holds: the activation page, with the code in the fragment.

    The activation page takes the code in a POST form (never in its URL, so no server or proxy
    log holds it). A fragment is never sent to the server (nor in a Referer), so the code stays
    on the learner's phone: scanning opens the bank's own page (its address shows whose page it
    is) with the code beside it, to type or paste into the form. The code alone would leave the
    learner to find the page; a query parameter would put the code in the access logs."""
    return f"{base_url.rstrip('/')}/activate#{code}"


@pages.post("/console/learners/{account_number}/activation-code", response_class=HTMLResponse)
def issue_activation_code(
    account_number: str,
    request: Request,
    now: Now,
    principal: StaffPage,
    valid_days: Annotated[int, Form(ge=1, le=max(VALID_DAYS))] = DEFAULT_VALID_DAYS,
) -> Response:
    """Give the learner a one-time activation code (earlier unused ones stop working), shown
    once, with its QR code and a slip to print. Its refusals (who may not; no such account) are
    the error page, with the API's status."""
    command = IssueActivationCode(account_number, timedelta(days=valid_days))
    with database(request).unit_of_work() as writing:  # committed before the code is shown
        issued = sessions.issue_activation_code(command, principal=principal, uow=writing, now=now)
    link = activation_link(str(request.base_url), issued.code)
    return render(
        request,
        "console/activation.html",
        issued=issued,
        activation_page=f"{str(request.base_url).rstrip('/')}/activate",
        qr=activation_qr(link),
    )
