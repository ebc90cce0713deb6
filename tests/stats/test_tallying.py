"""Tallying facts into ``stat_cells``: written just before the unit of work commits, one upsert
per distinct cell, dropped on rollback, and exact under concurrent transactions (real threads,
a connection each, on both databases)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from creditbank.db import Database, UnitOfWork
from creditbank.stats.api import Fact, tally
from creditbank.stats.tables import StatCellRow, StatRollupRow


def cells(uow: UnitOfWork) -> dict[tuple[str, str, str, str, str, int], tuple[int, Decimal]]:
    rows = uow.session.execute(select(StatCellRow))
    return {
        (row.figure, row.measure, row.scope, row.dim, row.value, row.month): (row.n, row.amount)
        for (row,) in rows
    }


def outcome(at: datetime | date, *, level: str = "CQF@1:4", amount: str = "2.5") -> Fact:
    return Fact(
        "outcomes",
        "deposited",
        at,
        "CQOU",
        {"level": level, "setting": "formal", "kind": "course"},
        amount=Decimal(amount),
    )


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the test runs."""
    seen: list[str] = []

    def record(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine, "before_cursor_execute", record)


def test_facts_are_counted_in_every_cell_they_belong_to(
    database: Database, statements: list[str]
) -> None:
    with database.unit_of_work() as uow:
        # 17:00 UTC on 31 January is 1 February in Shanghai: the cell's month is February's
        tally(uow, [outcome(datetime(2026, 1, 31, 17, 0, tzinfo=UTC))])
        tally(uow, [outcome(date(2026, 2, 3)), outcome(date(2026, 2, 4), level="CQF@1:5")])
        tally(uow, [Fact("recognition", "imported", date(2026, 3, 1), None, {"peer": "bank.b"})])
        assert cells(uow) == {}  # nothing written before the commit
    upserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO STAT_CELLS")]
    assert len(upserts) == 1  # one statement for all the distinct cells
    with database.unit_of_work() as uow:
        found = cells(uow)
    feb = 202602
    for scope in ("", "CQOU"):
        assert found["outcomes", "deposited", scope, "all", "", feb] == (3, Decimal("7.50"))
        assert found["outcomes", "deposited", scope, "level", "CQF@1:4", feb] == (2, Decimal(5))
        assert found["outcomes", "deposited", scope, "level", "CQF@1:5", feb] == (1, Decimal("2.5"))
        assert found["outcomes", "deposited", scope, "setting", "formal", feb][0] == 3
        assert found["outcomes", "deposited", scope, "institution", "CQOU", feb][0] == 3
    assert found["recognition", "imported", "", "peer", "bank.b", 202603] == (1, Decimal(0))
    assert found["recognition", "imported", "", "all", "", 202603] == (1, Decimal(0))
    assert not any(key[2] == "CQOU" for key in found if key[0] == "recognition")
    assert len(found) == 2 * (1 + 2 + 1 + 1 + 1) + 2  # all, 2 levels, setting, kind, institution


def rollups(uow: UnitOfWork) -> dict[tuple[str, str, str, str, str, int], tuple[int, Decimal]]:
    rows = uow.session.execute(select(StatRollupRow))
    return {
        (row.figure, row.measure, row.scope, row.dim, row.value, row.period): (row.n, row.amount)
        for (row,) in rows
    }


def test_the_rollups_hold_the_cells_sums_by_year_and_over_all_time(database: Database) -> None:
    for when in (date(2025, 3, 1), date(2025, 12, 31), date(2026, 1, 1)):
        with database.unit_of_work() as uow:
            tally(uow, [outcome(when), outcome(when, level="CQF@1:5")])
    with database.unit_of_work() as uow:
        found, summed = cells(uow), rollups(uow)
    expected: dict[tuple[str, str, str, str, str, int], tuple[int, Decimal]] = {}
    for (figure, measure, scope, dim, value, month), (n, amount) in found.items():
        for period in (month // 100, 0):
            key = (figure, measure, scope, dim, value, period)
            before = expected.get(key, (0, Decimal(0)))
            expected[key] = (before[0] + n, before[1] + amount)
    assert summed == expected
    assert summed["outcomes", "deposited", "", "all", "", 2025] == (4, Decimal(10))
    assert summed["outcomes", "deposited", "CQOU", "level", "CQF@1:5", 0] == (3, Decimal("7.5"))


def test_a_second_transaction_adds_to_the_cells(database: Database) -> None:
    for _ in range(2):
        with database.unit_of_work() as uow:
            tally(uow, [outcome(date(2026, 5, 1))])
    with database.unit_of_work() as uow:
        assert cells(uow)["outcomes", "deposited", "", "all", "", 202605] == (2, Decimal(5))


def test_cohort_facts_are_also_counted_by_cohort_and_years_after(database: Database) -> None:
    with database.unit_of_work() as uow:
        fact = Fact(
            "cohorts", "converted", date(2026, 5, 1), None, {"cohort": "2024", "after": "2"}
        )
        tally(uow, [fact])
    with database.unit_of_work() as uow:
        found = cells(uow)
    assert found["cohorts", "converted", "", "cohort.after", "2024/2", 202605][0] == 1
    assert found["cohorts", "converted", "", "cohort", "2024", 202605][0] == 1


def test_a_rolled_back_unit_of_work_tallies_nothing(database: Database) -> None:
    message = "the use case fails after tallying"

    def fail_after_tallying() -> None:
        with database.unit_of_work() as uow:
            tally(uow, [outcome(date(2026, 5, 1))])
            raise RuntimeError(message)

    with pytest.raises(RuntimeError, match=message):
        fail_after_tallying()
    with database.unit_of_work() as uow:
        tally(uow, [outcome(date(2026, 6, 1))])
        uow.session.rollback()  # what was pending goes with the rolled-back transaction
        tally(uow, [outcome(date(2026, 7, 1))])
    with database.unit_of_work() as uow:
        months = {key[5] for key in cells(uow)}
    assert months == {202607}


def test_a_rolled_back_savepoint_drops_only_what_was_tallied_inside_it(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        tally(uow, [outcome(date(2026, 1, 1))])
        with uow.session.begin_nested():
            tally(uow, [outcome(date(2026, 2, 1))])  # released: kept
            with uow.session.begin_nested():
                tally(uow, [outcome(date(2026, 3, 1))])  # released into a lost savepoint
        savepoint = uow.session.begin_nested()
        tally(uow, [outcome(date(2026, 4, 1))])
        with uow.session.begin_nested():
            tally(uow, [outcome(date(2026, 5, 1))])
        savepoint.rollback()  # a lost race: the outer transaction goes on
        tally(uow, [outcome(date(2026, 6, 1))])
    with database.unit_of_work() as uow:
        months = {key[5] for key in cells(uow)}
    assert months == {202601, 202602, 202603, 202606}


TALLIERS = 4
ROUNDS = 5


@pytest.mark.own_database
def test_concurrent_tallies_of_the_same_cells_add_up_exactly(database: Database) -> None:
    """Transactions that each tally the same cells at once (a connection each) all count: the
    upsert adds in the database, in key order, so none is lost and none deadlocks."""
    start = threading.Barrier(TALLIERS)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        start.wait()
        try:
            for round_ in range(ROUNDS):
                with database.unit_of_work() as uow:
                    # in a different order in each thread: the write sorts them
                    levels = [f"CQF@1:{(worker + round_ + i) % 3}" for i in range(3)]
                    tally(uow, [outcome(date(2026, 9, 1), level=level) for level in levels])
        except BaseException as error:  # noqa: BLE001 (reported by the test's thread)
            failures.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(TALLIERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.unit_of_work() as uow:
        found = cells(uow)
    total = TALLIERS * ROUNDS * 3
    assert found["outcomes", "deposited", "", "all", "", 202609] == (total, Decimal("2.5") * total)
    for level in range(3):
        key = ("outcomes", "deposited", "CQOU", "level", f"CQF@1:{level}", 202609)
        assert found[key][0] == TALLIERS * ROUNDS
