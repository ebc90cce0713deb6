"""The statistical facts of credit conversion (issue 19), as the conversion use cases tally them
(``stats.api.tally``, in the unit of work that makes the fact, after it is made), and the rebuild
source that yields the same facts again from the stored rows.

- ``conversion``/``requested``: a conversion requested and stored (a dry run stores nothing and
  counts nothing), at its ``requested_at``;
- ``conversion``/``confirmed``: a conversion confirmed, at the confirmation; amount: the credits it
  transferred (its grants');
- ``cohorts``/``converted``: a learner's FIRST confirmed conversion (a later one, toward another
  programme, counts in ``confirmed`` only); dims ``cohort``: the year of the learner's first
  outcome, ``after``: the whole years from that outcome's deposit to the confirmation (``1``,
  ``2``, ``3`` or ``later``; ceiling of days/365, at least 1), days in the bank's time zone.
  "First" is the database's answer under the learner's row lock (:func:`first_confirmation`).

The conversion facts' institution is the programme's; their ``level`` the level of the award the
programme leads to (``<framework>@<version>:<level>``) when the award has one level (otherwise
none is counted).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.clock import BANK_TIMEZONE
from creditbank.conversion.tables import (
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ProgrammeRow,
)
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.stats import api as stats

CONVERSION = "conversion"
COHORTS = "cohorts"
CONFIRMED = "confirmed"  # ConversionEventKind.CONFIRMED's value
LATER_THAN = 3
"""Conversions more whole years than this after the first outcome are counted ``later``."""
BATCH = 10_000
"""Rows a rebuild reads at a time (``yield_per``)."""


def level_key(pinned: frameworks.PinnedLevel) -> str:
    """A framework level as the figures name it: ``<framework>@<version>:<level>``."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


def local_date(at: datetime) -> date:
    """The day ``at`` falls on in the bank's time zone (naive: UTC, as SQLite gives it back)."""
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return moment.astimezone(BANK_TIMEZONE).date()


def years_after(first: datetime, converted: datetime) -> str:
    """The cohort's ``after``: whole years (ceiling of days/365, at least 1) from ``first`` to
    ``converted``, ``"later"`` beyond :data:`LATER_THAN`."""
    days = (local_date(converted) - local_date(first)).days
    years = max(1, math.ceil(days / 365))
    return str(years) if years <= LATER_THAN else "later"


class Programmes:
    """Programmes' institutions (codes) and levels, each read once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._codes = institutions.institution_codes(uow=uow)
        self._found: dict[int, tuple[str, dict[str, str]]] = {}

    def of(self, programme_id: int) -> tuple[str, dict[str, str]]:
        """Programme ``programme_id``'s institution code and dims."""
        if programme_id not in self._found:
            row = self._uow.session.get_one(ProgrammeRow, programme_id)
            item = catalog.items_by_id(uow=self._uow, item_ids=[row.item_id])[row.item_id]
            dims = {"level": level_key(item.levels[0])} if len(item.levels) == 1 else {}
            self._found[programme_id] = (self._codes[row.institution_id], dims)
        return self._found[programme_id]


# --- the incremental path ------------------------------------------------------------------------


def tally_requested(uow: UnitOfWork, conversion: ConversionRow) -> None:
    """Conversion ``conversion`` requested (stored)."""
    institution, dims = Programmes(uow).of(conversion.programme_id)
    stats.tally(
        uow, [stats.Fact(CONVERSION, "requested", conversion.requested_at, institution, dims)]
    )


def first_confirmation(uow: UnitOfWork, learner_id: int) -> bool:
    """Whether a confirmation of a conversion of learner ``learner_id`` now is their first.

    Asked of the database: a learner with a confirmed conversion (committed, or this
    transaction's) has had their first; otherwise the learner is locked (``db.for_update``) and
    asked again, so that of two first confirmations at once (toward two programmes) the second
    waits for the first and sees it. Call it before storing the confirmation."""
    if _has_confirmed(uow, learner_id):
        return False
    accounts.lock_learner(uow=uow, learner_id=learner_id)
    return not _has_confirmed(uow, learner_id)


def _has_confirmed(uow: UnitOfWork, learner_id: int) -> bool:
    found = uow.session.scalar(
        select(ConversionEventRow.id)
        .join(ConversionRow, ConversionRow.id == ConversionEventRow.conversion_id)
        .where(ConversionRow.learner_id == learner_id, ConversionEventRow.kind == CONFIRMED)
        .limit(1)
    )
    return found is not None


def tally_confirmed(
    uow: UnitOfWork, conversion: ConversionRow, *, at: datetime, first: bool
) -> None:
    """Conversion ``conversion`` confirmed at ``at``; with ``first``, its learner's first."""
    institution, dims = Programmes(uow).of(conversion.programme_id)
    granted = uow.session.scalars(
        select(ConversionGrantRow.granted).where(ConversionGrantRow.conversion_id == conversion.id)
    )
    facts = [
        stats.Fact(CONVERSION, CONFIRMED, at, institution, dims, amount=sum(granted, Decimal(0)))
    ]
    if first:
        learner = conversion.learner_id
        began = accounts.first_outcome_times(uow=uow, learner_ids=[learner]).get(learner)
        if began is not None:  # a conversion is built on outcomes: always
            facts.append(stats.Fact(COHORTS, "converted", at, None, converted_dims(began, at)))
    stats.tally(uow, facts)


def converted_dims(began: datetime, converted: datetime) -> dict[str, str]:
    """The dims of a learner's first conversion, confirmed at ``converted``, whose first outcome
    was deposited at ``began``."""
    return {"cohort": str(local_date(began).year), "after": years_after(began, converted)}


# --- the rebuild source -------------------------------------------------------------------------


def conversion_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Rebuild source: every conversion requested and confirmed (by programme and month), and
    each learner's first confirmed conversion (by cohort, years after and month)."""
    programmes = Programmes(uow)
    session = uow.session
    requested: Counter[tuple[int, date]] = Counter()
    for programme_id, at in session.execute(
        select(ConversionRow.programme_id, ConversionRow.requested_at).execution_options(
            yield_per=BATCH
        )
    ):
        requested[programme_id, _month(at)] += 1
    for (programme_id, month), count in requested.items():
        institution, dims = programmes.of(programme_id)
        yield stats.Fact(CONVERSION, "requested", month, institution, dims, count=count)
    yield from _confirmed(uow, programmes)
    yield from _cohorts(uow)


def _month(at: datetime) -> date:
    return local_date(at).replace(day=1)


def _confirmed(uow: UnitOfWork, programmes: Programmes) -> Iterator[stats.Fact]:
    confirmed = (
        select(ConversionRow.id, ConversionRow.programme_id, ConversionEventRow.at)
        .join(ConversionEventRow, ConversionEventRow.conversion_id == ConversionRow.id)
        .where(ConversionEventRow.kind == CONFIRMED)
    )
    counted: Counter[tuple[int, date]] = Counter()
    months: dict[int, tuple[int, date]] = {}
    for conversion_id, programme_id, at in uow.session.execute(
        confirmed.execution_options(yield_per=BATCH)
    ):
        months[conversion_id] = (programme_id, _month(at))
        counted[programme_id, _month(at)] += 1
    transferred: dict[tuple[int, date], Decimal] = {}
    sub = confirmed.subquery()
    for conversion_id, granted in uow.session.execute(
        select(ConversionGrantRow.conversion_id, ConversionGrantRow.granted)
        .join(sub, sub.c.id == ConversionGrantRow.conversion_id)
        .execution_options(yield_per=BATCH)
    ):
        cell = months[conversion_id]
        transferred[cell] = transferred.get(cell, Decimal(0)) + granted
    for (programme_id, month), count in counted.items():
        institution, dims = programmes.of(programme_id)
        amount = transferred.get((programme_id, month), Decimal(0))
        yield stats.Fact(CONVERSION, CONFIRMED, month, institution, dims, count, amount)


def _cohorts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    first = (
        select(func.min(ConversionEventRow.id).label("id"))
        .join(ConversionRow, ConversionRow.id == ConversionEventRow.conversion_id)
        .where(ConversionEventRow.kind == CONFIRMED)
        .group_by(ConversionRow.learner_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(ConversionRow.learner_id, ConversionEventRow.at)
        .join(ConversionEventRow, ConversionEventRow.conversion_id == ConversionRow.id)
        .join(first, first.c.id == ConversionEventRow.id)
        .execution_options(yield_per=BATCH)
    )
    counted: Counter[tuple[str, str, date]] = Counter()
    for chunk in rows.partitions():
        began = accounts.first_outcome_times(uow=uow, learner_ids=[row[0] for row in chunk])
        for learner_id, at in chunk:
            if learner_id in began:
                dims = converted_dims(began[learner_id], at)
                counted[dims["cohort"], dims["after"], _month(at)] += 1
    for (cohort, after, month), count in counted.items():
        dims = {"cohort": cohort, "after": after}
        yield stats.Fact(COHORTS, "converted", month, None, dims, count)
