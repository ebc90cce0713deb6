"""HTTP for institutions. Thin: authenticate, build the command, call its handler."""

from __future__ import annotations

from fastapi import APIRouter, status

from creditbank.institutions import handlers
from creditbank.institutions.commands import AddInstitution, ShowInstitution
from creditbank.institutions.schemas import InstitutionCreate, InstitutionRead
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


@api.get(
    "/institutions/{code}", response_model=InstitutionRead, responses=responses(401, 403, 404, 422)
)
def read_institution(code: str, uow: Uow, principal: Authenticated) -> InstitutionRead:
    """An institution's account: its own staff, bank administrators and auditors may read it."""
    query = ShowInstitution(code)
    return InstitutionRead.of(handlers.show_institution(query, principal=principal, uow=uow))
