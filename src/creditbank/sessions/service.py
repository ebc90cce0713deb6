"""Use cases of web login: staff and learners log in, sessions are found and ended, learners
get passwords (set by the bank office, or chosen with a one-time activation code).

Given a unit of work; never commit. A refused login is an answer (:class:`Refused`), not an
exception, because the failure it records must be committed with it. Every refusal of a
password says the same thing, after the same argon2 work, whether the account exists or not.

The throttle (:mod:`creditbank.sessions.model`) counts failures in the database, so that
every server process sees them; an attempt takes a lock on its client address and on its
account first (a transaction-scoped advisory lock on PostgreSQL, the write lock on SQLite),
so that parallel attempts are counted one after the other and a burst cannot slip past.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.sessions.model import (
    STAFF_CODE_MAX_VALIDITY,
    STAFF_CODE_MIN_VALIDITY,
    PrincipalKind,
    SessionError,
    SessionPolicy,
    ThrottleKeys,
    activation_key,
    as_utc,
    check_new_password,
    digest,
    new_activation_code,
    new_secret,
    staff_code_key,
    throttle_keys,
)
from creditbank.sessions.tables import (
    ActivationCodeRow,
    LearnerCredentialRow,
    LoginFailureRow,
    StaffPasswordCodeRow,
    WebSessionRow,
)

ACTIVATION = "activation"
STAFF_CODE = "staff-code"
UNKNOWN_CLIENT = "unknown"
"""The client address of attempts that come without one (the CLI, tests)."""
SECONDS_SHOWN_UNDER = 120
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
    """A login (or activation) refused, and why, in words that reveal nothing about the account.
    ``retry_after``: seconds to wait when refused by the throttle (no password was checked)."""

    reason: Message
    retry_after: int = 0

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """An activation code: printed once, stored as a digest."""

    account_number: str
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedStaffCode:
    """A staff user's password-set code: shown once, stored as a digest."""

    email: str
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


def _throttled(wait: timedelta) -> Refused:
    seconds = max(math.ceil(wait.total_seconds()), 1)
    if seconds < SECONDS_SHOWN_UNDER:
        reason = msg("too many failed attempts; try again in {seconds} seconds", seconds=seconds)
    else:
        minutes = math.ceil(seconds / 60)
        reason = msg("too many failed attempts; try again in {minutes} minutes", minutes=minutes)
    return Refused(reason, retry_after=seconds)


def _lock(session: Session, keys: ThrottleKeys) -> None:
    """Make attempts from one address, and attempts on one account, wait for each other until
    the transaction ends, so that each one counts the failures of those before it."""
    if session.get_bind().dialect.name != "postgresql":
        hold_write_lock(session)
        return
    for key in sorted({keys.address, keys.account}):  # one order: no deadlock
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(number)))


def _throttle(
    session: Session, keys: ThrottleKeys, policy: SessionPolicy, now: datetime
) -> Refused | None:
    """Take the attempt's locks; a refusal if it must wait, else None (it may go ahead)."""
    _lock(session, keys)
    counted = session.execute(
        select(LoginFailureRow.login_key, func.count(), func.max(LoginFailureRow.at))
        .where(
            LoginFailureRow.login_key.in_(keys.all),
            LoginFailureRow.at > policy.failures_since(now),
        )
        .group_by(LoginFailureRow.login_key)
    ).all()
    failures: dict[str, tuple[int, datetime]] = {row[0]: (row[1], row[2]) for row in counted}
    waits = [timedelta(0)]
    for key, limit in policy.limits(keys).items():
        count, latest = failures.get(key, (0, None))
        waits.append(limit.wait(count, latest, now))
    wait = max(waits)
    return _throttled(wait) if wait > timedelta(0) else None


def _record_failure(
    session: Session, keys: ThrottleKeys, policy: SessionPolicy, now: datetime
) -> None:
    """Count a failure under each key (and forget this attempt's failures too old to count)."""
    session.execute(
        delete(LoginFailureRow).where(
            LoginFailureRow.login_key.in_(keys.all),
            LoginFailureRow.at <= policy.failures_since(now),
        )
    )
    session.add_all([LoginFailureRow(login_key=key, at=now) for key in keys.all])
    session.flush()


def _forget_failures(session: Session, keys: ThrottleKeys) -> None:
    """After a success: this address's failures on this account no longer count (those of the
    address over all accounts, and of the account from everywhere, still do)."""
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.login_key == keys.pair))


def _learner_row(uow: UnitOfWork, account_number: str) -> accounts.LearnerRef | None:
    return accounts.find_learner(uow=uow, account_number=account_number)


def _existing_learner(uow: UnitOfWork, account_number: str) -> accounts.LearnerRef:
    learner = _learner_row(uow, account_number)
    if learner is None:
        number = accounts.check_account_number(account_number)  # a malformed number says so
        raise accounts.AccountError(
            "account_not_found", msg("there is no account {number}", number=number)
        )
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
    *,
    uow: UnitOfWork,
    email: str,
    password: str,
    policy: SessionPolicy,
    now: datetime,
    client: str = UNKNOWN_CLIENT,
) -> NewSession | Refused:
    """Log a staff user in with their e-mail address and web password, from address
    ``client``."""
    session = uow.session
    keys = throttle_keys(PrincipalKind.STAFF, email, client)
    refused = _throttle(session, keys, policy, now)
    if refused is not None:
        return refused
    principal = institutions.verify_staff_password(uow=uow, email=email, password=password)
    if principal is None:
        _record_failure(session, keys, policy, now)
        return _refusal()
    _forget_failures(session, keys)
    return _start(session, principal, policy, now)


def login_learner(
    *,
    uow: UnitOfWork,
    account_number: str,
    password: str,
    policy: SessionPolicy,
    now: datetime,
    client: str = UNKNOWN_CLIENT,
) -> NewSession | Refused:
    """Log a learner in with their account number and password, from address ``client``."""
    session = uow.session
    keys = throttle_keys(PrincipalKind.LEARNER, account_number, client)
    refused = _throttle(session, keys, policy, now)
    if refused is not None:
        return refused
    learner = _learner_row(uow, account_number)
    credential = session.get(LearnerCredentialRow, learner.id) if learner is not None else None
    stored = credential.password_hash if credential is not None else None
    if learner is None or not _password_matches(stored, password):
        _record_failure(session, keys, policy, now)
        return _refusal()
    if stored is not None and credential is not None and _hasher.check_needs_rehash(stored):
        credential.password_hash = _hasher.hash(password)
    _forget_failures(session, keys)
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
        number = accounts.account_numbers(uow=uow, learner_ids=[row.learner_id]).get(row.learner_id)
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


def end_staff_sessions(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """End every web session of staff user ``user_id`` (when the user is disabled)."""
    uow.session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
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
    learner = _existing_learner(uow, account_number)
    _store_password(uow.session, learner.id, password, now)


def issue_activation_code(
    *, uow: UnitOfWork, account_number: str, valid_for: timedelta, now: datetime
) -> IssuedCode:
    """A one-time code for the learner to choose a password at /activate; it cancels the
    learner's earlier unused codes."""
    session = uow.session
    learner = _existing_learner(uow, account_number)
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
    client: str = UNKNOWN_CLIENT,
) -> NewSession | Refused:
    """Choose a password with an activation code (used once), and log in; the code is
    guessed at no faster than a password (the same throttle, counted apart)."""
    session = uow.session
    problems = check_new_password(password)
    if problems:
        raise SessionError("invalid_password", msg("the password cannot be used"), problems)
    keys = throttle_keys(ACTIVATION, account_number, client)
    refused = _throttle(session, keys, policy, now)
    if refused is not None:
        return refused
    learner = _learner_row(uow, account_number)
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
        _record_failure(session, keys, policy, now)
        return Refused(
            msg("the account number or the activation code is not right, or the code has expired")
        )
    row.used_at = now
    _forget_failures(session, keys)
    _store_password(session, learner.id, password, now)
    return _start(session, LearnerPrincipal(learner.id, learner.account_number), policy, now)


def issue_staff_password_code(
    *, uow: UnitOfWork, user: institutions.User, valid_for: timedelta, now: datetime
) -> IssuedStaffCode:
    """A one-time code for staff user ``user`` to set a web password at /set-password; it
    cancels the user's earlier unused codes. A disabled user gets none (``user_disabled``)."""
    if not STAFF_CODE_MIN_VALIDITY <= valid_for <= STAFF_CODE_MAX_VALIDITY:
        raise SessionError(
            "invalid_code_validity",
            msg(
                "a password-set code is good for between {low} hour and {high} days",
                low=1,
                high=STAFF_CODE_MAX_VALIDITY.days,
            ),
        )
    if not user.enabled:
        raise SessionError(
            "user_disabled", msg("user {email} is disabled; enable them first", email=user.email)
        )
    session = uow.session
    session.execute(
        update(StaffPasswordCodeRow)
        .where(StaffPasswordCodeRow.user_id == user.id, StaffPasswordCodeRow.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_activation_code()
    session.add(
        StaffPasswordCodeRow(
            user_id=user.id,
            digest=staff_code_key(user.email, code),
            created_at=now,
            expires_at=now + valid_for,
            used_at=None,
        )
    )
    session.flush()
    return IssuedStaffCode(user.email, code, now + valid_for)


def redeem_staff_password_code(
    *,
    uow: UnitOfWork,
    email: str,
    code: str,
    password: str,
    policy: SessionPolicy,
    now: datetime,
    client: str = UNKNOWN_CLIENT,
) -> NewSession | Refused:
    """Set a staff user's web password with their code (used once), end their other sessions
    and log them in; the code is guessed at no faster than a password (the same throttle,
    counted apart). A wrong, used or expired code, an unknown or a disabled user: one refusal."""
    session = uow.session
    problems = check_new_password(password)
    if problems:
        raise SessionError("invalid_password", msg("the password cannot be used"), problems)
    keys = throttle_keys(STAFF_CODE, email, client)
    refused = _throttle(session, keys, policy, now)
    if refused is not None:
        return refused
    principal = institutions.principal_or_none(uow=uow, email=email)
    live = (
        institutions.staff_principal(uow=uow, user_id=principal.user_id)
        if principal is not None
        else None
    )
    row = None
    if live is not None:
        row = session.scalar(
            select(StaffPasswordCodeRow).where(
                StaffPasswordCodeRow.digest == staff_code_key(live.email, code),
                StaffPasswordCodeRow.user_id == live.user_id,
                StaffPasswordCodeRow.used_at.is_(None),
                StaffPasswordCodeRow.expires_at > now,
            )
        )
    if live is None or row is None:
        _record_failure(session, keys, policy, now)
        return Refused(msg("the e-mail address or the code is not right, or the code has expired"))
    row.used_at = now
    _forget_failures(session, keys)
    institutions.set_staff_password(uow=uow, user_id=live.user_id, password=password)
    session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == live.user_id, WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return _start(session, live, policy, now)
