"""How pages write moments and numbers: times in the bank's time zone, decimals without noise;
and how the API sends moments: with their UTC offset (:data:`UtcDateTime`).

Moments are stored in UTC; a page shows one in the bank's time zone (the setting
``CREDITBANK_TIME_ZONE``, Asia/Shanghai unless set) through one Jinja filter,
``{{ moment | local_time }}`` (:func:`local_time_filter`), which reads the zone from the page's
context (``time_zone``, set by :func:`creditbank.web.deps.render`).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context
from pydantic import AfterValidator

from creditbank.clock import BANK_TIMEZONE

TIME_ZONE = "time_zone"
"""The name of the page context's time zone (a :class:`~zoneinfo.ZoneInfo`)."""


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone named ``name`` (IANA), made once."""
    return ZoneInfo(name)


def local_time(moment: datetime | None, time_zone: tzinfo = BANK_TIMEZONE) -> str:
    """``moment`` as wall-clock time in ``time_zone``, to the minute (``2026-11-22 16:40``);
    a moment without an offset is UTC (SQLite gives them back so)."""
    if moment is None:
        return ""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(time_zone).strftime("%Y-%m-%d %H:%M")


@pass_context
def local_time_filter(context: Context, moment: datetime | None) -> str:
    """The ``local_time`` filter: ``moment`` in the time zone of the page's context."""
    found = context.get(TIME_ZONE)
    return local_time(moment, found if isinstance(found, tzinfo) else BANK_TIMEZONE)


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
