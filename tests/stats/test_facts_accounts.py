"""The facts of accounts and outcomes (figures ``accounts``, ``outcomes``, ``cohorts``' learners):
each path that opens an account or deposits or revokes an outcome tallies its cells where it
happens, once; a refused deposit or a rejected batch tallies nothing, an unchanged re-deposit
nothing; a learner's first outcome is counted once, even when two deposits race for it; and the
rebuild sources (``accounts.api.account_facts``, ``outcome_facts``, ``cohort_learner_facts``)
yield from the stored rows what was tallied (accounts without sex and age, stored nowhere).

One world per backend (tests/conversion_world.py: SHVC's courses, BIMTEO's X certificate BIM-X;
tests/bulk_files.py: JSVC's course CAD-201); every test's changes are rolled back but the race's.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creditbank.accounts import api as accounts
from creditbank.accounts import bulk, lifecycle, outcomes, service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import (
    AccountError,
    IdType,
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.accounts.pipeline import IN_PROCESS, WorkerPolicy
from creditbank.bootstrap import wire
from creditbank.catalog import api as catalog
from creditbank.catalog import service as catalog_service
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.stats import api as stats
from creditbank.stats.model import KEPT_DIMS
from tests import conftest
from tests import conversion_world as world
from tests.bulk_files import add_college_with_course, csv_bytes, row
from tests.conftest import BACKENDS, _new_database
from tests.stats.facts_cells import Cells, added, fact_source, rebuilt, stored, this_month

ZERO = Decimal(0)
TODAY = date(2026, 11, 22)
ASSESSED = date(2025, 6, 30)


@dataclass(frozen=True)
class Bank:
    database: Database
    cipher: PersonalDataCipher
    users: world.Users
    course: str
    """LOFOUC level 4 as the figures name it (SHVC's and JSVC's courses)."""
    x_level: str
    """BIM-X's intermediate level as the figures name it."""


def level_of(item: catalog.CatalogItem, code: str) -> str:
    pinned = next(level for level in item.levels if level.level.code == code)
    return f"{pinned.framework}@{pinned.version}:{pinned.level.code}"


@pytest.fixture(scope="module", params=BACKENDS)
def bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("accounts"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    with database.unit_of_work() as uow:
        users = world.build(uow)
        add_college_with_course(uow)
        course = catalog.find_item(uow=uow, institution="SHVC", code="BIM-101")
        x_certificate = catalog.find_item(uow=uow, institution="BIMTEO", code="BIM-X")
        assert course is not None
        assert x_certificate is not None
    cipher = PersonalDataCipher(os.urandom(32))
    made = Bank(
        database, cipher, users, level_of(course, "4"), level_of(x_certificate, "intermediate")
    )
    with (
        fact_source(accounts.account_facts),
        fact_source(accounts.outcome_facts),
        fact_source(accounts.cohort_learner_facts),
    ):
        yield made
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(request: pytest.FixtureRequest, bank: Bank) -> Iterator[None]:
    """Each test's changes are rolled back, but a race's (its writers need connections of their
    own; what it commits stays, and every later comparison is of changes or of the whole)."""
    if request.node.name.startswith("test_race"):
        yield
        return
    with bank.database.pinned():  # type: ignore[attr-defined]
        yield


_serials = iter(range(10, 10_000))


def resident(born: str, *, male: bool) -> str:
    """A checksum-valid resident identity number of someone born ``born`` (YYYYMMDD)."""
    first = f"310104{born}{next(_serials) % 100:02d}{1 if male else 2}"
    return first + resident_check_character(first)


def open_account(bank: Bank, number: str, *, by: str | None = "SHVC") -> str:
    with bank.database.unit_of_work() as uow:
        return service.open_account(
            uow=uow,
            cipher=bank.cipher,
            id_number=parse_id_number(number),
            name="学员",
            opened_by=by,
        ).number


def deposit(
    bank: Bank,
    account: str,
    *,
    record: str,
    institution: str = "SHVC",
    item: str = "BIM-101",
    level: str = "4",
    credits: str | None = "4",  # noqa: A002 - the outcome's credits
    setting: LearningSetting = LearningSetting.FORMAL,
) -> str:
    with bank.database.unit_of_work() as uow:
        return outcomes.deposit_outcome(
            uow=uow,
            institution=institution,
            account_number=account,
            facts=OutcomeFacts(
                record_id=record,
                item_code=item,
                level=level,
                credits=None if credits is None else Decimal(credits),
                score=Decimal(85),
                assessed_on=ASSESSED,
                setting=setting,
            ),
            today=TODAY,
        ).outcome.public_id


def learner(bank: Bank) -> str:
    return open_account(bank, resident("19950101", male=True))


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


def snapshot(bank: Bank) -> dict[str, Cells]:
    return {figure: stored(bank.database, figure) for figure in ("accounts", "outcomes", "cohorts")}


def test_an_account_opened_is_counted_by_institution_sex_and_age(bank: Bank) -> None:
    before = stored(bank.database, "accounts")
    number = resident("19910615", male=False)  # 35 in December 2026
    open_account(bank, number, by="shvc")
    open_account(bank, number, by="shvc")  # its holder again: the same account, not counted
    with bank.database.unit_of_work() as uow:  # a passport: sex and age unknown; no institution
        service.open_account(
            uow=uow,
            cipher=bank.cipher,
            id_number=parse_id_number("E12345678", IdType.PASSPORT),
            name="Jane Roe",
        )
    one = (1, ZERO)
    expected = cells(
        "opened",
        ("", "SHVC"),
        {"all": one, "sex=female": one, "age=30-39": one, "institution=SHVC": one},
    )
    expected |= cells("opened", ("",), {"all": (2, ZERO), "sex=unknown": one, "age=unknown": one})
    assert added(before, stored(bank.database, "accounts")) == expected


def test_a_deposit_counts_the_outcome_and_the_learners_first_once(bank: Bank) -> None:
    account = learner(bank)
    before = snapshot(bank)
    deposit(bank, account, record="R-1")
    deposit(
        bank, account, record="R-2", item="BIM-102", credits="3", setting=LearningSetting.NON_FORMAL
    )
    after = snapshot(bank)
    deposit(bank, account, record="R-1")  # sent again unchanged: nothing new, nothing counted
    assert snapshot(bank) == after
    both = (2, Decimal(7))
    assert added(before["outcomes"], after["outcomes"]) == cells(
        "deposited",
        ("", "SHVC"),
        {
            "all": both,
            "setting=formal": (1, Decimal(4)),
            "setting=non_formal": (1, Decimal(3)),
            "kind=course": both,
            f"level={bank.course}": both,
            "institution=SHVC": both,
        },
    )
    year = str(datetime.now(UTC).year)
    assert added(before["cohorts"], after["cohorts"]) == cells(
        "learners", ("",), {"all": (1, ZERO), f"cohort={year}": (1, ZERO)}
    )
    assert after["accounts"] == before["accounts"]


def test_an_x_certificate_is_counted_by_certificate(bank: Bank) -> None:
    account = learner(bank)
    deposit(bank, account, record="R-0")
    before = stored(bank.database, "outcomes")
    deposit(
        bank,
        account,
        record="X-1",
        institution="BIMTEO",
        item="BIM-X",
        level="intermediate",
        credits=None,
    )
    one = (1, ZERO)
    assert added(before, stored(bank.database, "outcomes")) == cells(
        "deposited",
        ("", "BIMTEO"),
        {
            "all": one,
            "setting=formal": one,
            "kind=x_certificate": one,
            f"level={bank.x_level}": one,
            "certificate=BIMTEO:BIM-X": one,
            "institution=BIMTEO": one,
        },
    )


def test_a_refused_deposit_counts_nothing(bank: Bank) -> None:
    account = learner(bank)
    before = snapshot(bank)
    with pytest.raises(AccountError) as refused:
        deposit(bank, account, record="R-9", credits="5")  # BIM-101 carries 4
    assert refused.value.code == "invalid_outcome"
    assert snapshot(bank) == before


def test_a_revocation_counts_the_outcome_revoked_as_deposited(bank: Bank) -> None:
    account = learner(bank)
    public_id = deposit(bank, account, record="R-5", setting=LearningSetting.INFORMAL)
    before = snapshot(bank)
    with bank.database.unit_of_work() as uow:
        lifecycle.revoke_outcome(
            uow=uow, public_id=public_id, user_id=bank.users.shvc, reason="误录"
        )
    after = snapshot(bank)
    counted = (1, Decimal(4))
    assert added(before["outcomes"], after["outcomes"]) == cells(
        "revoked",
        ("", "SHVC"),
        {
            "all": counted,
            "setting=informal": counted,
            "kind=course": counted,
            f"level={bank.course}": counted,
            "institution=SHVC": counted,
        },
    )
    assert after["cohorts"] == before["cohorts"]


def test_an_outcome_recognised_from_another_bank_is_counted_as_recognised(bank: Bank) -> None:
    """How transfers deposits a recognised import (tests/stats/test_facts_recognition.py goes
    through the real recognition): a derived deposit under the recognising institution's ``RL.``
    item with a ``recognition/`` record id. The same item stated by the institution is a course."""
    account = learner(bank)
    code = accounts.RECOGNISED_ITEM_PREFIX + "0123456789abcdef"
    with bank.database.unit_of_work() as uow:
        catalog_service.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="SHVC",
                code=code,
                kind=ItemKind.COURSE,
                name="认可自 bank.a：课程",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(2),
            ),
            on=ASSESSED,
        )
    before = stored(bank.database, "outcomes")
    with bank.database.unit_of_work() as uow:
        accounts.deposit(
            uow=uow,
            outcomes=[
                accounts.OutcomeDeposit(
                    institution="SHVC",
                    account_number=account,
                    facts=OutcomeFacts(
                        record_id=f"{accounts.RECOGNISED_RECORD_PREFIX}abc",
                        item_code=f"SHVC:{code}",
                        level="4",
                        credits=Decimal(2),
                        score=None,
                        assessed_on=ASSESSED,
                        setting=LearningSetting.FORMAL,
                    ),
                    origin=accounts.RecognisedLearning("abc"),
                )
            ],
            today=TODAY,
            log=False,
        )
    deposit(bank, account, record="R-RL", item=code, credits="2")
    found = added(before, stored(bank.database, "outcomes"))
    month = this_month()
    assert found["deposited", "SHVC", "kind", "recognised", month] == (1, Decimal(2))
    assert found["deposited", "SHVC", "kind", "course", month] == (1, Decimal(2))
    assert found["deposited", "SHVC", "all", "", month] == (2, Decimal(4))


IN_THE_WORKER = WorkerPolicy(after=1, wait=True)
"""The first chunk prepared here, the others by the worker process (sex and age come with it)."""


def upload(bank: Bank, rows: list[dict[str, str]], worker: WorkerPolicy = IN_PROCESS) -> bulk.Batch:
    return bulk.import_batch(
        database=bank.database,
        cipher=bank.cipher,
        institution="jsvc",
        submitted_by="test",
        filename="f.csv",
        file_format=FileFormat.CSV,
        rows=read_rows(io.BytesIO(csv_bytes(rows)), FileFormat.CSV),
        today=TODAY,
        plan=bulk.BulkPlan(chunk_rows=2, worker=worker),
    )


def person(serial: int, number: str, record: str, name: str = "") -> dict[str, str]:
    return row(serial, id_number=number, name=name or f"学员{number[-6:]}", record_id=record)


def test_a_bulk_file_counts_its_accounts_outcomes_and_first_outcomes_by_chunk(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = resident("19880808", male=True)  # an account opened before, with no outcome yet
    open_account(bank, held)
    young, younger = resident("20000310", male=False), resident("20010101", male=False)
    older = resident("19800707", male=True)  # 46
    rows = [
        person(1, young, "B-1"),
        person(2, young, "B-2"),  # the same learner again: one account, one first outcome
        person(3, younger, "B-3"),
        person(4, older, "B-4"),
        person(5, held, "B-5", name="学员"),  # as the account names its holder
    ]
    calls: list[list[stats.Fact]] = []
    tally = stats.tally

    def spy(uow: object, facts: object) -> None:
        calls.append(list(facts))  # type: ignore[call-overload]
        tally(uow, calls[-1])  # type: ignore[arg-type]

    monkeypatch.setattr(stats, "tally", spy)
    before = snapshot(bank)
    batch = upload(bank, rows, IN_THE_WORKER)
    after = snapshot(bank)
    assert (batch.status, batch.deposited, batch.accounts_opened) == ("committed", 5, 3), batch
    one, two = (1, ZERO), (2, ZERO)
    assert added(before["accounts"], after["accounts"]) == cells(
        "opened",
        ("", "JSVC"),
        {
            "all": (3, ZERO),
            "sex=female": two,
            "sex=male": one,
            "age=20-29": two,
            "age=40-49": one,
            "institution=JSVC": (3, ZERO),
        },
    )
    five = (5, Decimal(15))
    assert added(before["outcomes"], after["outcomes"]) == cells(
        "deposited",
        ("", "JSVC"),
        {
            "all": five,
            "setting=formal": five,
            "kind=course": five,
            f"level={bank.course}": five,
            "institution=JSVC": five,
        },
    )
    year = str(datetime.now(UTC).year)
    assert added(before["cohorts"], after["cohorts"]) == cells(
        "learners", ("",), {"all": (4, ZERO), f"cohort={year}": (4, ZERO)}
    )
    # a chunk's outcomes are one fact per kind of outcome (not one per row), in one call
    deposited = [fact.count for facts in calls for fact in facts if fact.measure == "deposited"]
    assert deposited == [2, 2, 1]
    assert len(calls) <= 3 * 3  # per chunk: accounts, outcomes, first outcomes

    assert upload(bank, rows).unchanged == 5  # the same file again: nothing counted
    assert snapshot(bank) == after


def test_a_rejected_batch_counts_nothing(bank: Bank) -> None:
    rows = [
        person(1, resident("19990101", male=True), "C-1"),
        person(2, resident("19990102", male=True), "C-2"),
        person(3, resident("19990103", male=True), "C-3") | {"item_code": "NO-SUCH"},
    ]
    before = snapshot(bank)
    assert upload(bank, rows).status == "rejected"
    assert snapshot(bank) == before


def test_race_of_two_first_deposits_counts_the_learner_once(bank: Bank) -> None:
    account = learner(bank)
    before = stored(bank.database, "cohorts")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def first(record: str) -> None:
        try:
            barrier.wait()
            deposit(bank, account, record=record)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=first, args=(f"RACE-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    year = str(datetime.now(UTC).year)
    assert added(before, stored(bank.database, "cohorts")) == cells(
        "learners", ("",), {"all": (1, ZERO), f"cohort={year}": (1, ZERO)}
    )


def without_sex_and_age(found: Cells) -> Cells:
    return {key: value for key, value in found.items() if key[2] not in KEPT_DIMS}


def test_the_rebuild_sources_yield_what_was_tallied(bank: Bank) -> None:
    account = learner(bank)
    public_id = deposit(bank, account, record="S-1")
    deposit(
        bank,
        account,
        record="S-2",
        institution="BIMTEO",
        item="BIM-X",
        level="intermediate",
        credits=None,
    )
    with bank.database.unit_of_work() as uow:
        lifecycle.revoke_outcome(
            uow=uow, public_id=public_id, user_id=bank.users.shvc, reason="误录"
        )
    upload(bank, [person(1, resident("19770101", male=False), "S-3")])
    database = bank.database
    assert stored(database, "outcomes") == rebuilt(database, accounts.outcome_facts)
    learners = {
        key: value for key, value in stored(database, "cohorts").items() if key[0] == "learners"
    }
    assert learners == rebuilt(database, accounts.cohort_learner_facts)
    assert without_sex_and_age(stored(database, "accounts")) == rebuilt(
        database, accounts.account_facts
    )
    assert accounts.account_facts in stats.FACT_SOURCES
