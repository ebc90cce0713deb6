"""The statistical facts of the 1+X pilot (figure ``xcerts``), tallied where candidates are
registered and results recorded, and rebuilt from the stored rows.

What each measure counts:

- ``registered``: a candidate registered for an assessment session, in the month
  (Asia/Shanghai) of the registration;
- ``fee_exempt``: of those, the candidates registered exempt from the fee;
- ``assessed``: a registered candidate's result recorded (pass or fail), in the month of the
  session's day (the day they were assessed);
- ``certified``: of those, the candidates who passed (their X certificate deposited).

The institution of every fact is the session's assessment centre (a pilot school the provider
declared an assessment centre for the level): the school where the candidates sit, as
:mod:`creditbank.xcerts.statistics` counts candidates by the centre's province; registrations
name no other school. Dimensions: ``certificate`` (``<provider>:<code>``) and ``level``
(``<framework>@<version>:<level>``) of the session.

A results file is recorded all or nothing in one transaction: its facts are tallied there,
aggregated (one ``assessed`` and one ``certified`` fact for the file). :func:`xcert_facts` is
the rebuild source (``stats.api.FACT_SOURCES``): the registrations one by one and the results
by session, streamed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import Integer, case, func, select

from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.stats import api as stats
from creditbank.xcerts.data import xcert_ref
from creditbank.xcerts.tables import RegistrationRow, ResultRow, SessionRow

FIGURE = "xcerts"
STREAMED = 1000
"""Rows fetched at a time by the rebuild source."""


def level_key(pinned: frameworks.PinnedLevel) -> str:
    """A framework level as the figures name it: ``<framework>@<version>:<level>``."""
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Place = tuple[str, Mapping[str, str]]
"""(the centre's code, the dimensions) of a session."""


class _Places:
    """The centre, certificate and level of sessions, the look-ups read once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._codes = institutions.institution_codes(uow=uow)
        self._certificates: dict[int, str] = {}
        self._levels: dict[int, str] = {}

    def of(self, centre_id: int, item_id: int, level_id: int) -> Place:
        if item_id not in self._certificates:
            items = catalog.items_by_id(uow=self._uow, item_ids=[item_id])
            self._certificates[item_id] = xcert_ref(items[item_id])
        if level_id not in self._levels:
            pinned = frameworks.pinned_levels(uow=self._uow, level_ids=[level_id])
            self._levels[level_id] = level_key(pinned[level_id])
        return self._codes[centre_id], {
            "certificate": self._certificates[item_id],
            "level": self._levels[level_id],
        }

    def load(self) -> None:
        """Read the certificate and level of every session's item and level at once."""
        pairs = list(
            self._uow.session.execute(
                select(SessionRow.item_id, SessionRow.framework_level_id).distinct()
            )
        )
        items = catalog.items_by_id(uow=self._uow, item_ids={item for item, _ in pairs})
        self._certificates.update({item_id: xcert_ref(item) for item_id, item in items.items()})
        pinned = frameworks.pinned_levels(uow=self._uow, level_ids={level for _, level in pairs})
        self._levels.update({level_id: level_key(p) for level_id, p in pinned.items()})


def _fact(measure: str, place: Place, at: datetime | date, count: int) -> stats.Fact:
    institution, dims = place
    return stats.Fact(
        figure=FIGURE,
        measure=measure,
        at=_utc(at) if isinstance(at, datetime) else at,
        institution=institution,
        dims=dims,
        count=count,
    )


def registered_facts(place: Place, at: datetime, *, fee_exempt: bool) -> list[stats.Fact]:
    """A candidate registered at ``at`` (and exempt from the fee, or not)."""
    facts = [_fact("registered", place, at, 1)]
    if fee_exempt:
        facts.append(_fact("fee_exempt", place, at, 1))
    return facts


def results_facts(place: Place, held_on: date, *, assessed: int, passed: int) -> list[stats.Fact]:
    """``assessed`` results of a session held on ``held_on``, ``passed`` of them passing."""
    facts = []
    if assessed:
        facts.append(_fact("assessed", place, held_on, assessed))
    if passed:
        facts.append(_fact("certified", place, held_on, passed))
    return facts


# --- the incremental path: called by the use cases -------------------------------------------


def tally_registered(uow: UnitOfWork, session: SessionRow, registration: RegistrationRow) -> None:
    """``registration`` (just stored) registered a candidate for ``session``."""
    place = _Places(uow).of(session.centre_id, session.item_id, session.framework_level_id)
    stats.tally(
        uow,
        registered_facts(place, registration.registered_at, fee_exempt=registration.fee_exempt),
    )


def tally_results(uow: UnitOfWork, session: SessionRow, *, assessed: int, passed: int) -> None:
    """A results file of ``session`` recorded ``assessed`` results, ``passed`` of them passing."""
    place = _Places(uow).of(session.centre_id, session.item_id, session.framework_level_id)
    stats.tally(uow, results_facts(place, session.held_on, assessed=assessed, passed=passed))


# --- the rebuild source ----------------------------------------------------------------------


def xcert_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Every fact of figure ``xcerts`` the use cases tallied, from the stored rows (streamed):
    each registration, and each session's results counted."""
    places = _Places(uow)
    places.load()
    session = uow.session
    registrations = (
        select(
            SessionRow.centre_id,
            SessionRow.item_id,
            SessionRow.framework_level_id,
            RegistrationRow.registered_at,
            RegistrationRow.fee_exempt,
        )
        .join(SessionRow, SessionRow.id == RegistrationRow.session_id)
        .order_by(RegistrationRow.id)
    )
    for centre_id, item_id, level_id, at, fee_exempt in session.execute(
        registrations.execution_options(yield_per=STREAMED)
    ):
        yield from registered_facts(
            places.of(centre_id, item_id, level_id), at, fee_exempt=fee_exempt
        )
    results = (
        select(
            SessionRow.centre_id,
            SessionRow.item_id,
            SessionRow.framework_level_id,
            SessionRow.held_on,
            func.count(ResultRow.id),
            func.sum(case((ResultRow.passed.is_(True), 1), else_=0), type_=Integer),
        )
        .join(RegistrationRow, RegistrationRow.session_id == SessionRow.id)
        .join(ResultRow, ResultRow.registration_id == RegistrationRow.id)
        .group_by(
            SessionRow.id,
            SessionRow.centre_id,
            SessionRow.item_id,
            SessionRow.framework_level_id,
            SessionRow.held_on,
        )
        .order_by(SessionRow.id)
    )
    for centre_id, item_id, level_id, held_on, assessed, passed in session.execute(
        results.execution_options(yield_per=STREAMED)
    ):
        yield from results_facts(
            places.of(centre_id, item_id, level_id),
            held_on,
            assessed=int(assessed),
            passed=int(passed or 0),
        )
