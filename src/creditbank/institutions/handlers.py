"""Handlers of institutions, staff and tokens: each checks the policy, then calls the service.

Staff and tokens are made by bank administrators; at the server's console that is the
operator (:data:`creditbank.access.policy.OPERATOR`), so a new bank can be set up before it
has any staff.
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork
from creditbank.institutions import service
from creditbank.institutions.commands import (
    AddInstitution,
    AddUser,
    CreateToken,
    RevokeToken,
    ShowInstitution,
)
from creditbank.institutions.model import Institution, check_institution_code
from creditbank.institutions.service import IssuedToken, User
from creditbank.usecases import handler


@handler
def add_institution(
    command: AddInstitution, *, principal: Principal, uow: UnitOfWork
) -> Institution:
    require(principal, Action.CREATE_INSTITUTION, None)
    return service.add_institution(
        uow=uow,
        code=command.code,
        name=command.name,
        name_en=command.name_en,
        type=command.type,
        region=command.region,
        alliances=command.alliances,
    )


@handler
def show_institution(
    query: ShowInstitution, *, principal: Principal, uow: UnitOfWork
) -> Institution:
    require(principal, Action.READ_INSTITUTION, check_institution_code(query.code))
    return service.get_institution(uow=uow, code=query.code)


@handler
def add_user(command: AddUser, *, principal: Principal, uow: UnitOfWork) -> User:
    require(principal, Action.MANAGE_STAFF, command.institution)
    return service.add_user(
        uow=uow,
        email=command.email,
        role=command.role,
        institution=command.institution,
        password=command.password,
    )


@handler
def create_token(command: CreateToken, *, principal: Principal, uow: UnitOfWork) -> IssuedToken:
    require(principal, Action.MANAGE_STAFF, service.user_institution(uow=uow, email=command.email))
    return service.create_token(uow=uow, email=command.email)


@handler
def revoke_token(command: RevokeToken, *, principal: Principal, uow: UnitOfWork) -> None:
    require(
        principal,
        Action.MANAGE_STAFF,
        service.token_institution(uow=uow, token_id=command.token_id),
    )
    service.revoke_token(uow=uow, token_id=command.token_id)
