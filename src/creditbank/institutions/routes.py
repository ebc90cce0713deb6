"""HTTP for institutions. Thin: authenticate, build the command, call its handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from creditbank.institutions import handlers, views
from creditbank.institutions.commands import (
    MAX_PAGE,
    PAGE_SIZE,
    AddInstitution,
    ListInstitutions,
    ListUsers,
    ShowInstitution,
)
from creditbank.institutions.model import Role
from creditbank.institutions.schemas import (
    InstitutionCreate,
    InstitutionListRead,
    InstitutionRead,
    StaffUserRead,
    UserListRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["institutions"])


@api.post(
    "/institutions",
    status_code=status.HTTP_201_CREATED,
    response_model=InstitutionRead,
    responses=responses(401, 403, 409, 422),
)
def create_institution(
    body: InstitutionCreate, uow: Uow, principal: Authenticated
) -> InstitutionRead:
    """Open an institutional account (bank administrators only)."""
    command = AddInstitution(
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        type=body.type,
        region=body.region,
        alliances=tuple(body.alliances),
    )
    return InstitutionRead.of(handlers.add_institution(command, principal=principal, uow=uow))


@api.get("/institutions", response_model=InstitutionListRead, responses=responses(401, 403, 422))
def list_institutions(
    uow: Uow,
    principal: Authenticated,
    q: Annotated[str, Query(max_length=100, description="Part of a code or name.")] = "",
    region: Annotated[str, Query(max_length=64, description="Region, e.g. CN-SH.")] = "",
    cursor: Annotated[
        str | None, Query(max_length=200, description="From the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE_SIZE,
) -> InstitutionListRead:
    """Institutions by code, a page at a time (bank administrators and auditors): those whose
    code or names contain ``q`` (any case), in ``region``."""
    query = ListInstitutions(search=q, region=region, cursor=cursor, limit=limit)
    page = views.list_institutions(query, principal=principal, uow=uow)
    return InstitutionListRead(
        institutions=[InstitutionRead.of(found) for found in page.items],
        next_cursor=page.next_cursor,
    )


@api.get("/users", response_model=UserListRead, responses=responses(401, 403, 422))
def list_users(
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[
        str | None, Query(max_length=32, description="Institution code.")
    ] = None,
    role: Annotated[Role | None, Query()] = None,
    enabled: Annotated[bool | None, Query(description="Only enabled (or disabled) users.")] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="From the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE_SIZE,
) -> UserListRead:
    """Staff users by id, a page at a time (bank administrators and auditors); never passwords."""
    query = ListUsers(
        institution=institution, role=role, enabled=enabled, cursor=cursor, limit=limit
    )
    page = views.list_users(query, principal=principal, uow=uow)
    return UserListRead(
        users=[StaffUserRead.of(user) for user in page.items], next_cursor=page.next_cursor
    )


@api.get(
    "/institutions/{code}", response_model=InstitutionRead, responses=responses(401, 403, 404, 422)
)
def read_institution(code: str, uow: Uow, principal: Authenticated) -> InstitutionRead:
    """An institution's account: its own staff, bank administrators and auditors may read it."""
    query = ShowInstitution(code)
    return InstitutionRead.of(handlers.show_institution(query, principal=principal, uow=uow))
