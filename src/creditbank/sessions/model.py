"""Logging in to the web pages: session lifetimes, the login throttle, secrets. A pure core.

A web session is a random secret in a cookie; the bank keeps only its SHA-256
digest. A session ends when it is unused for :attr:`SessionPolicy.idle`, when
:attr:`SessionPolicy.lifetime` has passed since login (however busy it is), or
at logout. Standard library only.

The login throttle slows guessing down without letting anybody lock an owner out. Failed
logins (kept under digests, never the login name or the address) count in three ways
(:class:`ThrottleKeys`), each within :attr:`SessionPolicy.failure_window`:

- per account *and* client address: after :attr:`SessionPolicy.max_failures` failures, that
  address must wait before trying that account again, :attr:`SessionPolicy.first_delay`
  at first, twice as long after each further failure (at most the window). Failures from
  other addresses never count here, so an attacker's guesses do not stop the owner.
- per client address, over all accounts: after :attr:`SessionPolicy.address_max_failures`,
  the same growing waits for every login from that address (one client trying many
  accounts). IPv6 addresses count per /64 network (what one subscriber is given).
- per account, from everywhere: after the much higher
  :attr:`SessionPolicy.account_max_failures` (many addresses guessing one password),
  growing waits of at most :attr:`SessionPolicy.account_max_delay`: a delay, never a lockout.

A wait runs from the latest failure it counts; a refused (waiting) attempt checks no
password and counts no failure.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOUCH_INTERVAL = timedelta(minutes=1)
"""A session's last use is written at most this often (not on every request)."""
ACTIVATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
ACTIVATION_GROUPS = 4
ACTIVATION_GROUP_LENGTH = 4


class SessionError(DomainError):
    """A login, password or activation request that cannot be accepted."""


class PrincipalKind(StrEnum):
    """Who a web session belongs to."""

    STAFF = "staff"
    LEARNER = "learner"


MAX_DOUBLINGS = 30
IPV6_SUBSCRIBER_PREFIX = 64


@dataclass(frozen=True, slots=True)
class Limit:
    """``failures`` tolerated within the window; then a wait from the latest failure:
    ``first_delay``, doubled for each further failure, at most ``max_delay``."""

    failures: int
    first_delay: timedelta
    max_delay: timedelta

    def wait(self, failures: int, latest: datetime | None, now: datetime) -> timedelta:
        """How long from ``now`` the next attempt must wait (zero: it may go ahead)."""
        if failures < self.failures or latest is None:
            return timedelta(0)
        doublings = min(failures - self.failures, MAX_DOUBLINGS)
        delay: timedelta = min(self.first_delay * (1 << doublings), self.max_delay)
        return max(as_utc(latest) + delay - as_utc(now), timedelta(0))


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """The digests one login attempt's failures are counted under (see the module's doc)."""

    pair: str
    address: str
    account: str

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.pair, self.address, self.account)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long sessions live, and how failed logins slow further attempts down."""

    idle: timedelta
    lifetime: timedelta
    max_failures: int
    failure_window: timedelta
    address_max_failures: int = 20
    account_max_failures: int = 100
    first_delay: timedelta = timedelta(minutes=1)
    account_max_delay: timedelta = timedelta(minutes=1)

    def expires_at(self, created_at: datetime) -> datetime:
        """When a session created at ``created_at`` ends at the latest."""
        return created_at + self.lifetime

    def is_live(
        self,
        *,
        created_at: datetime,
        last_seen_at: datetime,
        revoked_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Whether a session is still good at ``now``: not revoked, not idle, not too old."""
        if revoked_at is not None:
            return False
        if as_utc(now) >= self.expires_at(as_utc(created_at)):
            return False
        return as_utc(now) < as_utc(last_seen_at) + self.idle

    def needs_touch(self, last_seen_at: datetime, now: datetime) -> bool:
        """Whether the session's last use should be written now."""
        return as_utc(now) - as_utc(last_seen_at) >= TOUCH_INTERVAL

    def failures_since(self, now: datetime) -> datetime:
        """The start of the window in which failed logins count."""
        return as_utc(now) - self.failure_window

    def throttled(self, recent_failures: int) -> bool:
        """Whether one address must wait before trying one account again after
        ``recent_failures`` failures in the window."""
        return recent_failures >= self.max_failures

    def limits(self, keys: ThrottleKeys) -> dict[str, Limit]:
        """The limit of each key of an attempt."""
        return {
            keys.pair: Limit(self.max_failures, self.first_delay, self.failure_window),
            keys.address: Limit(self.address_max_failures, self.first_delay, self.failure_window),
            keys.account: Limit(
                self.account_max_failures,
                min(self.first_delay, self.account_max_delay),
                self.account_max_delay,
            ),
        }


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def new_secret() -> str:
    """A new session secret or CSRF token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the bank stores of a secret (SHA-256, hex): enough for 256-bit random secrets."""
    return hashlib.sha256(secret.encode()).hexdigest()


def login_key(kind: PrincipalKind | str, login: str) -> str:
    """The key failed logins are counted under: a digest, so no login name is stored."""
    return digest(f"{kind}:{login.strip().casefold()}")


def client_network(address: str) -> str:
    """The address failures are counted under: an IPv4 address, or an IPv6 address's /64
    network (an IPv4-mapped IPv6 address as its IPv4 address); anything else as given."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_SUBSCRIBER_PREFIX), strict=False))
    return str(parsed)


def throttle_keys(kind: PrincipalKind | str, login: str, client: str) -> ThrottleKeys:
    """The keys an attempt to log in as ``login`` from address ``client`` is counted under."""
    account = login_key(kind, login)
    network = client_network(client)
    return ThrottleKeys(
        pair=digest(f"pair:{account}:{network}"),
        address=digest(f"address:{network}"),
        account=digest(f"account:{account}"),
    )


def check_new_password(password: str, repeated: str | None = None) -> list[Message]:
    """Every problem with a new password (and its repetition, when the form asks twice)."""
    problems: list[Message] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            msg("a password needs at least {count} characters", count=MIN_PASSWORD_LENGTH)
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(msg("a password has at most {count} characters", count=MAX_PASSWORD_LENGTH))
    if repeated is not None and repeated != password:
        problems.append(msg("the two passwords differ"))
    return problems


def new_activation_code() -> str:
    """A code a learner types once to choose a password: 80 random bits, XXXX-XXXX-XXXX-XXXX."""
    groups = (
        "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_GROUP_LENGTH))
        for _ in range(ACTIVATION_GROUPS)
    )
    return "-".join(groups)


def normal_activation_code(text: str) -> str:
    """An activation code as typed, in canonical form: upper case, no spaces or dashes,
    and the letters people confuse with digits read as those digits (O -> 0, I and L -> 1)."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def activation_key(account_number: str, code: str) -> str:
    """What the bank stores of an activation code: a digest bound to the account number."""
    return digest(f"{account_number.strip().upper()}:{normal_activation_code(code)}")


STAFF_CODE_MIN_VALIDITY = timedelta(hours=1)
STAFF_CODE_MAX_VALIDITY = timedelta(days=30)


def staff_code_key(email: str, code: str) -> str:
    """What the bank stores of a staff user's password-set code: a digest bound to the user's
    e-mail address (codes look like activation codes and are typed the same way)."""
    return digest(f"staff:{email.strip().lower()}:{normal_activation_code(code)}")
