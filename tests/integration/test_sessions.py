"""Web login on real databases: sessions, their expiry, the throttle, learners' passwords."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import AccountError, parse_id_number
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.sessions import service
from creditbank.sessions.model import PrincipalKind, SessionError, SessionPolicy
from creditbank.sessions.tables import (
    ActivationCodeRow,
    LearnerCredentialRow,
    LoginFailureRow,
    WebSessionRow,
)
from tests.bulk_files import id_number

POLICY = SessionPolicy(
    idle=timedelta(minutes=30),
    lifetime=timedelta(hours=12),
    max_failures=3,
    failure_window=timedelta(minutes=15),
)
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
EMAIL = "reg@jsvc.example"


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        institutions.add_user(
            uow=uow, email=EMAIL, role=Role.REGISTRAR, institution="JSVC", password=PASSWORD
        )
        institutions.add_user(uow=uow, email="token-only@jsvc.example", role=Role.AUDITOR)
    return database


@pytest.fixture
def account(bank: Database) -> str:
    with bank.unit_of_work() as uow:
        return accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number(id_number(7)),
            name="李四",
        ).number


def staff_login(
    database: Database, password: str = PASSWORD, now: datetime = T0, email: str = EMAIL
) -> service.NewSession | service.Refused:
    with database.unit_of_work() as uow:
        return service.login_staff(uow=uow, email=email, password=password, policy=POLICY, now=now)


def resolve(database: Database, secret: str, now: datetime) -> service.ActiveSession | None:
    with database.unit_of_work() as uow:
        return service.resolve_session(uow=uow, secret=secret, policy=POLICY, now=now)


def test_staff_log_in_and_the_session_is_stored_as_a_digest(bank: Database) -> None:
    new = staff_login(bank, email=" Reg@JSVC.example ")
    assert isinstance(new, service.NewSession)
    principal = new.session.principal
    assert isinstance(principal, Principal)
    assert (principal.email, principal.role, principal.institution) == (
        EMAIL,
        Role.REGISTRAR,
        "JSVC",
    )
    assert new.session.kind is PrincipalKind.STAFF
    assert new.session.expires_at == T0 + timedelta(hours=12)
    with bank.unit_of_work() as uow:
        stored = uow.session.scalars(select(WebSessionRow.digest)).all()
    assert len(stored) == 1 and new.secret not in stored[0] and len(stored[0]) == 64
    found = resolve(bank, new.secret, T0 + timedelta(minutes=5))
    assert found is not None and found.principal == principal
    assert found.csrf_token == new.session.csrf_token != new.secret


def test_sessions_end_when_idle_at_their_lifetime_and_at_logout(bank: Database) -> None:
    new = staff_login(bank)
    assert isinstance(new, service.NewSession)
    # used every 20 minutes: alive for the whole lifetime, and not a second longer
    moment = T0
    while moment + timedelta(minutes=20) < T0 + timedelta(hours=12):
        moment += timedelta(minutes=20)
        assert resolve(bank, new.secret, moment) is not None, moment
    assert resolve(bank, new.secret, T0 + timedelta(hours=12)) is None
    # unused for 30 minutes: over
    other = staff_login(bank)
    assert isinstance(other, service.NewSession)
    assert resolve(bank, other.secret, T0 + timedelta(minutes=29)) is not None
    assert resolve(bank, other.secret, T0 + timedelta(minutes=59)) is None
    # logged out: over, whatever the time
    third = staff_login(bank)
    assert isinstance(third, service.NewSession)
    with bank.unit_of_work() as uow:
        service.end_session(uow=uow, secret=third.secret, now=T0 + timedelta(minutes=1))
    assert resolve(bank, third.secret, T0 + timedelta(minutes=2)) is None
    assert resolve(bank, "not-a-session", T0) is None


def test_refusals_say_the_same_and_are_throttled(bank: Database) -> None:
    wrong = staff_login(bank, password="wrong password!")
    unknown = staff_login(bank, email="nobody@jsvc.example")
    no_password = staff_login(bank, email="token-only@jsvc.example")
    assert isinstance(wrong, service.Refused) and not wrong.throttled
    assert wrong == unknown == no_password
    # two more failures for the registrar: the third in the window makes this address wait
    # a minute from the latest failure, even with the right password (no password is checked)
    for minute in (1, 2):
        assert isinstance(
            staff_login(bank, "wrong", T0 + timedelta(minutes=minute)), service.Refused
        )
    throttled = staff_login(bank, PASSWORD, T0 + timedelta(minutes=2, seconds=30))
    assert isinstance(throttled, service.Refused) and throttled.throttled
    assert throttled.retry_after == 30 and "30 seconds" in throttled.reason.render()
    assert isinstance(staff_login(bank, PASSWORD, T0 + timedelta(minutes=3)), service.NewSession)
    # a success forgets the failures; nothing stored names the login
    with bank.unit_of_work() as uow:
        keys = uow.session.scalars(select(LoginFailureRow.login_key)).all()
    assert keys and all("jsvc" not in key for key in keys)
    assert isinstance(staff_login(bank, "wrong", T0 + timedelta(minutes=17)), service.Refused)
    assert isinstance(staff_login(bank, PASSWORD, T0 + timedelta(minutes=18)), service.NewSession)


def test_learners_log_in_once_the_bank_office_set_a_password(bank: Database, account: str) -> None:
    with bank.unit_of_work() as uow:
        refused = service.login_learner(
            uow=uow, account_number=account, password=PASSWORD, policy=POLICY, now=T0
        )
    assert isinstance(refused, service.Refused)
    with bank.unit_of_work() as uow:
        service.set_learner_password(uow=uow, account_number=account, password=PASSWORD, now=T0)
        hashed = uow.session.scalar(select(LearnerCredentialRow.password_hash))
    assert hashed is not None and hashed.startswith("$argon2") and PASSWORD not in hashed
    with bank.unit_of_work() as uow:
        new = service.login_learner(
            uow=uow, account_number=account.lower(), password=PASSWORD, policy=POLICY, now=T0
        )
    assert isinstance(new, service.NewSession) and new.session.kind is PrincipalKind.LEARNER
    assert isinstance(new.session.principal, LearnerPrincipal)
    assert new.session.principal.account_number == account
    # a new password logs the learner out everywhere
    with bank.unit_of_work() as uow:
        service.set_learner_password(
            uow=uow, account_number=account, password="another long passphrase", now=T0
        )
    assert resolve(bank, new.secret, T0 + timedelta(minutes=1)) is None
    with bank.unit_of_work() as uow:
        for number in ("CB000000000000", "not a number", account):
            refused = service.login_learner(
                uow=uow, account_number=number, password=PASSWORD, policy=POLICY, now=T0
            )
            assert refused == service.Refused(refused.reason) and not refused.throttled  # type: ignore[union-attr]


def test_bad_passwords_and_accounts_are_refused(bank: Database, account: str) -> None:
    with bank.unit_of_work() as uow, pytest.raises(SessionError) as short:
        service.set_learner_password(uow=uow, account_number=account, password="short", now=T0)
    assert short.value.code == "invalid_password"
    with bank.unit_of_work() as uow, pytest.raises(AccountError) as missing:
        service.set_learner_password(
            uow=uow, account_number="CB000000000000", password=PASSWORD, now=T0
        )
    assert missing.value.code == "account_not_found"


def redeem(
    database: Database, account: str, code: str, now: datetime = T0
) -> service.NewSession | service.Refused:
    with database.unit_of_work() as uow:
        return service.redeem_activation_code(
            uow=uow, account_number=account, code=code, password=PASSWORD, policy=POLICY, now=now
        )


def test_activation_codes_work_once_before_they_expire(bank: Database, account: str) -> None:
    with bank.unit_of_work() as uow:
        first = service.issue_activation_code(
            uow=uow, account_number=account, valid_for=timedelta(days=14), now=T0
        )
        second = service.issue_activation_code(
            uow=uow, account_number=account, valid_for=timedelta(days=14), now=T0
        )
        stored = uow.session.scalars(select(ActivationCodeRow.digest)).all()
    assert second.expires_at == T0 + timedelta(days=14)
    assert all(first.code.replace("-", "") not in digest for digest in stored)
    # a new code cancels the earlier one
    assert isinstance(redeem(bank, account, first.code), service.Refused)
    # typed in lower case with spaces: fine
    new = redeem(bank, account, second.code.lower().replace("-", " "))
    assert isinstance(new, service.NewSession)
    assert isinstance(new.session.principal, LearnerPrincipal)
    assert isinstance(redeem(bank, account, second.code), service.Refused)  # used up
    with bank.unit_of_work() as uow:
        late = service.issue_activation_code(
            uow=uow, account_number=account, valid_for=timedelta(days=1), now=T0
        )
    assert isinstance(redeem(bank, account, late.code, T0 + timedelta(days=2)), service.Refused)
    with bank.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LearnerCredentialRow)) == 1
    # another learner's account number with this learner's code: refused
    assert isinstance(redeem(bank, "CB000000000000", late.code), service.Refused)
