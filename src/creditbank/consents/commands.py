"""The use cases of a learner's consents and share links, one frozen dataclass each.

Only the learner acts here: the handlers take the logged-in learner as their principal and
touch that learner's consents and shares only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class GrantConsent:
    """Let ``institution``'s staff read the learner's whole record (until the end of ``until``,
    or until withdrawn)."""

    institution: str
    until: date | None = None


@dataclass(frozen=True, slots=True)
class WithdrawConsent:
    """End a consent now."""

    consent_id: int


@dataclass(frozen=True, slots=True)
class ListConsents:
    """Every consent the learner ever granted, newest first."""


@dataclass(frozen=True, slots=True)
class CreateShare:
    """A secret link to some of the learner's outcomes (their public ids)."""

    outcomes: tuple[str, ...]
    label: str = ""
    until: date | None = None


@dataclass(frozen=True, slots=True)
class RevokeShare:
    """Make a share link worthless from now on."""

    share_id: str


@dataclass(frozen=True, slots=True)
class ListShares:
    """Every share link the learner made, newest first."""
