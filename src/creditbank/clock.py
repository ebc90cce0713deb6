"""The bank's calendar: which day it is where the bank keeps its books (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BANK_TIMEZONE = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in the bank's time zone: what "in force today" means."""
    return datetime.now(BANK_TIMEZONE).date()
