"""The console's staff: the users of the bank and of each institution, adding one with a role,
disabling and enabling, and a one-time password-set code for a user (shown once), with which
the user sets their web password at ``/set-password`` (a public page, like learners'
``/activate``).

E-mail addresses travel in POST bodies only, never in URLs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import handlers, views
from creditbank.institutions.commands import AddUser, DisableUser, EnableUser, ListUsers
from creditbank.institutions.model import Role
from creditbank.messages import msg
from creditbank.sessions import handlers as sessions
from creditbank.sessions.commands import IssueStaffPasswordCode, LogOut, RedeemStaffPasswordCode
from creditbank.sessions.model import check_new_password
from creditbank.sessions.service import Refused
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Now, Uow, render
from creditbank.web.pages.changes import Shown, attempt, refusal, see, status_of, submit
from creditbank.web.pages.console.common import is_forbidden, notice, page, rights
from creditbank.web.pages.forms import TOO_MANY, UNPROCESSABLE, FieldErrors, say
from creditbank.web.pages.login import client_address
from creditbank.web.sessions import SESSION_COOKIE, csrf_protect, set_session_cookie

pages = APIRouter(dependencies=[Depends(csrf_protect)])

HOME = "/console/staff"
VALID_DAYS = (2, 3, 7, 14)
DEFAULT_VALID_DAYS = 3
MAX_EMAIL = 254
CREATED = 201
_ENABLED = {"yes": True, "no": False}


def _staff_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    institution: str,
    role: str,
    enabled: str,
    cursor: str | None = None,
    shown: Shown = Shown(),
) -> Response:
    may = rights(uow, principal)
    chosen_role = Role(role) if role in set(Role) else None
    query = ListUsers(
        institution=institution or None,
        role=chosen_role,
        enabled=_ENABLED.get(enabled),
        cursor=cursor,
    )
    found = views.list_users(query, principal=principal, uow=uow)
    values = {"institution": institution, "role": role or Role.REGISTRAR.value, **shown.values}
    return page(
        request,
        "console/staff.html",
        status_code=shown.status_code,
        principal=principal,
        may=may,
        users=found.items,
        next_cursor=found.next_cursor,
        institution=institution,
        role=chosen_role.value if chosen_role else "",
        enabled=enabled if enabled in _ENABLED else "",
        valid_days=VALID_DAYS,
        default_valid_days=DEFAULT_VALID_DAYS,
        **{**shown.context(), "values": values},
    )


@pages.get(HOME, response_class=HTMLResponse)
def staff_list(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    institution: str = "",
    role: str = "",
    enabled: str = "",
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    """Staff users, of one institution or all, by role, enabled or not; the forms to add one,
    disable or enable one and give one a password-set code (bank administrators)."""
    return _staff_page(
        request,
        uow,
        principal,
        institution=institution.strip().upper()[:32],
        role=role,
        enabled=enabled,
        cursor=cursor,
        shown=Shown(notice=notice(request, done)),
    )


def _back(institution: str, done: str) -> RedirectResponse:
    return see(HOME, institution=institution, done=done) if institution else see(HOME, done=done)


@pages.post(HOME, response_class=HTMLResponse)
def add_user(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Add a staff user with a role (of an institution, for the institutions' roles); they get
    a password through a password-set code."""
    errors = FieldErrors(request)
    code = institution.strip().upper()
    values = {"email": email, "role": role, "institution": code}
    try:
        chosen = Role(role)
    except ValueError:
        errors.add("role", msg("choose the user's role"))
        chosen = Role.AUDITOR
    if not email.strip():
        errors.add("email", msg("give the user's e-mail address"))
    command = AddUser(email=email, role=chosen, institution=code or None)
    return submit(
        request,
        lambda writing: handlers.add_user(command, principal=principal, uow=writing),
        errors=errors,
        values=values,
        then=lambda added: _back(added.institution or "", "user_added"),
        again=lambda shown: _staff_page(
            request, uow, principal, institution=code, role="", enabled="", shown=shown
        ),
        passed_on=is_forbidden,
    )


def _switch(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    email: str,
    institution: str,
    *,
    enabled: bool,
) -> Response:
    def run(writing: UnitOfWork) -> object:
        if enabled:
            return handlers.enable_user(EnableUser(email), principal=principal, uow=writing)
        return handlers.disable_user(DisableUser(email), principal=principal, uow=writing)

    done = attempt(request, run, passed_on=is_forbidden)
    if not isinstance(done, DomainError):
        return _back(institution, "enabled" if enabled else "disabled")
    shown = Shown(status_of(done), refusal(request, done))
    return _staff_page(
        request, uow, principal, institution=institution, role="", enabled="", shown=shown
    )


@pages.post(HOME + "/disable", response_class=HTMLResponse)
def disable_user(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Disable a user: their password, web sessions and API tokens stop working."""
    back = institution.strip().upper()
    return _switch(request, uow, principal, email, back, enabled=False)


@pages.post(HOME + "/enable", response_class=HTMLResponse)
def enable_user(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Enable a disabled user again."""
    back = institution.strip().upper()
    return _switch(request, uow, principal, email, back, enabled=True)


@pages.post(HOME + "/password-code", response_class=HTMLResponse)
def password_code(
    request: Request,
    uow: Uow,
    now: Now,
    principal: StaffPage,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
    valid_days: Annotated[int, Form(ge=1, le=30)] = DEFAULT_VALID_DAYS,
    institution: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """A one-time code for the user to set their web password with, shown once on the page
    that answers (never stored but as a digest); it cancels the user's earlier codes."""
    back = institution.strip().upper()
    command = IssueStaffPasswordCode(email, timedelta(days=valid_days))
    issued = attempt(
        request,
        lambda writing: sessions.issue_staff_password_code(
            command, principal=principal, uow=writing, now=now
        ),
        passed_on=is_forbidden,
    )
    if isinstance(issued, DomainError):
        shown = Shown(status_of(issued), refusal(request, issued))
        return _staff_page(
            request, uow, principal, institution=back, role="", enabled="", shown=shown
        )
    may = rights(uow, principal)
    return page(
        request,
        "console/password_code.html",
        status_code=CREATED,
        principal=principal,
        may=may,
        issued=issued,
        institution=back,
    )


# --- the staff member's side: setting the password with the code (no login) -----------------


@pages.get("/set-password", response_class=HTMLResponse)
def set_password_form(request: Request) -> HTMLResponse:
    """Where a staff member sets their web password with the code an administrator gave them."""
    return render(request, "console/set_password.html", values={}, errors={})


@pages.post("/set-password", response_class=HTMLResponse)
def set_password(
    request: Request,
    uow: Uow,
    now: Now,
    email: Annotated[str, Form(max_length=MAX_EMAIL)] = "",
    code: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    repeated: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Set the password with the code: the code is used up, the user's other sessions end and
    the user is logged in, on their desk."""
    values = {"email": email}
    problems = check_new_password(password, repeated)
    if problems:
        errors = {"password": [say(request, problem) for problem in problems]}
        return render(
            request,
            "console/set_password.html",
            status_code=UNPROCESSABLE,
            values=values,
            errors=errors,
        )
    command = RedeemStaffPasswordCode(email, code, password, client_address(request))
    result = sessions.redeem_staff_password_code(
        command, principal=None, uow=uow, policy=request.app.state.session_policy, now=now
    )
    if isinstance(result, Refused):
        refused = render(
            request,
            "console/set_password.html",
            status_code=TOO_MANY if result.throttled else UNPROCESSABLE,
            values=values,
            errors={"code": [say(request, result.reason)]},
        )
        if result.throttled:
            refused.headers["Retry-After"] = str(result.retry_after)
        return refused
    earlier = request.cookies.get(SESSION_COOKIE)
    if earlier:  # whoever was logged in on this browser is logged out
        sessions.log_out(LogOut(earlier), principal=None, uow=uow, now=now)
    response = RedirectResponse("/staff", status_code=303)
    set_session_cookie(request, response, result)
    return response
