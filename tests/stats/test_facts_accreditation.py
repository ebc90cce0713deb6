"""The facts of accreditation (figure ``accreditation``): each step of an application tallies
its cells where it happens, once, a refused step tallies nothing, and the rebuild source
(``accreditation.api.accreditation_facts``) yields from the stored rows what was tallied.

One world per backend (tests/accreditation_world.py: a centre CQARC, its standard's unit at
LOFOUC level 4, certified assessors); every test's changes are rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from creditbank import clock
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accreditation import api as accreditation_api
from creditbank.accreditation import assessment, decisions, filing, standards
from creditbank.accreditation.model import AccreditationError, Decision
from creditbank.accreditation.statistics import accreditation_facts, days_to_decision
from creditbank.accreditation.tables import ApplicationRow
from creditbank.bootstrap import wire
from creditbank.db import Database
from creditbank.institutions import api as institutions
from tests import accreditation_world as world
from tests import conftest
from tests.conftest import BACKENDS, _new_database
from tests.stats.facts_cells import (
    added,
    fact_source,
    rebuilt,
    rebuilt_by_the_bank,
    stored,
    this_month,
    totals,
)

FIGURE = "accreditation"
PASS = {"portfolio": Decimal(80), "interview": Decimal(70)}
FAIL = {"portfolio": Decimal(40), "interview": Decimal(30)}


@dataclass(frozen=True)
class Bank:
    database: Database
    cipher: PersonalDataCipher
    users: dict[str, int]
    level: str
    """The unit's level as the figures name it."""


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("accreditation"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    cipher = PersonalDataCipher(os.urandom(32))
    with database.unit_of_work() as uow:
        made = world.build(uow, cipher)
        unit = standards.find_unit(uow=uow, standard=world.STANDARD, unit=world.UNIT)
    level = f"{unit.level.framework}@{unit.level.version}:{unit.level.level.code}"
    with fact_source(accreditation_api.accreditation_facts):
        yield Bank(database, cipher, made.users, level)
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's changes are rolled back (a test without the world needs none)."""
    if "centre" not in request.fixturenames:
        yield
        return
    bank: Bank = request.getfixturevalue("centre")
    with bank.database.pinned():  # type: ignore[attr-defined]
        yield


_serials = iter(range(100, 10_000))


def apply(bank: Bank, *, evidence: bool = True) -> str:
    """A new learner's application to CQARC for the unit, filed by CQRT's registrar."""
    serial = next(_serials)
    with bank.database.unit_of_work() as uow:
        number = world.learner(uow, bank.cipher, serial, consent=True)
        files = [(world.upload(uow, serial), "工作证明")] if evidence else []
        return filing.apply(
            uow=uow,
            account_number=number,
            centre=world.CENTRE,
            standard=world.STANDARD,
            unit=world.UNIT,
            setting="informal",
            statement="在地铁站做了三年站务员。",
            evidence_files=files,
            by=world.REGISTRAR,
            applied_by_institution=world.COLLEGE,
        ).public_id


def assess(
    bank: Bank,
    public_id: str,
    decision: Decision,
    *,
    marks: dict[str, Decimal] = PASS,
    assessor: str = world.ASSESSOR_A,
) -> None:
    """Assign ``assessor``, who marks and decides (the decision waits for confirmation)."""
    today = clock.today()
    with bank.database.unit_of_work() as uow:
        assessment.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=assessor,
            by=world.OFFICER_1,
            by_user_id=bank.users[world.OFFICER_1],
            on=today,
        )
        assessment.record_marks(
            uow=uow,
            public_id=public_id,
            marks=marks,
            comment="",
            by=assessor,
            by_user_id=bank.users[assessor],
            on=today,
        )
    decide(bank, public_id, decision, assessor=assessor)


def decide(bank: Bank, public_id: str, decision: Decision, *, assessor: str) -> None:
    with bank.database.unit_of_work() as uow:
        assessment.decide(
            uow=uow,
            public_id=public_id,
            decision=decision,
            reasons="" if decision is Decision.ACCREDITED else "证据不足",
            by=assessor,
            by_user_id=bank.users[assessor],
            on=clock.today(),
        )


def confirm(bank: Bank, public_id: str, *, agree: bool = True, by: str = world.OFFICER_2) -> None:
    with bank.database.unit_of_work() as uow:
        decisions.confirm(
            uow=uow,
            public_id=public_id,
            agree=agree,
            reason="" if agree else "评分依据不充分",
            by=by,
            by_user_id=bank.users[by],
        )


def appeal(bank: Bank, public_id: str) -> None:
    with bank.database.unit_of_work() as uow:
        filing.appeal(
            uow=uow,
            public_id=public_id,
            reason="评审未考虑单位证明",
            by=world.REGISTRAR,
            by_user_id=None,
        )


def the_rebuild_agrees(centre: Bank) -> None:
    bank = centre
    assert rebuilt(bank.database, accreditation_facts) == stored(bank.database, FIGURE)


def test_filing_tallies_applied_for_the_centre_at_the_units_level(centre: Bank) -> None:
    before = stored(centre.database, FIGURE)
    apply(centre)
    month = this_month()
    assert added(before, stored(centre.database, FIGURE)) == {
        (measure, scope, dim, value, month): (1, Decimal(0))
        for measure in ("applied",)
        for scope in ("", world.CENTRE)
        for dim, value in (("all", ""), ("institution", world.CENTRE), ("level", centre.level))
    }
    assert centre.level.startswith("LOFOUC@")
    assert centre.level.endswith(":4")
    the_rebuild_agrees(centre)


def test_an_accreditation_counts_when_confirmed_and_once(centre: Bank) -> None:
    public_id = apply(centre)
    before = stored(centre.database, FIGURE)
    assess(centre, public_id, Decision.ACCREDITED)
    assert stored(centre.database, FIGURE) == before  # assigning, marking, deciding: nothing yet
    confirm(centre, public_id)
    month = this_month()
    change = added(before, stored(centre.database, FIGURE))
    assert totals(change) == {"accredited": (1, Decimal(0)), "decided": (1, Decimal(0))}
    assert change[("accredited", world.CENTRE, "level", centre.level, month)] == (1, Decimal(0))
    assert change[("decided", "", "institution", world.CENTRE, month)] == (1, Decimal(0))
    the_rebuild_agrees(centre)


def test_a_refusal_its_appeal_and_the_second_decision(centre: Bank) -> None:
    public_id = apply(centre)
    assess(centre, public_id, Decision.NOT_ACCREDITED, marks=FAIL)
    confirm(centre, public_id)
    assert totals(stored(centre.database, FIGURE)) == {
        "applied": (1, Decimal(0)),
        "not_accredited": (1, Decimal(0)),
        "decided": (1, Decimal(0)),
    }
    before = stored(centre.database, FIGURE)
    appeal(centre, public_id)
    month = this_month()
    assert added(before, stored(centre.database, FIGURE)) == {
        ("appealed", scope, dim, value, month): (1, Decimal(0))
        for scope in ("", world.CENTRE)
        for dim, value in (("all", ""), ("institution", world.CENTRE), ("level", centre.level))
    }
    assess(centre, public_id, Decision.ACCREDITED, assessor=world.ASSESSOR_B)
    confirm(centre, public_id)
    assert totals(stored(centre.database, FIGURE)) == {
        "applied": (1, Decimal(0)),
        "not_accredited": (1, Decimal(0)),
        "appealed": (1, Decimal(0)),
        "accredited": (1, Decimal(0)),
        "decided": (2, Decimal(0)),
    }
    the_rebuild_agrees(centre)


def test_a_returned_decision_and_a_request_for_evidence_decide_nothing(centre: Bank) -> None:
    public_id = apply(centre)
    assess(centre, public_id, Decision.ACCREDITED)
    before = stored(centre.database, FIGURE)
    confirm(centre, public_id, agree=False)  # back to the assessor
    decide(centre, public_id, Decision.MORE_EVIDENCE, assessor=world.ASSESSOR_A)
    confirm(centre, public_id)  # the learner is asked for more evidence
    assert stored(centre.database, FIGURE) == before
    the_rebuild_agrees(centre)


def test_refused_steps_tally_nothing(centre: Bank) -> None:
    before = stored(centre.database, FIGURE)
    with pytest.raises(AccreditationError) as caught:
        apply(centre, evidence=False)
    assert caught.value.code == "invalid_application"
    assert stored(centre.database, FIGURE) == before
    public_id = apply(centre)
    assess(centre, public_id, Decision.ACCREDITED)
    decided = stored(centre.database, FIGURE)
    with pytest.raises(AccreditationError) as caught:  # four eyes
        confirm(centre, public_id, by=world.ASSESSOR_A)
    assert caught.value.code == "assessor_confirms"
    assert stored(centre.database, FIGURE) == decided
    confirm(centre, public_id)
    accredited = stored(centre.database, FIGURE)
    with pytest.raises(AccreditationError) as caught:  # only "not accredited" is appealed
        appeal(centre, public_id)
    assert caught.value.code == "application_status_conflict"
    with pytest.raises(AccreditationError) as caught:  # decided once
        confirm(centre, public_id)
    assert caught.value.code == "application_status_conflict"
    assert stored(centre.database, FIGURE) == accredited
    the_rebuild_agrees(centre)


def test_the_days_to_decision_are_counted_from_the_filing(centre: Bank) -> None:
    public_id = apply(centre)
    filed = datetime.now(UTC) - timedelta(days=10)
    with centre.database.unit_of_work() as uow:  # filed ten days ago (working state, updatable)
        uow.session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.public_id == public_id)
            .values(submitted_at=filed)
        )
    assess(centre, public_id, Decision.NOT_ACCREDITED, marks=FAIL)
    before = stored(centre.database, FIGURE)
    confirm(centre, public_id)
    change = added(before, stored(centre.database, FIGURE))
    assert totals(change) == {"not_accredited": (1, Decimal(0)), "decided": (1, Decimal(10))}
    assert change[("decided", world.CENTRE, "all", "", this_month())] == (1, Decimal(10))


def test_days_are_calendar_days_where_the_bank_keeps_its_books() -> None:
    # 23:30 UTC is 07:30 the next morning in Shanghai
    filed = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    assert days_to_decision(filed, datetime(2026, 1, 2, 15, 0, tzinfo=UTC)) == 0
    assert days_to_decision(filed, datetime(2026, 1, 2, 16, 0, tzinfo=UTC)) == 1
    assert days_to_decision(filed.replace(tzinfo=None), datetime(2026, 1, 12, 1, tzinfo=UTC)) == 10


def test_the_rebuild_source_is_a_fact_source_and_yields_every_step(centre: Bank) -> None:
    from creditbank.stats import api as stats  # noqa: PLC0415 - the list the fixture filled

    assert accreditation_api.accreditation_facts in stats.FACT_SOURCES
    accredited, refused, returned = apply(centre), apply(centre), apply(centre)
    apply(centre)  # filed only
    assess(centre, accredited, Decision.ACCREDITED)
    confirm(centre, accredited)
    assess(centre, refused, Decision.NOT_ACCREDITED, marks=FAIL)
    confirm(centre, refused)
    appeal(centre, refused)
    assess(centre, returned, Decision.ACCREDITED)
    confirm(centre, returned, agree=False)
    assert totals(rebuilt(centre.database, accreditation_facts)) == {
        "applied": (4, Decimal(0)),
        "accredited": (1, Decimal(0)),
        "not_accredited": (1, Decimal(0)),
        "appealed": (1, Decimal(0)),
        "decided": (2, Decimal(0)),
    }
    the_rebuild_agrees(centre)
    with centre.database.unit_of_work() as uow:
        admin = institutions.principal_for(uow=uow, email=world.ADMIN)
    tallied = stored(centre.database, FIGURE)
    assert rebuilt_by_the_bank(centre.database, FIGURE, admin) == tallied
