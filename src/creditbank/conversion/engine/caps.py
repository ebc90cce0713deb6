"""The caps: what each (per source item, per issuer, and those on the plan as a whole, such as
per year and programme) still allows.

Which caps there are, what they count and how their limits are set is
:data:`creditbank.conversion.model.CAP_TYPES`; this module keeps the accounts. Amounts are kept
in tenths of a credit (integers), so cutting electives is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from creditbank.conversion.model import CAP_TYPES, CapKind, CapScope, PriorGrant, Programme

_CAP_ORDER = tuple(cap.kind for cap in CAP_TYPES)
_PLAN_CAPS = tuple(cap for cap in CAP_TYPES if cap.scope is CapScope.PLAN)


def to_tenths(value: Decimal) -> int:
    return int((value * 10).to_integral_value(ROUND_DOWN))


def from_tenths(tenths: int) -> Decimal:
    return Decimal(tenths).scaleb(-1)


@dataclass(slots=True)
class Room:
    """The caps (in tenths; None = no cap) and what is charged to them so far."""

    item_limit: int | None
    issuer_limit: int | None
    plan_limits: dict[CapKind, int]
    """The caps on the plan as a whole that are set (e.g. per year, programme)."""
    items: dict[str, int] = field(default_factory=dict)
    issuers: dict[str, int] = field(default_factory=dict)
    plan: dict[CapKind, int] = field(default_factory=dict)
    """What is charged to each of ``plan_limits``."""

    @classmethod
    def start(cls, programme: Programme, prior: Iterable[PriorGrant], on: date) -> Room:
        limits: dict[CapScope, dict[CapKind, int]] = {scope: {} for scope in CapScope}
        for cap in CAP_TYPES:
            limit = cap.limit(programme.caps, programme.total_credits)
            if limit is not None:
                limits[cap.scope][cap.kind] = to_tenths(limit)
        room = cls(
            _only(limits[CapScope.SOURCE_ITEM]),
            _only(limits[CapScope.ISSUER]),
            limits[CapScope.PLAN],
            plan=dict.fromkeys(limits[CapScope.PLAN], 0),
        )
        for grant in prior:
            amount = to_tenths(grant.credits)
            room.charge(grant.source_item, grant.issuer, amount, plan=False)
            for cap in _PLAN_CAPS:
                if cap.kind in room.plan and cap.counts_prior(grant.requested_on, on):
                    room.plan[cap.kind] += amount
        return room

    def copy(self) -> Room:
        return Room(
            self.item_limit,
            self.issuer_limit,
            self.plan_limits,
            dict(self.items),
            dict(self.issuers),
            dict(self.plan),
        )

    def charge(self, item: str, issuer: str, amount: int, *, plan: bool = True) -> None:
        """Charge ``amount`` (negative to take it back); with ``plan``, to the caps on the plan
        as a whole too (a prior grant is charged to those that count it, by :meth:`start`)."""
        self.items[item.casefold()] = self.items.get(item.casefold(), 0) + amount
        self.issuers[issuer.casefold()] = self.issuers.get(issuer.casefold(), 0) + amount
        if plan:
            for kind in self.plan:
                self.plan[kind] += amount

    def item_left(self, item: str) -> int | None:
        """What the per-source-item cap still allows ``item`` (None: no cap)."""
        return _left(self.item_limit, self.items.get(item.casefold(), 0))

    def issuer_left(self, issuer: str) -> int | None:
        """What the per-issuer cap still allows ``issuer`` (None: no cap)."""
        return _left(self.issuer_limit, self.issuers.get(issuer.casefold(), 0))

    def whole(self) -> dict[CapKind, int]:
        """What the caps on the plan as a whole (those set) leave to it."""
        return {kind: max(0, self.plan_limits[kind] - used) for kind, used in self.plan.items()}

    def bucket(self) -> int | None:
        """The least of :meth:`whole` (None: no such cap is set)."""
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


def _only(limits: dict[CapKind, int]) -> int | None:
    """The limit of the one cap on an item or an issuer, if it is set."""
    return next(iter(limits.values()), None)


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(0, limit - used)


def caps_text(caps: Iterable[CapKind]) -> str:
    return ", ".join(cap.value for cap in caps)
