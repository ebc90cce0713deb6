"""Logging in and out of the pages: staff with their e-mail address, learners with their
account number; learners choose a password with an activation code at /activate."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from creditbank.sessions import handlers, service
from creditbank.sessions.commands import LogIn, LogOut, RedeemActivationCode
from creditbank.sessions.model import PrincipalKind, check_new_password
from creditbank.web.deps import Now, Uow, render
from creditbank.web.pages.forms import TOO_MANY, UNPROCESSABLE, say
from creditbank.web.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_protect,
    set_session_cookie,
)

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

HOME = {PrincipalKind.STAFF: "/staff", PrincipalKind.LEARNER: "/me"}


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another site: no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def client_address(request: Request) -> str:
    """Where the request came from (the real client's address behind a trusted proxy, see
    :func:`creditbank.web.security.proxy_options`)."""
    return request.client.host if request.client is not None else service.UNKNOWN_CLIENT


def _end_session(request: Request, uow: Uow, now: Now) -> None:
    """End the session the browser's cookie names, if it names one."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        handlers.log_out(LogOut(secret), principal=None, uow=uow, now=now)


def _refused_headers(result: service.Refused) -> dict[str, str]:
    return {"Retry-After": str(result.retry_after)} if result.throttled else {}


def _begin(request: Request, uow: Uow, now: Now, new: service.NewSession, target: str) -> Response:
    """Replace any session the browser had by ``new``, and go on to ``target``."""
    _end_session(request, uow, now)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, new)
    return response


@pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    """The login forms: staff (e-mail) and learners (account number)."""
    return render(request, "auth/login.html", next=safe_next(next) or "", kind=None, login="")


@pages.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: Uow,
    now: Now,
    kind: Annotated[Literal["staff", "learner"], Form()],
    login: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",  # noqa: A002
) -> Response:
    """Log in; a refusal says the same whatever was wrong, and too many refusals stop logins."""
    chosen = PrincipalKind(kind)
    command = LogIn(chosen, login, password, client_address(request))
    result = handlers.log_in(
        command,
        principal=None,
        uow=uow,
        policy=request.app.state.session_policy,
        now=now,
    )
    if isinstance(result, service.Refused):
        response = render(
            request,
            "auth/login.html",
            status_code=TOO_MANY if result.throttled else UNPROCESSABLE,
            next=safe_next(next) or "",
            kind=chosen.value,
            login=login,
            error=say(request, result.reason),
        )
        response.headers.update(_refused_headers(result))
        return response
    return _begin(request, uow, now, result, safe_next(next) or HOME[chosen])


@pages.post("/logout")
def logout(request: Request, uow: Uow, now: Now) -> Response:
    """End the session; its cookie is worthless from now on."""
    _end_session(request, uow, now)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response


@pages.get("/activate", response_class=HTMLResponse)
def activation_form(request: Request) -> HTMLResponse:
    """Where a learner chooses a password with the activation code the bank office gave them."""
    return render(request, "auth/activate.html", values={}, errors={})


@pages.post("/activate", response_class=HTMLResponse)
def activate(
    request: Request,
    uow: Uow,
    now: Now,
    account_number: Annotated[str, Form(max_length=64)] = "",
    code: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    repeated: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Redeem an activation code: the password is set, the code used up, the learner logged in."""
    values = {"account_number": account_number}
    problems = check_new_password(password, repeated)
    if problems:
        errors = {"password": [say(request, problem) for problem in problems]}
        return render(
            request,
            "auth/activate.html",
            status_code=UNPROCESSABLE,
            values=values,
            errors=errors,
        )
    command = RedeemActivationCode(account_number, code, password, client_address(request))
    result = handlers.redeem_activation_code(
        command, principal=None, uow=uow, policy=request.app.state.session_policy, now=now
    )
    if isinstance(result, service.Refused):
        response = render(
            request,
            "auth/activate.html",
            status_code=TOO_MANY if result.throttled else UNPROCESSABLE,
            values=values,
            errors={"code": [say(request, result.reason)]},
        )
        response.headers.update(_refused_headers(result))
        return response
    return _begin(request, uow, now, result, HOME[PrincipalKind.LEARNER])
