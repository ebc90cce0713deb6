"""What the demo's builders share: its error, the codes of the round-4 X certificates and
their levels."""

from __future__ import annotations

from creditbank.errors import DomainError

X_CERTIFICATE_ROUND = 4
X_LEVELS = ("beginner", "intermediate", "advanced")


class DemoError(DomainError):
    """The demo data cannot be loaded (its data file does not fit the bank)."""


def x_certificate_code(number: int) -> str:
    """The catalogue code of the round-4 X certificate numbered ``number`` in the round's list."""
    return f"1X-R4-{number:03d}"
