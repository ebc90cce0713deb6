"""Handlers of web sessions and learners' passwords.

Logging in and out and redeeming an activation code come before anybody is known (public:
the principal is None). Giving a learner a password or an activation code is the bank
office's: bank administrators only (the console's operator is one).
"""

from __future__ import annotations

from datetime import datetime

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.sessions import service
from creditbank.sessions.commands import (
    IssueActivationCode,
    IssueStaffPasswordCode,
    LogIn,
    LogOut,
    RedeemActivationCode,
    RedeemStaffPasswordCode,
    SetLearnerPassword,
)
from creditbank.sessions.model import PrincipalKind, SessionPolicy
from creditbank.sessions.service import IssuedCode, IssuedStaffCode, NewSession, Refused
from creditbank.usecases import handler


@handler
def log_in(
    command: LogIn,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    policy: SessionPolicy,
    now: datetime,
) -> NewSession | Refused:
    """A new session, or a refusal that says the same whatever was wrong."""
    del principal
    if command.kind is PrincipalKind.STAFF:
        return service.login_staff(
            uow=uow,
            email=command.login,
            password=command.password,
            policy=policy,
            now=now,
            client=command.client,
        )
    return service.login_learner(
        uow=uow,
        account_number=command.login,
        password=command.password,
        policy=policy,
        now=now,
        client=command.client,
    )


@handler
def log_out(
    command: LogOut,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    now: datetime,
) -> None:
    """The session is revoked; its cookie is worthless from now on."""
    del principal
    service.end_session(uow=uow, secret=command.secret, now=now)


@handler
def redeem_activation_code(
    command: RedeemActivationCode,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    policy: SessionPolicy,
    now: datetime,
) -> NewSession | Refused:
    """The password is set, the code used up and the learner logged in; or a refusal."""
    del principal
    return service.redeem_activation_code(
        uow=uow,
        account_number=command.account_number,
        code=command.code,
        password=command.password,
        policy=policy,
        now=now,
        client=command.client,
    )


@handler
def set_learner_password(
    command: SetLearnerPassword, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> None:
    """Ends the learner's sessions."""
    require(principal, Action.OPEN_ACCOUNT, None)  # the bank office's, for any learner
    service.set_learner_password(
        uow=uow, account_number=command.account_number, password=command.password, now=now
    )


@handler
def issue_activation_code(
    command: IssueActivationCode, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> IssuedCode:
    """Cancels the learner's earlier unused codes."""
    require(principal, Action.OPEN_ACCOUNT, None)  # the bank office's, for any learner
    issued = service.issue_activation_code(
        uow=uow, account_number=command.account_number, valid_for=command.valid_for, now=now
    )
    institutions.record_admin_action(
        uow,
        principal,
        "learner.activation_code",
        target_kind="learner",
        target=issued.account_number,
        at=now,
    )
    return issued


@handler
def issue_staff_password_code(
    command: IssueStaffPasswordCode, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> IssuedStaffCode:
    """Bank administrators give staff a one-time code to set their web password with (shown
    once; the bank keeps a digest); recorded in the administrators' audit."""
    user = institutions.get_user(uow=uow, email=command.email)
    require(principal, Action.MANAGE_STAFF, user.institution)
    issued = service.issue_staff_password_code(
        uow=uow, user=user, valid_for=command.valid_for, now=now
    )
    institutions.record_admin_action(
        uow,
        principal,
        "user.password_code",
        target_kind="user",
        target=user.id,
        institution=user.institution,
        detail=user.role.value,
        at=now,
    )
    return issued


@handler
def redeem_staff_password_code(
    command: RedeemStaffPasswordCode,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    policy: SessionPolicy,
    now: datetime,
) -> NewSession | Refused:
    """The password is set, the code used up, the user's other sessions ended and the user
    logged in; or a refusal that says the same whatever was wrong."""
    del principal
    return service.redeem_staff_password_code(
        uow=uow,
        email=command.email,
        code=command.code,
        password=command.password,
        policy=policy,
        now=now,
        client=command.client,
    )
