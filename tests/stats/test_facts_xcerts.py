"""The facts of the 1+X pilot (figure ``xcerts``): registering a candidate tallies
``registered`` (and ``fee_exempt``), a results file tallies ``assessed`` and ``certified`` once
for the whole file, all at the session's assessment centre by certificate and level; a refused
registration or file tallies nothing; the rebuild source (``xcerts.api.xcert_facts``) yields from
the stored rows what was tallied, and the cells agree with the 1+X statistics page's counts.

One world per backend (tests/xcerts_world.py: LFZK's BIM certificate, HBVC its assessment
centre); every test's changes are rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest

from creditbank import clock
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
from creditbank.bootstrap import wire
from creditbank.db import Database
from creditbank.institutions import api as institutions
from creditbank.stats import api as stats
from creditbank.stats.model import month_of
from creditbank.xcerts import api as xcerts_api
from creditbank.xcerts import reading, results, sessions, statistics
from creditbank.xcerts.figures import xcert_facts
from creditbank.xcerts.model import XcertError
from tests import conftest
from tests import xcerts_world as world
from tests.conftest import BACKENDS, _new_database
from tests.stats.facts_cells import (
    Cells,
    added,
    fact_source,
    rebuilt,
    rebuilt_by_the_bank,
    stored,
    this_month,
    totals,
)

FIGURE = "xcerts"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Bank:
    database: Database
    cipher: PersonalDataCipher


@pytest.fixture(scope="module", params=BACKENDS)
def pilot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("xcerts"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    cipher = PersonalDataCipher(os.urandom(32))
    with database.unit_of_work() as uow:
        world.build(uow, cipher)
    with fact_source(xcerts_api.xcert_facts):
        yield Bank(database, cipher)
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(pilot: Bank) -> Iterator[None]:
    with pilot.database.pinned():  # type: ignore[attr-defined]
        yield


_serials = count(200)


@dataclass(frozen=True)
class Session:
    id: int
    held_on: date
    level: str
    """The level as the figures name it."""


def schedule(bank: Bank, *, level: str = "beginner", held_on: date | None = None) -> Session:
    held_on = held_on or world.session_day()
    with bank.database.unit_of_work() as uow:
        view = sessions.store_session(
            uow=uow,
            ref=world.BIM,
            centre=world.CENTRE,
            level=level,
            held_on=held_on,
            by=world.CENTRE_REGISTRAR,
            today=clock.today(),
        )
    pinned = view.level
    return Session(view.id, held_on, f"{pinned.framework}@{pinned.version}:{pinned.level.code}")


def candidate(bank: Bank, session: Session, *, fee_exempt: bool = False) -> world.Person:
    """A new learner registered for ``session``."""
    with bank.database.unit_of_work() as uow:
        person = world.learner(uow, bank.cipher, next(_serials))
    register(bank, session, person, fee_exempt=fee_exempt)
    return person


def register(bank: Bank, session: Session, person: world.Person, *, fee_exempt: bool) -> None:
    with bank.database.unit_of_work() as uow:
        sessions.store_candidate(
            uow=uow,
            session_id=session.id,
            account_number=person.account,
            fee_exempt=fee_exempt,
            by=world.CENTRE_REGISTRAR,
        )


def record(bank: Bank, session: Session, marks: list[tuple[world.Person, int, int]]) -> None:
    """A results file (JSON Lines) of (candidate, theory, practice) marks."""
    rows = [
        (
            line,
            {
                "account_number": person.account,
                "name": person.name,
                "theory": str(theory),
                "practice": str(practice),
            },
        )
        for line, (person, theory, practice) in enumerate(marks, start=1)
    ]
    results.store_results(
        database=bank.database,
        cipher=bank.cipher,
        session_id=session.id,
        header=None,
        rows=rows,
        assessor=world.ASSESSOR,
        by=world.PROVIDER_REGISTRAR,
        filename="results.jsonl",
        file_format=FileFormat.JSONL,
        today=clock.today(),
    )


def cells(measure: str, month: int, session: Session, n: int) -> Cells:
    """The cells one fact of ``measure`` at the world's centre adds to."""
    return {
        (measure, scope, dim, value, month): (n, ZERO)
        for scope in ("", world.CENTRE)
        for dim, value in (
            ("all", ""),
            ("institution", world.CENTRE),
            ("certificate", world.BIM),
            ("level", session.level),
        )
    }


def the_rebuild_agrees(bank: Bank) -> None:
    assert rebuilt(bank.database, xcert_facts) == stored(bank.database, FIGURE)


def test_a_registration_tallies_at_the_centre_by_certificate_and_level(pilot: Bank) -> None:
    session = schedule(pilot, level="intermediate")
    before = stored(pilot.database, FIGURE)
    candidate(pilot, session)
    month = this_month()
    assert added(before, stored(pilot.database, FIGURE)) == cells("registered", month, session, 1)
    assert session.level.startswith("1X@")
    assert session.level.endswith(":intermediate")
    before = stored(pilot.database, FIGURE)
    candidate(pilot, session, fee_exempt=True)
    assert added(before, stored(pilot.database, FIGURE)) == {
        **cells("registered", month, session, 1),
        **cells("fee_exempt", month, session, 1),
    }
    the_rebuild_agrees(pilot)


def test_a_results_file_tallies_once_in_the_month_of_the_session(pilot: Bank) -> None:
    held_on = clock.today() - timedelta(days=45)  # a month before this one, or two
    session = schedule(pilot, held_on=held_on)
    people = [candidate(pilot, session) for _ in range(3)]
    before = stored(pilot.database, FIGURE)
    record(pilot, session, [(people[0], 70, 80), (people[1], 90, 65), (people[2], 20, 30)])
    month = month_of(held_on)
    assert month != this_month()
    assert added(before, stored(pilot.database, FIGURE)) == {
        **cells("assessed", month, session, 3),
        **cells("certified", month, session, 2),
    }
    the_rebuild_agrees(pilot)


def test_refused_registrations_and_files_tally_nothing(pilot: Bank) -> None:
    session = schedule(pilot)
    person = candidate(pilot, session)
    stranger = candidate(pilot, schedule(pilot, level="advanced"))
    before = stored(pilot.database, FIGURE)
    with pytest.raises(XcertError) as caught:  # registered once
        register(pilot, session, person, fee_exempt=True)
    assert caught.value.code == "session_conflict"
    with pytest.raises(XcertError) as caught:  # all or nothing: a stranger to the session
        record(pilot, session, [(person, 80, 80), (stranger, 80, 80)])
    assert caught.value.code == "results_rejected"
    assert stored(pilot.database, FIGURE) == before
    record(pilot, session, [(person, 80, 80)])
    recorded = stored(pilot.database, FIGURE)
    with pytest.raises(XcertError) as caught:  # a result is recorded once
        record(pilot, session, [(person, 90, 90)])
    assert caught.value.code == "results_rejected"
    with pytest.raises(XcertError) as caught:  # its candidates closed with the results
        candidate(pilot, session)
    assert caught.value.code == "session_conflict"
    assert stored(pilot.database, FIGURE) == recorded
    the_rebuild_agrees(pilot)


def test_the_cells_count_what_the_1x_statistics_count(pilot: Bank) -> None:
    assert xcerts_api.xcert_facts in stats.FACT_SOURCES
    beginner, advanced = schedule(pilot), schedule(pilot, level="advanced")
    first = [candidate(pilot, beginner, fee_exempt=n == 0) for n in range(4)]
    second = [candidate(pilot, advanced, fee_exempt=True) for _ in range(2)]
    record(pilot, beginner, [(first[0], 90, 90), (first[1], 10, 10), (first[2], 70, 70)])
    record(pilot, advanced, [(second[0], 60, 60)])
    with pilot.database.unit_of_work() as uow:
        figures = statistics.figures(uow=uow)
        levels = {view.id: view.level.level.code for view in reading.sessions(uow)}
    total = figures.total
    assert (total.registered, total.fee_exempt, total.assessed, total.certified) == (6, 3, 4, 3)
    assert totals(stored(pilot.database, FIGURE)) == {
        "registered": (6, ZERO),
        "fee_exempt": (3, ZERO),
        "assessed": (4, ZERO),
        "certified": (3, ZERO),
    }
    assert levels == {beginner.id: "beginner", advanced.id: "advanced"}
    by_level = {
        (measure, value): n
        for (measure, scope, dim, value, _month), (n, _) in stored(pilot.database, FIGURE).items()
        if scope == "" and dim == "level"
    }
    assert by_level[("certified", beginner.level)] == 2
    assert by_level[("certified", advanced.level)] == 1
    assert by_level[("fee_exempt", advanced.level)] == 2
    the_rebuild_agrees(pilot)
    with pilot.database.unit_of_work() as uow:
        admin = institutions.principal_for(uow=uow, email=world.ADMIN)
        table = stats.read_figure(uow, figure=FIGURE, by="certificate", suppress_below=1)
    assert [(row.value, dict(row.counts)) for row in table.rows] == [
        (world.BIM, {"registered": 6, "fee_exempt": 3, "assessed": 4, "certified": 3})
    ]
    tallied = stored(pilot.database, FIGURE)
    assert rebuilt_by_the_bank(pilot.database, FIGURE, admin) == tallied
