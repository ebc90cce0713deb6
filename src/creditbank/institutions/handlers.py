"""Handlers of institutions, staff and tokens: each checks the policy, then calls the service,
and records what an administrator changed in the audit (:mod:`creditbank.institutions.audit`),
in the same unit of work.

Staff and tokens are made by bank administrators; at the server's console that is the
operator (:data:`creditbank.access.policy.OPERATOR`), so a new bank can be set up before it
has any staff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Final

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork
from creditbank.institutions import service
from creditbank.institutions.audit import record_action
from creditbank.institutions.commands import (
    AddInstitution,
    AddUser,
    CreateToken,
    DisableUser,
    EditInstitution,
    EnableUser,
    RevokeToken,
    ShowInstitution,
)
from creditbank.institutions.model import (
    Institution,
    InstitutionError,
    Role,
    check_institution_code,
    check_staff_institution,
)
from creditbank.institutions.service import IssuedToken, User
from creditbank.messages import msg
from creditbank.usecases import handler

UserDisabledHook = Callable[[UnitOfWork, int, datetime], None]
"""Called in the unit of work that disables a staff user, with the user's id and the time."""
USER_DISABLED_HOOKS: Final = "creditbank.institutions.user_disabled_hooks"
"""Key, in a unit of work's session info, of the :data:`UserDisabledHook` functions to call (the
composition root puts the web sessions' there: a disabled user's sessions end, so that enabling
them again does not bring old sessions back)."""


@handler
def add_institution(
    command: AddInstitution, *, principal: Principal, uow: UnitOfWork
) -> Institution:
    require(principal, Action.CREATE_INSTITUTION, None)
    institution = service.add_institution(
        uow=uow,
        code=command.code,
        name=command.name,
        name_en=command.name_en,
        type=command.type,
        region=command.region,
        alliances=command.alliances,
    )
    record_action(
        uow,
        principal,
        "institution.add",
        target_kind="institution",
        target=institution.code,
        institution=institution.code,
        detail=institution.type.value,
    )
    return institution


@handler
def show_institution(
    query: ShowInstitution, *, principal: Principal, uow: UnitOfWork
) -> Institution:
    require(principal, Action.READ_INSTITUTION, check_institution_code(query.code))
    return service.get_institution(uow=uow, code=query.code)


@handler
def edit_institution(
    command: EditInstitution, *, principal: Principal, uow: UnitOfWork
) -> Institution:
    """Bank administrators edit names, region and alliances; an edit made on an old version
    is refused (``institution_changed``), so of two admins' edits one wins."""
    require(principal, Action.EDIT_INSTITUTION, None)
    institution, changed = service.edit_institution(
        uow=uow,
        code=command.code,
        version=command.version,
        name=command.name,
        name_en=command.name_en,
        region=command.region,
        alliances=command.alliances,
    )
    record_action(
        uow,
        principal,
        "institution.edit",
        target_kind="institution",
        target=institution.code,
        institution=institution.code,
        detail=",".join(changed),
    )
    return institution


@handler
def add_user(command: AddUser, *, principal: Principal, uow: UnitOfWork) -> User:
    require(principal, Action.MANAGE_STAFF, command.institution)
    if command.role is Role.EMPLOYER and command.institution is not None:
        institution = service.get_institution(uow=uow, code=command.institution)
        check_staff_institution(command.role, institution)
    user = service.add_user(
        uow=uow,
        email=command.email,
        role=command.role,
        institution=command.institution,
        password=command.password,
    )
    record_action(
        uow,
        principal,
        "user.add",
        target_kind="user",
        target=user.id,
        institution=user.institution,
        detail=user.role.value,
    )
    return user


def _set_enabled(principal: Principal, uow: UnitOfWork, email: str, *, enabled: bool) -> User:
    require(principal, Action.MANAGE_STAFF, service.user_institution(uow=uow, email=email))
    if not enabled and email.strip().lower() == principal.email:
        raise InstitutionError("invalid_user", msg("you cannot disable yourself"))
    now = datetime.now(UTC)
    if service.set_user_enabled(uow=uow, email=email, enabled=enabled, now=now):
        user = service.get_user(uow=uow, email=email)
        if not enabled:
            hooks: Sequence[UserDisabledHook] = uow.session.info.get(USER_DISABLED_HOOKS, ())
            for hook in hooks:
                hook(uow, user.id, now)
        record_action(
            uow,
            principal,
            "user.enable" if enabled else "user.disable",
            target_kind="user",
            target=user.id,
            institution=user.institution,
            detail=user.role.value,
        )
    return service.get_user(uow=uow, email=email)


@handler
def disable_user(command: DisableUser, *, principal: Principal, uow: UnitOfWork) -> User:
    """The user's password, sessions and tokens stop working (a disabled user stays disabled)."""
    return _set_enabled(principal, uow, command.email, enabled=False)


@handler
def enable_user(command: EnableUser, *, principal: Principal, uow: UnitOfWork) -> User:
    """The user's password and unrevoked tokens work again."""
    return _set_enabled(principal, uow, command.email, enabled=True)


@handler
def create_token(command: CreateToken, *, principal: Principal, uow: UnitOfWork) -> IssuedToken:
    require(principal, Action.MANAGE_STAFF, service.user_institution(uow=uow, email=command.email))
    issued = service.create_token(uow=uow, email=command.email)
    record_action(
        uow,
        principal,
        "token.create",
        target_kind="token",
        target=issued.id,
        institution=issued.user.institution,
        detail=f"user:{issued.user.id}",
    )
    return issued


@handler
def revoke_token(command: RevokeToken, *, principal: Principal, uow: UnitOfWork) -> None:
    institution = service.token_institution(uow=uow, token_id=command.token_id)
    require(principal, Action.MANAGE_STAFF, institution)
    if service.revoke_token(uow=uow, token_id=command.token_id):
        record_action(
            uow,
            principal,
            "token.revoke",
            target_kind="token",
            target=command.token_id,
            institution=institution,
        )
