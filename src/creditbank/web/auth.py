"""Authentication of API requests: ``Authorization: Bearer TOKEN`` -> the acting principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from creditbank.access.policy import AccessError, Principal
from creditbank.institutions import service as institutions
from creditbank.messages import msg
from creditbank.web.deps import Uow


def get_principal(request: Request, uow: Uow) -> Principal:
    """The principal of a valid bearer token, or a 401 problem."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AccessError("unauthenticated", msg("send an API token: Authorization: Bearer TOKEN"))
    principal = institutions.authenticate_token(uow=uow, secret=secret.strip())
    if principal is None:
        raise AccessError("unauthenticated", msg("the API token is unknown or revoked"))
    return principal


Authenticated = Annotated[Principal, Depends(get_principal)]
