"""HTTP for learners' accounts. Thin: authenticate, check the policy, call the service."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from creditbank.access.policy import Action, require
from creditbank.accounts import service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.accounts.schemas import AccountOpenedRead, LearnerCreate
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["accounts"])


def cipher_of(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


@api.post(
    "/learners",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountOpenedRead,
    responses={
        200: {"model": AccountOpenedRead, "description": "The learner had an account already."},
        **responses(401, 403, 404, 422),
    },
)
def open_account(
    body: LearnerCreate, request: Request, response: Response, uow: Uow, principal: Authenticated
) -> AccountOpenedRead:
    """Open a learner's personal learning account (or find the one they have): 201 or 200."""
    require(principal, Action.OPEN_ACCOUNT, principal.institution)
    opened = service.open_account(
        uow=uow,
        cipher=cipher_of(request),
        id_number=parse_id_number(body.id_number, body.id_type),
        name=body.name,
        contact=body.contact,
        opened_by=principal.institution,
    )
    if not opened.created:
        response.status_code = status.HTTP_200_OK
    return AccountOpenedRead(account_number=opened.number, created=opened.created)
