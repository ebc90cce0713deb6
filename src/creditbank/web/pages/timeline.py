"""A learner's outcomes as a timeline grouped by the level each sits at.

Groups follow each framework's own order, highest level first (the framework's
rank, never the level code: NVQC's level 1 is its highest); frameworks come in
alphabetical order. Within a group the newest outcome comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from creditbank.accounts.model import stands
from creditbank.accounts.outcomes import Outcome
from creditbank.frameworks.api import Level


@dataclass
class LevelGroup:
    """The outcomes at one level of one framework."""

    framework: str
    level: Level
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def credits(self) -> Decimal:
        return standing_credits(self.outcomes)


def by_level(outcomes: Iterable[Outcome]) -> list[LevelGroup]:
    """``outcomes`` grouped by framework level, highest level first, newest outcome first."""
    groups: dict[tuple[str, str, str], LevelGroup] = {}
    for outcome in outcomes:
        level = outcome.level.level
        key = (outcome.level.framework, level.track, level.key)
        groups.setdefault(key, LevelGroup(outcome.level.framework, level)).outcomes.append(outcome)
    for group in groups.values():
        group.outcomes.sort(key=lambda o: (o.assessed_on, o.deposited_at), reverse=True)
    return sorted(
        groups.values(),
        key=lambda g: (g.framework, g.level.track, -g.level.rank, g.level.key),
    )


def standing_credits(outcomes: Iterable[Outcome]) -> Decimal:
    """The credits that stand: revoked and corrected outcomes are shown, not counted."""
    return sum(
        (o.credits for o in outcomes if o.credits is not None and stands(o.status)), Decimal(0)
    )
