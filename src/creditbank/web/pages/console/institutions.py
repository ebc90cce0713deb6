"""The console's institutions: a list to search (code or name, region), an institution's page,
opening an account, editing its names, region and alliances.

An edit carries the version of the institution it was made on; if another administrator
changed the institution meanwhile, the edit is refused (409) and the page shows the
institution as it is now, to make the change again on that.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import handlers, views
from creditbank.institutions.commands import (
    AddInstitution,
    EditInstitution,
    ListAdminActions,
    ListInstitutions,
    ListUsers,
    ShowInstitution,
)
from creditbank.institutions.model import Institution, InstitutionType
from creditbank.messages import msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow
from creditbank.web.pages.changes import Shown, attempt, refusal, see, status_of, submit
from creditbank.web.pages.console.common import is_forbidden, notice, page, rights
from creditbank.web.pages.forms import FieldErrors
from creditbank.web.sessions import csrf_protect

pages = APIRouter(dependencies=[Depends(csrf_protect)])

HOME = "/console/institutions"
MAX_NAME, MAX_REGION, MAX_ALLIANCES = 200, 64, 400
STAFF_SHOWN, ACTIONS_SHOWN = 100, 20


def alliance_codes(text: str) -> tuple[str, ...]:
    """Alliance codes as typed: separated by commas, spaces or the Chinese comma."""
    return tuple(part for part in re.split(r"[\s,，、;；]+", text.strip()) if part)


def _fields(
    errors: FieldErrors, name: str, name_en: str, region: str, alliances: str
) -> dict[str, str]:
    values = {"name": name, "name_en": name_en, "region": region, "alliances": alliances}
    if not name.strip():
        errors.add("name", msg("an institution needs a name"))
    for field, limit in (("name", MAX_NAME), ("name_en", MAX_NAME), ("region", MAX_REGION)):
        if len(values[field]) > limit:
            errors.add(field, msg("write at most {count} characters here", count=limit))
    return values


@pages.get(HOME, response_class=HTMLResponse)
def institution_list(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    q: str = "",
    region: str = "",
    cursor: str | None = None,
) -> Response:
    """Institutions by code: search by code or name, filter by region; a page at a time."""
    may = rights(uow, principal)
    query = ListInstitutions(search=q[:100], region=region[:MAX_REGION], cursor=cursor)
    found = views.list_institutions(query, principal=principal, uow=uow)
    return page(
        request,
        "console/institutions.html",
        principal=principal,
        may=may,
        institutions=found.items,
        next_cursor=found.next_cursor,
        q=q[:100],
        region=region[:MAX_REGION],
    )


def _new_page(
    request: Request, uow: UnitOfWork, principal: Principal, shown: Shown = Shown()
) -> Response:
    may = rights(uow, principal)
    return page(
        request,
        "console/institution_new.html",
        status_code=shown.status_code,
        principal=principal,
        may=may,
        **shown.context(),
    )


@pages.get(f"{HOME}/new", response_class=HTMLResponse)
def new_institution_form(request: Request, uow: Uow, principal: StaffPage) -> Response:
    """The form to open an institution's account (bank administrators)."""
    return _new_page(request, uow, principal)


@pages.post(HOME, response_class=HTMLResponse)
def add_institution(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    code: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    name_en: Annotated[str, Form(max_length=400)] = "",
    kind: Annotated[str, Form(alias="type", max_length=64)] = "",
    region: Annotated[str, Form(max_length=128)] = "",
    alliances: Annotated[str, Form(max_length=MAX_ALLIANCES)] = "",
) -> Response:
    """Open an institution's account; then its page."""
    errors = FieldErrors(request)
    values = {"code": code, "type": kind, **_fields(errors, name, name_en, region, alliances)}
    try:
        chosen = InstitutionType(kind)
    except ValueError:
        errors.add("type", msg("choose the kind of institution"))
        chosen = InstitutionType.UNIVERSITY
    command = AddInstitution(
        code=code,
        name=name,
        type=chosen,
        region=region,
        name_en=name_en,
        alliances=alliance_codes(alliances),
    )
    return submit(
        request,
        lambda writing: handlers.add_institution(command, principal=principal, uow=writing),
        errors=errors,
        values=values,
        then=lambda added: see(f"{HOME}/{added.code}", done="added"),
        again=lambda shown: _new_page(request, uow, principal, shown),
        passed_on=is_forbidden,
    )


def _institution_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    code: str,
    shown: Shown = Shown(),
) -> Response:
    may = rights(uow, principal)
    institution = handlers.show_institution(ShowInstitution(code), principal=principal, uow=uow)
    staff = views.list_users(
        ListUsers(institution=institution.code, limit=STAFF_SHOWN), principal=principal, uow=uow
    )
    actions = views.list_admin_actions(
        ListAdminActions(institution=institution.code, limit=ACTIONS_SHOWN),
        principal=principal,
        uow=uow,
    )
    values = shown.values or _values_of(institution)
    return page(
        request,
        "console/institution.html",
        status_code=shown.status_code,
        principal=principal,
        may=may,
        institution=institution,
        staff=staff.items,
        more_staff=staff.next_cursor is not None,
        actions=actions.items,
        version=values.get("version", institution.version),
        **{**shown.context(), "values": values},
    )


def _values_of(institution: Institution) -> dict[str, object]:
    return {
        "name": institution.name,
        "name_en": institution.name_en,
        "region": institution.region,
        "alliances": ", ".join(institution.alliances),
        "version": institution.version,
    }


@pages.get(HOME + "/{code}", response_class=HTMLResponse)
def institution_page(
    code: str, request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """An institution: its names, kind, region and alliances, its staff, the administrators'
    latest actions on it; the edit form (bank administrators)."""
    return _institution_page(request, uow, principal, code, Shown(notice=notice(request, done)))


@pages.post(HOME + "/{code}", response_class=HTMLResponse)
def edit_institution(
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    version: Annotated[int, Form(ge=1)],
    name: Annotated[str, Form(max_length=400)] = "",
    name_en: Annotated[str, Form(max_length=400)] = "",
    region: Annotated[str, Form(max_length=128)] = "",
    alliances: Annotated[str, Form(max_length=MAX_ALLIANCES)] = "",
) -> Response:
    """Change an institution's names, region and alliances; refused (409) if it changed since
    the form was shown, and then shown as it is now."""
    errors = FieldErrors(request)
    values: dict[str, object] = {
        **_fields(errors, name, name_en, region, alliances),
        "version": version,
    }
    command = EditInstitution(
        code=code,
        version=version,
        name=name,
        name_en=name_en,
        region=region,
        alliances=alliance_codes(alliances),
    )
    if errors:
        return _institution_page(request, uow, principal, code, Shown(422, (), values, errors))
    done = attempt(
        request,
        lambda writing: handlers.edit_institution(command, principal=principal, uow=writing),
        passed_on=is_forbidden,
    )
    if not isinstance(done, DomainError):
        return see(f"{HOME}/{done.code}", done="edited")
    if done.code == "institution_changed":  # show what it is now, to change that
        return _institution_page(
            request, uow, principal, code, Shown(status_of(done), refusal(request, done))
        )
    shown = Shown(status_of(done), refusal(request, done), values, errors)
    return _institution_page(request, uow, principal, code, shown)
