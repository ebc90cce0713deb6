"""Use cases of web login: staff and learners log in, sessions are found and ended, learners
get passwords (set by the bank office, or chosen with a one-time activation code).

Given a unit of work; never commit. A refused login is an answer (:class:`Refused`), not an
exception, because the failure it records must be committed with it. Every refusal of a
password says the same thing, after the same argon2 work, whether the account exists or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts.model import AccountError, check_account_number
from creditbank.accounts.tables import LearnerRow
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.sessions.model import (
    PrincipalKind,
    SessionError,
    SessionPolicy,
    activation_key,
    as_utc,
    check_new_password,
    digest,
    login_key,
    new_activation_code,
    new_secret,
)
from creditbank.sessions.tables import (
    ActivationCodeRow,
    LearnerCredentialRow,
    LoginFailureRow,
    WebSessionRow,
)

ACTIVATION = "activation"
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A live session: whose it is, and the CSRF token its forms carry."""

    id: int
    kind: PrincipalKind
    principal: Principal | LearnerPrincipal
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just begun. ``secret`` goes into the cookie; the bank keeps its digest only."""

    secret: str
    session: ActiveSession


@dataclass(frozen=True, slots=True)
class Refused:
    """A login (or activation) refused, and why, in words that reveal nothing about the account."""

    reason: Message
    throttled: bool = False


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """An activation code: printed once, stored as a digest."""

    account_number: str
    code: str
    expires_at: datetime


@cache
def _decoy_hash() -> str:
    return _hasher.hash(new_secret())


def _password_matches(stored: str | None, password: str) -> bool:
    """argon2 verification; without a stored hash, the same work against a decoy, then False."""
    try:
        _hasher.verify(stored or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def _refusal() -> Refused:
    return Refused(msg("the account or the password is not right"))


def _throttled(policy: SessionPolicy) -> Refused:
    minutes = int(policy.failure_window.total_seconds() // 60)
    return Refused(
        msg("too many failed attempts; try again in {minutes} minutes", minutes=minutes),
        throttled=True,
    )


def _is_throttled(session: Session, key: str, policy: SessionPolicy, now: datetime) -> bool:
    recent = session.scalar(
        select(func.count())
        .select_from(LoginFailureRow)
        .where(LoginFailureRow.login_key == key, LoginFailureRow.at > policy.failures_since(now))
    )
    return policy.throttled(recent or 0)


def _record_failure(session: Session, key: str, now: datetime) -> None:
    session.add(LoginFailureRow(login_key=key, at=now))
    session.flush()


def _forget_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.login_key == key))


def _learner_row(session: Session, account_number: str) -> LearnerRow | None:
    try:
        number = check_account_number(account_number)
    except AccountError:
        return None
    return session.scalar(select(LearnerRow).where(LearnerRow.account_number == number))


def _existing_learner(session: Session, account_number: str) -> LearnerRow:
    learner = _learner_row(session, account_number)
    if learner is None:
        number = check_account_number(account_number)  # a malformed number says so
        raise AccountError("account_not_found", msg("there is no account {number}", number=number))
    return learner


def _start(
    session: Session,
    principal: Principal | LearnerPrincipal,
    policy: SessionPolicy,
    now: datetime,
) -> NewSession:
    secret = new_secret()
    staff = isinstance(principal, Principal)
    row = WebSessionRow(
        digest=digest(secret),
        kind=(PrincipalKind.STAFF if staff else PrincipalKind.LEARNER).value,
        user_id=principal.user_id if isinstance(principal, Principal) else None,
        learner_id=principal.learner_id if isinstance(principal, LearnerPrincipal) else None,
        csrf_token=new_secret(),
        created_at=now,
        last_seen_at=now,
        expires_at=policy.expires_at(now),
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return NewSession(
        secret,
        ActiveSession(row.id, PrincipalKind(row.kind), principal, row.csrf_token, row.expires_at),
    )


def login_staff(
    *, uow: UnitOfWork, email: str, password: str, policy: SessionPolicy, now: datetime
) -> NewSession | Refused:
    """Log a staff user in with their e-mail address and web password."""
    session = uow.session
    key = login_key(PrincipalKind.STAFF, email)
    if _is_throttled(session, key, policy, now):
        return _throttled(policy)
    principal = institutions.verify_staff_password(uow=uow, email=email, password=password)
    if principal is None:
        _record_failure(session, key, now)
        return _refusal()
    _forget_failures(session, key)
    return _start(session, principal, policy, now)


def login_learner(
    *, uow: UnitOfWork, account_number: str, password: str, policy: SessionPolicy, now: datetime
) -> NewSession | Refused:
    """Log a learner in with their account number and password."""
    session = uow.session
    key = login_key(PrincipalKind.LEARNER, account_number)
    if _is_throttled(session, key, policy, now):
        return _throttled(policy)
    learner = _learner_row(session, account_number)
    credential = session.get(LearnerCredentialRow, learner.id) if learner is not None else None
    stored = credential.password_hash if credential is not None else None
    if learner is None or not _password_matches(stored, password):
        _record_failure(session, key, now)
        return _refusal()
    if stored is not None and credential is not None and _hasher.check_needs_rehash(stored):
        credential.password_hash = _hasher.hash(password)
    _forget_failures(session, key)
    return _start(session, LearnerPrincipal(learner.id, learner.account_number), policy, now)


def resolve_session(
    *, uow: UnitOfWork, secret: str, policy: SessionPolicy, now: datetime
) -> ActiveSession | None:
    """The live session whose cookie holds ``secret``, or None; notes that it was used."""
    session = uow.session
    row = session.scalar(select(WebSessionRow).where(WebSessionRow.digest == digest(secret)))
    if row is None or not policy.is_live(
        created_at=row.created_at, last_seen_at=row.last_seen_at, revoked_at=row.revoked_at, now=now
    ):
        return None
    principal: Principal | LearnerPrincipal | None = None
    if row.user_id is not None:
        principal = institutions.staff_principal(uow=uow, user_id=row.user_id)
    elif row.learner_id is not None:
        number = session.scalar(
            select(LearnerRow.account_number).where(LearnerRow.id == row.learner_id)
        )
        principal = LearnerPrincipal(row.learner_id, number) if number else None
    if principal is None:
        return None
    if policy.needs_touch(row.last_seen_at, now):
        row.last_seen_at = now
    return ActiveSession(
        row.id, PrincipalKind(row.kind), principal, row.csrf_token, as_utc(row.expires_at)
    )


def end_session(*, uow: UnitOfWork, secret: str, now: datetime) -> None:
    """Log out: the session is revoked and its cookie is worthless from now on."""
    uow.session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.digest == digest(secret), WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _end_learner_sessions(session: Session, learner_id: int, now: datetime) -> None:
    session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.learner_id == learner_id, WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _store_password(session: Session, learner_id: int, password: str, now: datetime) -> None:
    problems = check_new_password(password)
    if problems:
        raise SessionError("invalid_password", msg("the password cannot be used"), problems)
    credential = session.get(LearnerCredentialRow, learner_id)
    if credential is None:
        session.add(
            LearnerCredentialRow(
                learner_id=learner_id, password_hash=_hasher.hash(password), set_at=now
            )
        )
    else:
        credential.password_hash = _hasher.hash(password)
        credential.set_at = now
    _end_learner_sessions(session, learner_id, now)
    session.flush()


def set_learner_password(
    *, uow: UnitOfWork, account_number: str, password: str, now: datetime
) -> None:
    """Give a learner a web password (the bank office does, on request); logs them out."""
    learner = _existing_learner(uow.session, account_number)
    _store_password(uow.session, learner.id, password, now)


def issue_activation_code(
    *, uow: UnitOfWork, account_number: str, valid_for: timedelta, now: datetime
) -> IssuedCode:
    """A one-time code for the learner to choose a password at /activate; it cancels the
    learner's earlier unused codes."""
    session = uow.session
    learner = _existing_learner(session, account_number)
    session.execute(
        update(ActivationCodeRow)
        .where(ActivationCodeRow.learner_id == learner.id, ActivationCodeRow.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_activation_code()
    row = ActivationCodeRow(
        learner_id=learner.id,
        digest=activation_key(learner.account_number, code),
        created_at=now,
        expires_at=now + valid_for,
        used_at=None,
    )
    session.add(row)
    session.flush()
    return IssuedCode(learner.account_number, code, now + valid_for)


def redeem_activation_code(
    *,
    uow: UnitOfWork,
    account_number: str,
    code: str,
    password: str,
    policy: SessionPolicy,
    now: datetime,
) -> NewSession | Refused:
    """Choose a password with an activation code (used once), and log in."""
    session = uow.session
    problems = check_new_password(password)
    if problems:
        raise SessionError("invalid_password", msg("the password cannot be used"), problems)
    key = login_key(ACTIVATION, account_number)
    if _is_throttled(session, key, policy, now):
        return _throttled(policy)
    learner = _learner_row(session, account_number)
    row = None
    if learner is not None:
        row = session.scalar(
            select(ActivationCodeRow).where(
                ActivationCodeRow.digest == activation_key(learner.account_number, code),
                ActivationCodeRow.learner_id == learner.id,
                ActivationCodeRow.used_at.is_(None),
                ActivationCodeRow.expires_at > now,
            )
        )
    if learner is None or row is None:
        _record_failure(session, key, now)
        return Refused(
            msg("the account number or the activation code is not right, or the code has expired")
        )
    row.used_at = now
    _forget_failures(session, key)
    _store_password(session, learner.id, password, now)
    return _start(session, LearnerPrincipal(learner.id, learner.account_number), policy, now)
