"""HTTP for institutions. Thin: authenticate, check the policy, call the service."""

from __future__ import annotations

from fastapi import APIRouter, status

from creditbank.access.policy import Action, require
from creditbank.institutions import service
from creditbank.institutions.model import check_institution_code
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
    require(principal, Action.CREATE_INSTITUTION, None)
    institution = service.add_institution(
        uow=uow,
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        type=body.type,
        region=body.region,
        alliances=body.alliances,
    )
    return InstitutionRead.of(institution)


@api.get(
    "/institutions/{code}", response_model=InstitutionRead, responses=responses(401, 403, 404, 422)
)
def read_institution(code: str, uow: Uow, principal: Authenticated) -> InstitutionRead:
    """An institution's account: its own staff, bank administrators and auditors may read it."""
    require(principal, Action.READ_INSTITUTION, check_institution_code(code))
    return InstitutionRead.of(service.get_institution(uow=uow, code=code))
