"""Consents and shares: when they are active, and the learner's choices of end date and note."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from creditbank.consents.model import (
    Consent,
    Scope,
    Share,
    Status,
    check_expiry,
    check_label,
    end_of_day,
)

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def consent(expires: datetime | None = None, withdrawn: datetime | None = None) -> Consent:
    return Consent(1, "JSVC", "江苏某学院", Scope.READ_OUTCOMES, T0, expires, withdrawn)


def test_a_consent_is_active_until_withdrawn_or_expired() -> None:
    assert consent().status(T0 + timedelta(days=3650)) is Status.ACTIVE
    assert consent(expires=T0 + timedelta(days=1)).status(T0 + timedelta(days=1)) is Status.EXPIRED
    withdrawn = consent(expires=T0 + timedelta(days=1), withdrawn=T0 + timedelta(hours=1))
    assert withdrawn.is_active(T0)
    assert withdrawn.status(T0 + timedelta(hours=1)) is Status.WITHDRAWN
    assert withdrawn.status(T0 + timedelta(days=2)) is Status.WITHDRAWN
    naive = consent(expires=(T0 + timedelta(days=1)).replace(tzinfo=None))
    assert naive.is_active(T0)


def test_a_share_is_active_until_revoked_or_expired() -> None:
    share = Share("s", "", 2, T0, None, T0 + timedelta(minutes=5), 0, None)
    assert share.is_active(T0)
    assert share.status(T0 + timedelta(minutes=5)) is Status.REVOKED


def test_end_dates_end_with_the_bank_s_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert end_of_day(date(2026, 12, 31), shanghai) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    today = date(2026, 11, 22)
    assert check_expiry(None, today) == []
    assert check_expiry(today, today) == []
    assert [m.template for m in check_expiry(date(2026, 11, 21), today)] == [
        "the end date {date} has passed"
    ]
    assert check_expiry(date(2037, 1, 1), today)
    assert check_expiry(date(2036, 12, 31), today) == []


def test_notes_are_short() -> None:
    assert check_label("x" * 100) == []
    assert check_label("x" * 101)
