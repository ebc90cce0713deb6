"""The login throttle on both databases: it slows guessing down and never locks an owner out.

The service is called with explicit client addresses (the served pages see only 127.0.0.1 in
tests; tests/api/test_web_security.py drives the pages from several addresses through a
trusted proxy's X-Forwarded-For).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.sessions import service
from creditbank.sessions.model import SessionPolicy, client_network, throttle_keys
from creditbank.sessions.tables import LoginFailureRow
from creditbank.settings import Settings
from creditbank.web.sessions import session_policy
from tests.bulk_files import id_number

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
OWNER = "owner@jsvc.example"
OWNER_ADDRESS = "198.51.100.7"
ATTACKER = "203.0.113.9"
POLICY = session_policy(Settings(_env_file=None))


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        institutions.add_user(
            uow=uow, email=OWNER, role=Role.REGISTRAR, institution="JSVC", password=PASSWORD
        )
    return database


def attempt(
    database: Database,
    password: str,
    client: str,
    now: datetime,
    *,
    email: str = OWNER,
    policy: SessionPolicy = POLICY,
) -> service.NewSession | service.Refused:
    with database.unit_of_work() as uow:
        return service.login_staff(
            uow=uow, email=email, password=password, policy=policy, now=now, client=client
        )


def test_the_defaults_are_the_documented_ones() -> None:
    assert (POLICY.max_failures, POLICY.address_max_failures, POLICY.account_max_failures) == (
        5,
        20,
        100,
    )
    assert POLICY.first_delay == timedelta(minutes=1)
    assert POLICY.failure_window == timedelta(minutes=15)
    assert POLICY.account_max_delay == timedelta(minutes=1)


def test_an_attackers_guesses_never_stop_the_owner(bank: Database) -> None:
    refused_waiting = 0
    for second in range(0, 600, 10):  # a guess every 10 s for 10 minutes, from one address
        answer = attempt(bank, "wrong password!", ATTACKER, T0 + timedelta(seconds=second))
        assert isinstance(answer, service.Refused)
        refused_waiting += answer.throttled
    assert refused_waiting > 0  # the attacker was made to wait ...
    with bank.unit_of_work() as uow:
        counted = uow.session.scalar(select(func.count()).select_from(LoginFailureRow))
    assert counted is not None and counted // 3 <= 10  # ... and had at most 10 real guesses
    # meanwhile the owner, from their own address, logs in at once, at any moment
    for second in (5, 305, 595):
        owner = attempt(bank, PASSWORD, OWNER_ADDRESS, T0 + timedelta(seconds=second))
        assert isinstance(owner, service.NewSession)
    # the attacker's address still waits on this account; the owner's success did not free it
    late = attempt(bank, PASSWORD, ATTACKER, T0 + timedelta(seconds=600))
    assert isinstance(late, service.Refused) and late.throttled


def test_delays_grow_for_one_address_and_one_account(bank: Database) -> None:
    for second in range(5):
        answer = attempt(bank, "wrong password!", ATTACKER, T0 + timedelta(seconds=second))
        assert isinstance(answer, service.Refused) and not answer.throttled
    # five failures: wait 1 minute from the latest one, then 2, then 4
    waits = []
    moment = T0 + timedelta(seconds=4)
    for _ in range(3):
        refused = attempt(bank, "wrong password!", ATTACKER, moment + timedelta(seconds=1))
        assert isinstance(refused, service.Refused) and refused.throttled
        waits.append(refused.retry_after + 1)
        moment += timedelta(seconds=waits[-1])
        guess = attempt(bank, "wrong password!", ATTACKER, moment)
        assert isinstance(guess, service.Refused) and not guess.throttled
    assert waits == [60, 120, 240]
    refused = attempt(bank, PASSWORD, ATTACKER, moment + timedelta(seconds=1))
    assert isinstance(refused, service.Refused)
    assert "8 minutes" in refused.reason.render()  # 479 s, said in minutes
    # the same address may still log in to another account it knows
    with bank.unit_of_work() as uow:
        institutions.add_user(
            uow=uow,
            email="b@jsvc.example",
            role=Role.AUDITOR,
            institution="JSVC",
            password=PASSWORD,
        )
    other = attempt(bank, PASSWORD, ATTACKER, moment, email="b@jsvc.example")
    assert isinstance(other, service.NewSession)


def test_one_address_trying_many_accounts_is_slowed_down(bank: Database) -> None:
    for index in range(POLICY.address_max_failures):  # 20 accounts, one guess each
        answer = attempt(
            bank, "a guess!", ATTACKER, T0 + timedelta(seconds=index), email=f"p{index}@x.example"
        )
        assert isinstance(answer, service.Refused) and not answer.throttled
    latest = T0 + timedelta(seconds=POLICY.address_max_failures - 1)
    # the 21st account: this address waits, whatever account it names, even the owner's
    for email in ("p99@x.example", OWNER):
        refused = attempt(bank, PASSWORD, ATTACKER, latest + timedelta(seconds=10), email=email)
        assert isinstance(refused, service.Refused) and refused.retry_after == 50
    # another address of the same network (IPv4: none) and the owner's are not held up
    assert isinstance(
        attempt(bank, PASSWORD, "203.0.113.10", latest + timedelta(seconds=10)), service.NewSession
    )
    after = attempt(bank, "a guess!", ATTACKER, latest + timedelta(seconds=60), email="q@x.example")
    assert isinstance(after, service.Refused) and not after.throttled
    doubled = attempt(bank, "a guess!", ATTACKER, latest + timedelta(seconds=61), email="r@x.ex")
    assert isinstance(doubled, service.Refused) and doubled.retry_after == 119


def test_ipv6_addresses_count_per_64_network() -> None:
    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:bbbb::9")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("::ffff:192.0.2.1") == "192.0.2.1"
    first = throttle_keys("staff", OWNER, "2001:db8:1:2::1")
    same = throttle_keys("staff", OWNER.upper(), "2001:db8:1:2::ffff")
    assert first == same
    assert throttle_keys("staff", OWNER, "192.0.2.1").account == first.account


def test_many_addresses_guessing_one_account_get_delays_not_a_lockout(bank: Database) -> None:
    policy = SessionPolicy(
        idle=POLICY.idle,
        lifetime=POLICY.lifetime,
        max_failures=5,
        failure_window=timedelta(minutes=15),
        account_max_failures=8,
        first_delay=timedelta(seconds=10),
        account_max_delay=timedelta(seconds=30),
    )
    for index in range(12):  # 12 addresses, one guess each (a botnet)
        attempt(bank, "a guess!", f"192.0.2.{index}", T0 + timedelta(seconds=index), policy=policy)
    # everybody, the owner too, waits on this account, but never more than 30 s
    owner = attempt(bank, PASSWORD, OWNER_ADDRESS, T0 + timedelta(seconds=12), policy=policy)
    assert isinstance(owner, service.Refused) and 0 < owner.retry_after <= 30
    owner = attempt(bank, PASSWORD, OWNER_ADDRESS, T0 + timedelta(seconds=42), policy=policy)
    assert isinstance(owner, service.NewSession)


def test_parallel_guesses_are_each_counted(bank: Database) -> None:
    racers = 10
    barrier = threading.Barrier(racers)
    answers: list[service.NewSession | service.Refused | None] = [None] * racers

    def guess(index: int) -> None:
        barrier.wait()
        answers[index] = attempt(bank, f"wrong guess {index}", ATTACKER, T0)

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(answer, service.Refused) for answer in answers)
    checked = [a for a in answers if isinstance(a, service.Refused) and not a.throttled]
    assert len(checked) == POLICY.max_failures  # 5 passwords checked, 5 refused unchecked
    keys = throttle_keys("staff", OWNER, ATTACKER)
    with bank.unit_of_work() as uow:
        pair = uow.session.scalar(
            select(func.count()).where(LoginFailureRow.login_key == keys.pair)
        )
    assert pair == POLICY.max_failures


def test_activation_codes_are_guessed_no_faster_and_the_owner_still_activates(
    bank: Database,
) -> None:
    with bank.unit_of_work() as uow:
        number = accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number(id_number(77)),
            name="李四",
        ).number
        issued = service.issue_activation_code(
            uow=uow, account_number=number, valid_for=timedelta(days=14), now=T0
        )

    def redeem(code: str, client: str, now: datetime) -> service.NewSession | service.Refused:
        with bank.unit_of_work() as uow:
            return service.redeem_activation_code(
                uow=uow,
                account_number=number,
                code=code,
                password=PASSWORD,
                policy=POLICY,
                now=now,
                client=client,
            )

    answers = [redeem("AAAA-BBBB-CCCC-DDDD", ATTACKER, T0 + timedelta(seconds=s)) for s in range(6)]
    assert [isinstance(a, service.Refused) and a.throttled for a in answers] == [False] * 5 + [True]
    # the learner, at the bank office's address or at home, is not held up
    done = redeem(issued.code, OWNER_ADDRESS, T0 + timedelta(seconds=6))
    assert isinstance(done, service.NewSession)
