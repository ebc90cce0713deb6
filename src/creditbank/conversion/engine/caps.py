"""The caps: what each (per source item, per issuer, per year, programme) still allows.

Amounts are kept in tenths of a credit (integers), so cutting electives is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from creditbank.conversion.model import CapKind, PriorGrant, Programme, academic_year

_CAP_ORDER = (CapKind.PER_SOURCE_ITEM, CapKind.PER_ISSUER, CapKind.PER_YEAR, CapKind.PROGRAMME)


def to_tenths(value: Decimal) -> int:
    return int((value * 10).to_integral_value(ROUND_DOWN))


def from_tenths(tenths: int) -> Decimal:
    return Decimal(tenths).scaleb(-1)


@dataclass(slots=True)
class Room:
    """The caps (in tenths; None = no cap) and what is charged to them so far."""

    item_limit: int | None
    issuer_limit: int | None
    year_limit: int | None
    programme_limit: int | None
    items: dict[str, int] = field(default_factory=dict)
    issuers: dict[str, int] = field(default_factory=dict)
    year: int = 0
    total: int = 0

    @classmethod
    def start(cls, programme: Programme, prior: Iterable[PriorGrant], on: date) -> Room:
        caps = programme.caps
        room = cls(
            _optional_tenths(caps.per_source_item),
            _optional_tenths(caps.per_issuer),
            _optional_tenths(caps.per_year),
            _optional_tenths(caps.programme_limit(programme.total_credits)),
        )
        this_year = academic_year(on)
        for grant in prior:
            amount = to_tenths(grant.credits)
            room.charge(grant.source_item, grant.issuer, amount, year=False)
            if academic_year(grant.requested_on) == this_year:
                room.year += amount
        return room

    def copy(self) -> Room:
        return Room(
            self.item_limit,
            self.issuer_limit,
            self.year_limit,
            self.programme_limit,
            dict(self.items),
            dict(self.issuers),
            self.year,
            self.total,
        )

    def charge(self, item: str, issuer: str, amount: int, *, year: bool = True) -> None:
        """Charge ``amount`` (negative to take it back); plan grants fall in the current year."""
        self.items[item.casefold()] = self.items.get(item.casefold(), 0) + amount
        self.issuers[issuer.casefold()] = self.issuers.get(issuer.casefold(), 0) + amount
        self.total += amount
        if year:
            self.year += amount

    def item_left(self, item: str) -> int | None:
        """What the per-source-item cap still allows ``item`` (None: no cap)."""
        return _left(self.item_limit, self.items.get(item.casefold(), 0))

    def issuer_left(self, issuer: str) -> int | None:
        """What the per-issuer cap still allows ``issuer`` (None: no cap)."""
        return _left(self.issuer_limit, self.issuers.get(issuer.casefold(), 0))

    def whole(self) -> dict[CapKind, int]:
        """What the per-year and programme caps (those set) leave to the plan as a whole."""
        left = {
            CapKind.PER_YEAR: _left(self.year_limit, self.year),
            CapKind.PROGRAMME: _left(self.programme_limit, self.total),
        }
        return {kind: amount for kind, amount in left.items() if amount is not None}

    def bucket(self) -> int | None:
        """The least of :meth:`whole` (None: neither cap is set)."""
        return min(self.whole().values(), default=None)

    def residuals(self, item: str, issuer: str) -> dict[CapKind, int]:
        """What each cap (that is set) still allows a candidate charged to item and issuer."""
        left: dict[CapKind, int | None] = {
            CapKind.PER_SOURCE_ITEM: self.item_left(item),
            CapKind.PER_ISSUER: self.issuer_left(issuer),
            **self.whole(),
        }
        return {kind: amount for kind in _CAP_ORDER if (amount := left.get(kind)) is not None}

    def space(self, item: str, issuer: str) -> int | None:
        """The most a candidate charged to item and issuer may still get (None: no limit)."""
        return min(self.residuals(item, issuer).values(), default=None)

    def blocking(self, item: str, issuer: str, amount: int) -> tuple[CapKind, ...]:
        """The caps that leave less than ``amount`` to a candidate charged to item and issuer."""
        return tuple(k for k, left in self.residuals(item, issuer).items() if left < amount)


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(0, limit - used)


def _optional_tenths(value: Decimal | None) -> int | None:
    return None if value is None else to_tenths(value)


def caps_text(caps: Iterable[CapKind]) -> str:
    return ", ".join(cap.value for cap in caps)
