"""The statistical facts of accreditation (figure ``accreditation``), tallied where each step
happens and rebuilt from the stored rows.

What each measure counts, in the month (Asia/Shanghai) of its moment:

- ``applied``: an application filed (its ``submitted_at``);
- ``appealed``: a "not accredited" decision appealed (the appeal's event);
- ``accredited`` / ``not_accredited``: a decision of that kind confirmed by the second person,
  so that it takes effect (the confirmation's time), in either round (the first assessment or
  the appeal). A decision returned to its assessor, and a confirmed request for more evidence,
  decide nothing and count nowhere;
- ``decided``: each of those confirmed decisions once more (``decided`` = ``accredited`` +
  ``not_accredited``), its amount the days from the application's filing to the confirmation
  (calendar days in Asia/Shanghai), so that the mean days to a decision is amount / count.

Every fact's institution is the accreditation centre the application went to (its code) and
its ``level`` the unit's framework level, ``<framework>@<version>:<level>``.

:func:`tally_applied`, :func:`tally_appealed` and :func:`tally_decided` are called by the use
cases (``filing``, ``decisions``) in their unit of work, after the step is made;
:func:`accreditation_facts` is the rebuild source (``stats.api.FACT_SOURCES``): it yields from
the stored rows exactly the facts those calls tallied.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.accreditation.model import Decision
from creditbank.accreditation.tables import (
    ApplicationEventRow,
    ApplicationRow,
    ConfirmationRow,
    DecisionRow,
    StandardUnitRow,
)
from creditbank.clock import BANK_TIMEZONE
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.stats import api as stats

FIGURE = "accreditation"
STREAMED = 1000
"""Rows fetched at a time by the rebuild source."""
DECISIONS = (Decision.ACCREDITED, Decision.NOT_ACCREDITED)
"""The decisions that decide an application (a request for more evidence does not)."""
APPEAL_STEP = "appeal"


def level_key(pinned: frameworks.PinnedLevel) -> str:
    """A framework level as the figures name it: ``<framework>@<version>:<level>``."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC time (SQLite gives stored times back without a zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def days_to_decision(submitted_at: datetime, decided_at: datetime) -> int:
    """Calendar days (Asia/Shanghai) from an application's filing to its decision."""
    filed = utc(submitted_at).astimezone(BANK_TIMEZONE).date()
    decided = utc(decided_at).astimezone(BANK_TIMEZONE).date()
    return (decided - filed).days


class _Places:
    """The centre's code and the unit's level of applications, each read once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._codes = institutions.institution_codes(uow=uow)
        self._levels: dict[int, str] = {}

    def load_units(self, unit_ids: list[int] | None = None) -> None:
        """Read the levels of ``unit_ids`` (None: of every unit) at once."""
        query = select(StandardUnitRow.id, StandardUnitRow.framework_level_id)
        if unit_ids is not None:
            query = query.where(StandardUnitRow.id.in_(unit_ids))
        pairs = list(self._uow.session.execute(query))
        pinned = frameworks.pinned_levels(uow=self._uow, level_ids={level for _, level in pairs})
        self._levels.update({unit: level_key(pinned[level]) for unit, level in pairs})

    def of(self, centre_id: int, unit_id: int) -> tuple[str, Mapping[str, str]]:
        """(the centre's code, the dimensions) of an application."""
        if unit_id not in self._levels:
            self.load_units([unit_id])
        return self._codes[centre_id], {"level": self._levels[unit_id]}


def _fact(
    measure: str,
    place: tuple[str, Mapping[str, str]],
    at: datetime,
    amount: Decimal = Decimal(0),
) -> stats.Fact:
    institution, dims = place
    return stats.Fact(
        figure=FIGURE,
        measure=measure,
        at=utc(at),
        institution=institution,
        dims=dims,
        amount=amount,
    )


def decided_facts(
    decision: Decision,
    place: tuple[str, Mapping[str, str]],
    *,
    submitted_at: datetime,
    confirmed_at: datetime,
) -> list[stats.Fact]:
    """The facts of a confirmed decision: none for more evidence; else its kind and
    ``decided`` with the days it took."""
    if decision not in DECISIONS:
        return []
    days = Decimal(days_to_decision(submitted_at, confirmed_at))
    return [
        _fact(decision.value, place, confirmed_at),
        _fact("decided", place, confirmed_at, days),
    ]


# --- the incremental path: called by the use cases -------------------------------------------


def tally_applied(uow: UnitOfWork, row: ApplicationRow) -> None:
    """An application was filed (``row``, just stored)."""
    place = _Places(uow).of(row.centre_id, row.unit_id)
    stats.tally(uow, [_fact("applied", place, row.submitted_at)])


def tally_appealed(uow: UnitOfWork, row: ApplicationRow, *, at: datetime) -> None:
    """The decision on ``row`` was appealed at ``at`` (the appeal's event)."""
    place = _Places(uow).of(row.centre_id, row.unit_id)
    stats.tally(uow, [_fact("appealed", place, at)])


def tally_decided(
    uow: UnitOfWork, row: ApplicationRow, decision: Decision, *, confirmed_at: datetime
) -> None:
    """A decision on ``row`` was confirmed at ``confirmed_at`` and takes effect."""
    if decision not in DECISIONS:
        return
    place = _Places(uow).of(row.centre_id, row.unit_id)
    stats.tally(
        uow,
        decided_facts(decision, place, submitted_at=row.submitted_at, confirmed_at=confirmed_at),
    )


# --- the rebuild source ----------------------------------------------------------------------


def accreditation_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Every fact of figure ``accreditation`` the use cases tallied, from the stored rows
    (streamed): the applications, the appeals' events, the confirmed decisions."""
    places = _Places(uow)
    places.load_units()
    session = uow.session
    filed = select(
        ApplicationRow.centre_id, ApplicationRow.unit_id, ApplicationRow.submitted_at
    ).order_by(ApplicationRow.id)
    for centre_id, unit_id, submitted_at in session.execute(
        filed.execution_options(yield_per=STREAMED)
    ):
        yield _fact("applied", places.of(centre_id, unit_id), submitted_at)
    appeals = (
        select(ApplicationRow.centre_id, ApplicationRow.unit_id, ApplicationEventRow.at)
        .join(ApplicationRow, ApplicationRow.id == ApplicationEventRow.application_id)
        .where(ApplicationEventRow.step == APPEAL_STEP)
        .order_by(ApplicationEventRow.id)
    )
    for centre_id, unit_id, at in session.execute(appeals.execution_options(yield_per=STREAMED)):
        yield _fact("appealed", places.of(centre_id, unit_id), at)
    confirmed = (
        select(
            ApplicationRow.centre_id,
            ApplicationRow.unit_id,
            ApplicationRow.submitted_at,
            DecisionRow.decision,
            ConfirmationRow.at,
        )
        .join(DecisionRow, DecisionRow.application_id == ApplicationRow.id)
        .join(ConfirmationRow, ConfirmationRow.decision_id == DecisionRow.id)
        .where(
            ConfirmationRow.agreed.is_(True),
            DecisionRow.decision.in_([d.value for d in DECISIONS]),
        )
        .order_by(DecisionRow.id)
    )
    for centre_id, unit_id, submitted_at, decision, at in session.execute(
        confirmed.execution_options(yield_per=STREAMED)
    ):
        yield from decided_facts(
            Decision(decision),
            places.of(centre_id, unit_id),
            submitted_at=submitted_at,
            confirmed_at=at,
        )
