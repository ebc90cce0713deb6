"""The facts of credit conversion (figure ``conversion``, ``cohorts``' converted): a stored request
and a confirmation tally their cells for the programme's institution and level, the transferred
credit is counted among the outcomes deposited (and revoked, when the conversion is reversed), a
learner's first confirmed conversion counts in their cohort once (even when two confirmations
race for it), a dry run or a refused step tallies nothing, and the rebuild source
(``conversion.api.conversion_facts``) yields from the stored rows what was tallied.

One world per backend (tests/conversion_world.py: SHVC's diploma, at LOFOUC level 5, converts
BIMTEO's X certificate BIM-X; BIMTEO's certificate programme, at three levels, converts SHVC's
course BIM-101); every test's changes are rolled back but the race's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from creditbank.accounts import api as accounts
from creditbank.bootstrap import wire
from creditbank.catalog import api as catalog
from creditbank.conversion import api as conversion
from creditbank.conversion import conversion_store
from creditbank.conversion.model import ConversionError
from creditbank.conversion.statistics import years_after
from creditbank.db import Database
from creditbank.stats.rebuilding import rebuild
from tests import conftest
from tests import conversion_world as world
from tests.conftest import BACKENDS, _new_database
from tests.stats.facts_cells import Cells, added, fact_source, rebuilt, stored, this_month

ZERO = Decimal(0)


@dataclass(frozen=True)
class Bank:
    database: Database
    users: world.Users
    diploma_level: str
    """DIP-CE's level (LOFOUC 5) as the figures name it."""


@pytest.fixture(scope="module", params=BACKENDS)
def bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("conversion"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    with database.unit_of_work() as uow:
        users = world.build(uow)
        world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        world.approved(uow, users, world.course_rule(), "BIMTEO")
        diploma = catalog.find_item(uow=uow, institution="SHVC", code="DIP-CE")
        assert diploma is not None
    (pinned,) = diploma.levels
    level = f"{pinned.framework}@{pinned.version}:{pinned.level.code}"
    with fact_source(conversion.conversion_facts), fact_source(accounts.outcome_facts):
        yield Bank(database, users, level)
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's changes are rolled back, but a race's (its writers need connections of their
    own) and a test without the world's."""
    if "bank" not in request.fixturenames or request.node.name.startswith("test_race"):
        yield
        return
    bank: Bank = request.getfixturevalue("bank")
    with bank.database.pinned():  # type: ignore[attr-defined]
        yield


_serials = iter(range(100, 10_000))


def holder(bank: Bank) -> str:
    """A learner holding BIM-X (intermediate) and BIM-101 (85): both programmes convert."""
    serial = next(_serials)
    with bank.database.unit_of_work() as uow:
        account = world.x_certificate_holder(uow, serial)
        world.deposit(
            uow, account, institution="SHVC", item="BIM-101", level="4", record=f"C-{serial}"
        )
        return account


def request(
    bank: Bank, account: str, programme: str = world.DIPLOMA, *, dry_run: bool = False
) -> conversion.Conversion:
    with bank.database.unit_of_work() as uow:
        return conversion.request_conversion(
            uow=uow,
            account_number=account,
            programme=programme,
            on=world.ON,
            requested_by=world.SHVC_REGISTRAR,
            dry_run=dry_run,
        )


def confirm(bank: Bank, public_id: str) -> conversion.Conversion:
    with bank.database.unit_of_work() as uow:
        return conversion.confirm_conversion(uow=uow, public_id=public_id, by=world.SHVC_REGISTRAR)


def snapshot(bank: Bank) -> dict[str, Cells]:
    return {
        figure: stored(bank.database, figure) for figure in ("conversion", "outcomes", "cohorts")
    }


def cells(measure: str, scopes: tuple[str, ...], dims: dict[str, tuple[int, Decimal]]) -> Cells:
    """This month's cells of ``measure`` in each scope: ``dims`` maps "dim=value" (or "all") to
    what it adds."""
    month = this_month()
    found: Cells = {}
    for scope in scopes:
        for named, counted in dims.items():
            dim, _, value = named.partition("=")
            found[measure, scope, dim, value, month] = counted
    return found


def test_a_request_is_counted_for_the_programmes_institution_and_level(bank: Bank) -> None:
    account = holder(bank)
    before = snapshot(bank)
    request(bank, account, dry_run=True)  # a dry run stores nothing and counts nothing
    assert snapshot(bank) == before
    request(bank, account)
    after = snapshot(bank)
    one = (1, ZERO)
    assert added(before["conversion"], after["conversion"]) == cells(
        "requested",
        ("", "SHVC"),
        {"all": one, "institution=SHVC": one, f"level={bank.diploma_level}": one},
    )
    assert after["outcomes"] == before["outcomes"]
    assert after["cohorts"] == before["cohorts"]


def test_a_confirmation_counts_the_credits_and_the_learners_first_conversion_once(
    bank: Bank,
) -> None:
    account = holder(bank)
    diploma = request(bank, account)
    certificate = request(bank, account, world.X_PROGRAMME)
    before = snapshot(bank)
    confirm(bank, diploma.public_id)
    after = snapshot(bank)
    counted = (1, diploma.total)
    assert diploma.total > 0
    assert added(before["conversion"], after["conversion"]) == cells(
        "confirmed",
        ("", "SHVC"),
        {"all": counted, "institution=SHVC": counted, f"level={bank.diploma_level}": counted},
    )
    year = str(datetime.now(UTC).year)
    one = (1, ZERO)
    assert added(before["cohorts"], after["cohorts"]) == cells(
        "converted",
        ("",),
        {"all": one, f"cohort={year}": one, "after=1": one, f"cohort.after={year}/1": one},
    )
    transferred = added(before["outcomes"], after["outcomes"])
    grants = len(diploma.grants)
    month = this_month()
    assert transferred["deposited", "SHVC", "kind", "transferred_credit", month] == (
        grants,
        diploma.total,
    )
    # the learner's second conversion (another programme, no single level): confirmed, not
    # their first
    confirm(bank, certificate.public_id)
    again = snapshot(bank)
    assert added(after["conversion"], again["conversion"]) == cells(
        "confirmed",
        ("", "BIMTEO"),
        {"all": (1, certificate.total), "institution=BIMTEO": (1, certificate.total)},
    )
    assert again["cohorts"] == after["cohorts"]


def test_a_refused_or_declined_step_counts_nothing(bank: Bank) -> None:
    account = holder(bank)
    made = request(bank, account)
    confirm(bank, made.public_id)
    before = snapshot(bank)
    with pytest.raises(ConversionError) as refused:
        confirm(bank, made.public_id)  # confirmed already
    assert refused.value.code == "conversion_status_conflict"
    other = request(bank, holder(bank))
    middle = snapshot(bank)
    with bank.database.unit_of_work() as uow:
        conversion_store.decline_conversion(
            uow=uow, public_id=other.public_id, by=world.SHVC_REGISTRAR, reason="不符合"
        )
    assert snapshot(bank) == middle
    assert added(before["conversion"], middle["conversion"])[
        "requested", "", "all", "", this_month()
    ] == (1, ZERO)


def test_a_reversal_counts_the_transferred_credit_revoked(bank: Bank) -> None:
    made = request(bank, holder(bank))
    confirm(bank, made.public_id)
    before = snapshot(bank)
    with bank.database.unit_of_work() as uow:
        conversion_store.reverse_conversion(
            uow=uow,
            public_id=made.public_id,
            by=world.SHVC_REGISTRAR,
            user_id=bank.users.shvc,
            reason="撤销",
        )
    after = snapshot(bank)
    revoked = added(before["outcomes"], after["outcomes"])
    assert revoked["revoked", "SHVC", "kind", "transferred_credit", this_month()] == (
        len(made.grants),
        made.total,
    )
    assert after["conversion"] == before["conversion"]
    assert after["cohorts"] == before["cohorts"]


def test_race_of_two_first_confirmations_counts_the_learner_once(bank: Bank) -> None:
    other = holder(bank)  # the programmes' transferred-credit items made (and logged) before
    for programme in (world.DIPLOMA, world.X_PROGRAMME):
        confirm(bank, request(bank, other, programme).public_id)
    account = holder(bank)
    made = [request(bank, account), request(bank, account, world.X_PROGRAMME)]
    before = snapshot(bank)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def confirmed(public_id: str) -> None:
        try:
            barrier.wait()
            confirm(bank, public_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=confirmed, args=(one.public_id,)) for one in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    after = snapshot(bank)
    month = this_month()
    assert (
        added(before["conversion"], after["conversion"])["confirmed", "", "all", "", month][0] == 2
    )
    assert added(before["cohorts"], after["cohorts"])["converted", "", "all", "", month] == (
        1,
        ZERO,
    )


def test_the_rebuild_source_yields_what_was_tallied(bank: Bank) -> None:
    account = holder(bank)
    first = request(bank, account)
    confirm(bank, first.public_id)
    request(bank, account, world.X_PROGRAMME)
    reversed_ = request(bank, holder(bank))
    confirm(bank, reversed_.public_id)
    with bank.database.unit_of_work() as uow:
        conversion_store.reverse_conversion(
            uow=uow,
            public_id=reversed_.public_id,
            by=world.SHVC_REGISTRAR,
            user_id=bank.users.shvc,
            reason="撤销",
        )
    database = bank.database
    from_source = rebuilt(database, conversion.conversion_facts)  # two figures: by measure
    converted = {key: n for key, n in stored(database, "cohorts").items() if key[0] == "converted"}
    assert converted
    assert converted == {key: n for key, n in from_source.items() if key[0] == "converted"}
    assert stored(database, "conversion") == {
        key: n for key, n in from_source.items() if key[0] in {"requested", "confirmed"}
    }
    assert stored(database, "outcomes") == rebuilt(database, accounts.outcome_facts)
    # and the rebuild itself, from every source of these figures, changes none of their cells
    figures = ("accounts", "outcomes", "cohorts", "conversion")
    before = {figure: stored(database, figure) for figure in figures}
    sources = [
        accounts.account_facts,
        accounts.outcome_facts,
        accounts.cohort_learner_facts,
        conversion.conversion_facts,
    ]
    with database.unit_of_work() as uow:
        rebuild(uow, sources)
    assert {figure: stored(database, figure) for figure in figures} == before


def test_years_after_the_first_outcome() -> None:
    first = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    assert years_after(first, first) == "1"  # the same day: within the first year
    assert years_after(first, first + timedelta(days=365)) == "1"
    assert years_after(first, first + timedelta(days=366)) == "2"
    assert years_after(first, first + timedelta(days=3 * 365)) == "3"
    assert years_after(first, first + timedelta(days=3 * 365 + 1)) == "later"
    # days in Shanghai: 23:00 UTC on 29 February is 1 March there, 365 days before 1 March 2025
    # (366 in UTC); a naive time (as SQLite gives it back) is UTC
    assert years_after(datetime(2024, 2, 29, 23, 0, tzinfo=UTC), datetime(2025, 3, 1, 1, 0)) == "1"  # noqa: DTZ001
