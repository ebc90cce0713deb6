"""The console's API tokens: the list (who each acts for, whether it is revoked; never a
secret), creating one for a user (its secret shown once, on the page that answers), revoking
one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import handlers, views
from creditbank.institutions.commands import CreateToken, ListTokens, RevokeToken
from creditbank.messages import msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow
from creditbank.web.pages.changes import Shown, attempt, refusal, see, status_of
from creditbank.web.pages.console.common import is_forbidden, notice, page, rights
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors
from creditbank.web.sessions import csrf_protect

pages = APIRouter(dependencies=[Depends(csrf_protect)])

HOME = "/console/tokens"
MAX_EMAIL = 254
CREATED = 201


def _tokens_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    institution: str,
    cursor: str | None = None,
    shown: Shown = Shown(),
) -> Response:
    may = rights(uow, principal)
    query = ListTokens(institution=institution or None, cursor=cursor)
    found = views.list_tokens(query, principal=principal, uow=uow)
    return page(
        request,
        "console/tokens.html",
        status_code=shown.status_code,
        principal=principal,
        may=may,
        tokens=found.items,
        next_cursor=found.next_cursor,
        institution=institution,
        **shown.context(),
    )


@pages.get(HOME, response_class=HTMLResponse)
def token_list(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    institution: str = "",
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    """API tokens, the newest first, of one institution's users or all; the forms to create
    and revoke tokens (bank administrators)."""
    shown = Shown(notice=notice(request, done))
    code = institution.strip().upper()[:32]
    return _tokens_page(request, uow, principal, code, cursor, shown)


@pages.post(HOME, response_class=HTMLResponse)
def create_token(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
) -> Response:
    """Create a token for a user; its secret is on the page that answers, and nowhere else."""
    errors = FieldErrors(request)
    if not email.strip():
        errors.add("email", msg("give the e-mail address of the user the token acts for"))
        shown = Shown(UNPROCESSABLE, (), {"email": email}, errors)
        return _tokens_page(request, uow, principal, "", shown=shown)
    command = CreateToken(email)
    issued = attempt(
        request,
        lambda writing: handlers.create_token(command, principal=principal, uow=writing),
        passed_on=is_forbidden,
    )
    if isinstance(issued, DomainError):
        shown = Shown(status_of(issued), refusal(request, issued), {"email": email}, errors)
        return _tokens_page(request, uow, principal, "", shown=shown)
    may = rights(uow, principal)
    return page(
        request,
        "console/token_created.html",
        status_code=CREATED,
        principal=principal,
        may=may,
        issued=issued,
    )


@pages.post(HOME + "/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    token_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Revoke a token: requests with it are refused from now on."""
    back = institution.strip().upper()
    done = attempt(
        request,
        lambda writing: handlers.revoke_token(
            RevokeToken(token_id), principal=principal, uow=writing
        ),
        passed_on=is_forbidden,
    )
    if isinstance(done, DomainError):
        shown = Shown(status_of(done), refusal(request, done))
        return _tokens_page(request, uow, principal, back, shown=shown)
    return see(HOME, institution=back, done="revoked") if back else see(HOME, done="revoked")
