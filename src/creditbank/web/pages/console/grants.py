"""The operator console's catalogue grants ("accredited to issue"): every grant, by institution
if asked; the administrators grant an institution the right to issue another's item and
withdraw grants, through the same handlers as the API. Auditors read the list (no forms)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import AccessError, Principal
from creditbank.catalog import console, handlers
from creditbank.catalog.commands import GrantItem, ShowGrantForm, ShowGrantsConsole, WithdrawGrant
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow, render
from creditbank.web.pages.changes import Shown, see, submit
from creditbank.web.pages.forms import FieldErrors, parse_date, say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
HOME = "/console/grants"
NOTICES: dict[str, Message] = {
    "granted": msg("The institution is accredited to issue the item."),
    "withdrawn": msg("The grant is withdrawn."),
}


def _refused_by_policy(error: DomainError) -> bool:
    """Who may not grant gets the error page (403), as the API answers."""
    return isinstance(error, AccessError)


def _page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    today: date,
    institution: str = "",
    shown: Shown = Shown(),
) -> HTMLResponse:
    chosen = institution.strip() or None
    found = console.show_grants_console(ShowGrantsConsole(chosen), principal=principal, uow=uow)
    return render(
        request,
        "console/grants.html",
        status_code=shown.status_code,
        console=found,
        institution=(chosen or "").upper(),
        items_by_ref={(item.institution, item.code): item for item in found.items},
        by_code={place.code: place for place in found.institutions},
        today=today,
        **shown.context(),
    )


@pages.get("/console/grants", response_class=HTMLResponse)
def grants_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    institution: str = "",
    done: str | None = None,
) -> HTMLResponse:
    """Every grant, the latest first (of one institution's items and those it holds, when
    ``institution`` is given); the forms to grant and withdraw for administrators."""
    notice = say(request, NOTICES[done]) if done in NOTICES else None
    return _page(request, uow, principal, today, institution, Shown(notice=notice))


@pages.post("/console/grants", response_class=HTMLResponse)
def grant(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    item: Annotated[str, Form(max_length=100)] = "",
    grantee: Annotated[str, Form(max_length=32)] = "",
    valid_from: Annotated[str, Form(max_length=32)] = "",
    valid_until: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Accredit an institution to issue another's item for assessments in a window of dates
    (from today unless said); a refusal shows the page again with its problems."""
    console.show_grant_form(ShowGrantForm(), principal=principal, uow=uow)
    values = {
        "item": item,
        "grantee": grantee,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    errors = FieldErrors(request)
    owner, _, code = item.partition(":")
    if not owner or not code:
        errors.add("item", msg("choose the item the grant is of"))
    if not grantee.strip():
        errors.add("grantee", msg("choose the institution the grant is for"))
    starts = parse_date(errors, "valid_from", valid_from) or today
    ends = parse_date(errors, "valid_until", valid_until)
    command = GrantItem(owner, code, grantee, valid_from=starts, valid_until=ends)
    return submit(
        request,
        lambda writing: handlers.grant_item(command, principal=principal, uow=writing),
        errors=errors,
        values=values,
        then=lambda _granted: see(HOME, done="granted"),
        again=lambda shown: _page(request, uow, principal, today, "", shown),
        passed_on=_refused_by_policy,
    )


@pages.post(
    "/console/grants/{grant_id}/withdrawal",
    response_class=HTMLResponse,
)
def withdraw(
    grant_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Withdraw a grant: its holder deposits no more outcomes under it (kept, with when and by
    whom); back to the list it was withdrawn from."""
    console.show_grant_form(ShowGrantForm(), principal=principal, uow=uow)
    command = WithdrawGrant(grant_id)
    back = {"institution": institution} if institution else {}
    return submit(
        request,
        lambda writing: handlers.withdraw_grant(command, principal=principal, uow=writing),
        errors=FieldErrors(request),
        values={},
        then=lambda _withdrawn: see(HOME, done="withdrawn", **back),
        again=lambda shown: _page(request, uow, principal, today, institution, shown),
        passed_on=_refused_by_policy,
    )
