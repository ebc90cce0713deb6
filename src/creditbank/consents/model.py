"""A learner's say over their record: consents to institutions, shares with verifiers. A pure core.

- A **consent** lets the staff of one institution read the learner's whole record
  (scope ``outcomes:read``), not only what that institution issued. It is granted at a
  moment, may expire, and is withdrawn by a timestamp: never edited otherwise, never
  deleted, so the learner's history of consents stays whole.
- A **share** is a secret link (``/shared/{token}``) to outcomes the learner chose, for a
  verifier such as an employer. It shows those outcomes and the learner's name, nothing
  else; it may expire and the learner may revoke it.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

MAX_LABEL = 100
MAX_YEARS_AHEAD = 10


class ConsentError(DomainError):
    """A consent or share request that cannot be accepted."""


class Scope(StrEnum):
    """What a consent allows. One scope so far: reading the learner's outcomes."""

    READ_OUTCOMES = "outcomes:read"


class Status(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _status(
    ended: datetime | None, ended_as: Status, expires_at: datetime | None, now: datetime
) -> Status:
    if ended is not None and _utc(ended) <= _utc(now):
        return ended_as
    if expires_at is not None and _utc(expires_at) <= _utc(now):
        return Status.EXPIRED
    return Status.ACTIVE


@dataclass(frozen=True, slots=True)
class Consent:
    """A learner's consent to one institution."""

    id: int
    institution: str
    institution_name: str
    scope: Scope
    granted_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None

    def status(self, now: datetime) -> Status:
        return _status(self.withdrawn_at, Status.WITHDRAWN, self.expires_at, now)

    def is_active(self, now: datetime) -> bool:
        return self.status(now) is Status.ACTIVE


@dataclass(frozen=True, slots=True)
class Share:
    """A secret link to some of a learner's outcomes."""

    id: str
    label: str
    outcomes: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    views: int
    last_viewed_at: datetime | None

    def status(self, now: datetime) -> Status:
        return _status(self.revoked_at, Status.REVOKED, self.expires_at, now)

    def is_active(self, now: datetime) -> bool:
        return self.status(now) is Status.ACTIVE


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The moment ``day`` ends where the bank keeps its books (the first moment of the next)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


def check_expiry(until: date | None, today: date) -> list[Message]:
    """Problems with an expiry date chosen by the learner (None: no expiry)."""
    if until is None:
        return []
    if until < today:
        return [msg("the end date {date} has passed", date=until.isoformat())]
    if until.year > today.year + MAX_YEARS_AHEAD:
        return [
            msg(
                "the end date may be at most {years} years ahead; leave it empty for no end",
                years=MAX_YEARS_AHEAD,
            )
        ]
    return []


def check_label(label: str) -> list[Message]:
    if len(label) > MAX_LABEL:
        return [msg("a note has at most {count} characters", count=MAX_LABEL)]
    return []
