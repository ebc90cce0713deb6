"""Session lifetimes, the login throttle, passwords and activation codes: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from creditbank.sessions.model import (
    ACTIVATION_ALPHABET,
    SessionPolicy,
    activation_key,
    as_utc,
    check_new_password,
    digest,
    login_key,
    new_activation_code,
    normal_activation_code,
)

POLICY = SessionPolicy(
    idle=timedelta(minutes=30),
    lifetime=timedelta(hours=12),
    max_failures=5,
    failure_window=timedelta(minutes=15),
)
LOGIN = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def live(last_seen: datetime, now: datetime, revoked: datetime | None = None) -> bool:
    return POLICY.is_live(created_at=LOGIN, last_seen_at=last_seen, revoked_at=revoked, now=now)


def test_a_session_ends_when_idle_too_long() -> None:
    assert live(LOGIN, LOGIN + timedelta(minutes=29))
    assert not live(LOGIN, LOGIN + timedelta(minutes=30))
    busy = LOGIN + timedelta(hours=2)
    assert live(busy, busy + timedelta(minutes=29))


def test_a_session_ends_at_its_lifetime_however_busy() -> None:
    end = LOGIN + timedelta(hours=12)
    assert live(end - timedelta(minutes=1), end - timedelta(seconds=1))
    assert not live(end - timedelta(minutes=1), end)


def test_a_revoked_session_is_over() -> None:
    assert not live(LOGIN, LOGIN + timedelta(minutes=1), revoked=LOGIN)


def test_naive_datetimes_from_sqlite_are_read_as_utc() -> None:
    naive = LOGIN.replace(tzinfo=None)
    assert as_utc(naive) == LOGIN
    assert live(naive, LOGIN + timedelta(minutes=1))


def test_last_use_is_written_at_most_once_a_minute() -> None:
    assert not POLICY.needs_touch(LOGIN, LOGIN + timedelta(seconds=59))
    assert POLICY.needs_touch(LOGIN, LOGIN + timedelta(seconds=60))


def test_throttle_after_the_allowed_failures() -> None:
    assert not POLICY.throttled(4)
    assert POLICY.throttled(5)
    assert POLICY.failures_since(LOGIN) == LOGIN - timedelta(minutes=15)


def test_login_keys_are_digests_that_ignore_case_and_spaces() -> None:
    key = login_key("staff", " Reg@College.example ")
    assert key == login_key("staff", "reg@college.example")
    assert key != login_key("learner", "reg@college.example")
    assert "college" not in key and len(key) == 64
    assert digest("secret") != "secret"


def test_password_rules() -> None:
    assert check_new_password("correct horse battery") == []
    assert [m.template for m in check_new_password("short")] == [
        "a password needs at least {count} characters"
    ]
    assert [m.template for m in check_new_password("correct horse battery", "other")] == [
        "the two passwords differ"
    ]
    assert check_new_password("x" * 2000)


def test_activation_codes_look_alike_and_are_typed_forgivingly() -> None:
    code = new_activation_code()
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4, 4]
    assert set(code.replace("-", "")) <= set(ACTIVATION_ALPHABET)
    typed = " " + code.lower().replace("-", " ") + " "
    assert normal_activation_code(typed) == code.replace("-", "")
    assert normal_activation_code("OIL0-1") == "01101"
    assert activation_key("cb123", code) == activation_key("CB123", typed)
    assert activation_key("CB123", code) != activation_key("CB124", code)


@given(st.text(alphabet=ACTIVATION_ALPHABET, min_size=16, max_size=16))
def test_any_code_survives_being_retyped_with_dashes(code: str) -> None:
    dashed = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert normal_activation_code(dashed.lower()) == code
