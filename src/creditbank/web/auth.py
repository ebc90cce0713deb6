"""Who is acting. The API: ``Authorization: Bearer TOKEN`` -> a staff principal. The pages:
the web session (see :mod:`creditbank.web.sessions`) -> a staff or a learner principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from creditbank.access.policy import AccessError, LearnerPrincipal, Principal
from creditbank.institutions import service as institutions
from creditbank.messages import msg
from creditbank.web.deps import Uow
from creditbank.web.sessions import LoginRequired, current_session


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


def staff_of_session(request: Request) -> Principal:
    """The staff user logged in to the pages; others are sent to log in, learners refused."""
    session = current_session(request)
    if session is None:
        raise LoginRequired
    if not isinstance(session.principal, Principal):
        raise AccessError(
            "forbidden", msg("this page is for the staff of the bank and its institutions")
        )
    return session.principal


def learner_of_session(request: Request) -> LearnerPrincipal:
    """The learner logged in to the pages; others are sent to log in, staff refused."""
    session = current_session(request)
    if session is None:
        raise LoginRequired
    if not isinstance(session.principal, LearnerPrincipal):
        raise AccessError("forbidden", msg("this page is for learners, about their own account"))
    return session.principal


StaffPage = Annotated[Principal, Depends(staff_of_session)]
LearnerPage = Annotated[LearnerPrincipal, Depends(learner_of_session)]
