"""How pages write moments and numbers: times in the bank's time zone, decimals without noise;
and how the API sends moments: with their UTC offset (:data:`UtcDateTime`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

from creditbank.clock import BANK_TIMEZONE


def local_time(moment: datetime | None) -> str:
    """``moment`` as the bank's wall-clock time, to the minute (``2026-11-22 16:40``)."""
    if moment is None:
        return ""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(BANK_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def as_utc(moment: datetime) -> datetime:
    """``moment`` with its offset: SQLite gives back the bank's UTC moments without one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
"""A moment in an API answer, always sent with its UTC offset (RFC 3339 ``date-time``)."""


def number(value: Decimal | None) -> str:
    """A credit or a score as people write it: 3, 2.5, 88.5 (not 3.0 or 88.50)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
