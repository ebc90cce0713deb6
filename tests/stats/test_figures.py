"""The statistics' handlers on both databases: the public summary, an institution's staff held
to their own institution's figures, the threshold (given, wired from the settings, or 10), and
the rebuild (every cell counted again from the sources, the sex and age counters kept; exact
while other transactions tally at the same time)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from creditbank.access.policy import AccessError, LearnerPrincipal, Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import api as institutions_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.stats import figures
from creditbank.stats.api import FACT_SOURCES, SUPPRESS_BELOW, Fact, StatsError, tally
from creditbank.stats.commands import ListFigures, RebuildStats, ShowFigure, ShowSummary
from creditbank.stats.tables import StatCellRow

ADMIN = Principal(user_id=1, email="admin@bank.example", role=Role.BANK_ADMIN, institution=None)
AUDITOR = Principal(user_id=2, email="audit@bank.example", role=Role.AUDITOR, institution=None)
REGISTRAR = Principal(user_id=3, email="reg@shou.example", role=Role.REGISTRAR, institution="SHOU")


def opened(institution: str, count: int, **dims: str) -> Fact:
    return Fact("accounts", "opened", date(2026, 3, 1), institution, dims, count=count)


def cells(uow: UnitOfWork) -> dict[tuple[str, str, str, str, str, int], tuple[int, Decimal]]:
    return {
        (row.figure, row.measure, row.scope, row.dim, row.value, row.month): (row.n, row.amount)
        for (row,) in uow.session.execute(select(StatCellRow))
    }


def test_the_summary_is_public_and_covers_every_figure(database: Database) -> None:
    with database.unit_of_work() as uow:
        tally(uow, [opened("SHOU", 30), opened("SHVC", 4)])
    with database.unit_of_work() as uow:
        summary = figures.show_summary(ShowSummary(), principal=None, uow=uow)
        listed = figures.list_figures(ListFigures(), principal=None, uow=uow)
    assert [table.figure for table in summary] == [spec.name for spec in listed]
    accounts = summary[0]
    assert (accounts.figure, accounts.by, accounts.scope) == ("accounts", "year", None)
    assert [(row.value, row.counts["opened"]) for row in accounts.rows] == [("2026", 34)]
    assert {table.by for table in summary} == {"year", "cohort"}


def test_staff_read_their_own_institution_and_nobody_elses(database: Database) -> None:
    with database.unit_of_work() as uow:
        for code in ("SHOU", "SHVC"):
            institutions.add_institution(
                uow=uow, code=code, name=code, type=InstitutionType.UNIVERSITY
            )
        tally(uow, [opened("SHOU", 30), opened("SHVC", 40)])
    with database.unit_of_work() as uow:
        own = figures.show_figure(ShowFigure("accounts", "all"), principal=REGISTRAR, uow=uow)
        assert (own.scope, own.total.counts["opened"]) == ("SHOU", 30)  # held to their own
        with pytest.raises(AccessError) as refused:
            figures.show_figure(
                ShowFigure("accounts", "all", scope="SHVC"), principal=REGISTRAR, uow=uow
            )
        assert refused.value.code == "forbidden"
        for reader in (ADMIN, AUDITOR):
            bank = figures.show_figure(ShowFigure("accounts", "all"), principal=reader, uow=uow)
            assert (bank.scope, bank.total.counts["opened"]) == (None, 70)
            other = figures.show_figure(
                ShowFigure("accounts", "all", scope="SHVC"), principal=reader, uow=uow
            )
            assert other.total.counts["opened"] == 40
        with pytest.raises(StatsError) as unknown:  # a typo is not a quiet institution
            figures.show_figure(ShowFigure("accounts", scope="SHUO"), principal=ADMIN, uow=uow)
        assert unknown.value.code == "institution_not_found"
        for nobody in (None, LearnerPrincipal(learner_id=1, account_number="CB000000000001")):
            with pytest.raises(AccessError) as refused:
                figures.show_figure(ShowFigure("accounts", "all"), principal=nobody, uow=uow)
            assert refused.value.code == "unauthenticated"


def test_a_figure_without_a_breakdown_is_by_year_or_its_own(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert figures.show_figure(ShowFigure("accounts"), principal=ADMIN, uow=uow).by == "year"
        cohorts = figures.show_figure(ShowFigure("cohorts"), principal=ADMIN, uow=uow)
        assert cohorts.by == "cohort"


def test_the_threshold_is_given_or_wired_or_ten(database: Database) -> None:
    with database.unit_of_work() as uow:
        tally(uow, [opened("SHOU", 7)])
    query = ShowFigure("accounts", "all")
    with database.unit_of_work() as uow:
        assert figures.show_figure(query, principal=ADMIN, uow=uow).total.shown["opened"] == "<10"
        given = figures.show_figure(query, principal=ADMIN, uow=uow, suppress_below=5)
        assert given.total.shown["opened"] == "7"
        uow.session.info[SUPPRESS_BELOW] = 3
        wired = figures.show_figure(query, principal=ADMIN, uow=uow)
        assert (wired.suppress_below, wired.total.shown["opened"]) == (3, "7")


def shou_and_shvc(uow: UnitOfWork) -> Iterator[Fact]:
    """A rebuild source of the tests: every institution opened 10 accounts in March 2026."""
    for code in sorted(institutions_api.institution_codes(uow=uow).values()):
        yield Fact("accounts", "opened", date(2026, 3, 1), code, count=10)


def bank_wide(_uow: UnitOfWork) -> Iterator[Fact]:
    yield Fact("recognition", "imported", date(2026, 1, 5), None, {"peer": "bank.b"}, count=2)
    yield Fact("accounts", "opened", date(2026, 3, 1), None, {"sex": "female"})  # not again


def test_a_rebuild_counts_every_source_again_and_keeps_sex_and_age(database: Database) -> None:
    with database.unit_of_work() as uow:
        for code in ("SHOU", "SHVC"):
            institutions.add_institution(
                uow=uow, code=code, name=code, type=InstitutionType.UNIVERSITY
            )
        tally(uow, [opened("SHOU", 3, sex="female", age="20-29"), opened("GONE", 5)])
        tally(uow, [Fact("outcomes", "deposited", date(2025, 1, 1), "SHOU")])  # no source
    with database.unit_of_work() as uow:
        written = figures.rebuild_stats(
            RebuildStats(), principal=ADMIN, uow=uow, sources=[shou_and_shvc, bank_wide]
        )
    with database.unit_of_work() as uow:
        found = cells(uow)
    assert not any(key[0] == "outcomes" for key in found)  # counted again: no source has them
    march = 202603
    assert found["accounts", "opened", "", "all", "", march][0] == 21  # 10 + 10 + 1
    assert found["accounts", "opened", "SHOU", "all", "", march][0] == 10
    assert ("accounts", "opened", "GONE", "all", "", march) not in found
    assert found["accounts", "opened", "", "sex", "female", march][0] == 3  # kept, not 4
    assert found["accounts", "opened", "SHOU", "age", "20-29", march][0] == 3
    assert found["recognition", "imported", "", "peer", "bank.b", 202601][0] == 2
    assert written == len(found) - 4  # the four sex/age cells were kept, not written


def test_the_wired_sources_are_the_apis(database: Database) -> None:
    assert FACT_SOURCES is figures.FACT_SOURCES
    with database.unit_of_work() as uow:
        tally(uow, [opened("SHOU", 3)])
    FACT_SOURCES.append(bank_wide)
    try:
        with database.unit_of_work() as uow:
            figures.rebuild_stats(RebuildStats(), principal=ADMIN, uow=uow)
            assert {key[0] for key in cells(uow)} == {"recognition", "accounts"}
            assert cells(uow)["accounts", "opened", "", "all", "", 202603][0] == 1
    finally:
        FACT_SOURCES.remove(bank_wide)


OPENERS = 3
ROUNDS = 4


@pytest.mark.own_database
def test_tallies_during_a_rebuild_are_neither_lost_nor_counted_twice(database: Database) -> None:
    """Threads each open an institution and tally its 10 accounts in one transaction, while
    another thread rebuilds from the institutions: whatever the order, every institution is
    counted once."""
    start = threading.Barrier(OPENERS + 1)
    failures: list[BaseException] = []
    serial = iter(range(1000))
    lock = threading.Lock()

    def open_institutions() -> None:
        start.wait()
        try:
            for _ in range(ROUNDS):
                with lock:
                    code = f"I{next(serial):03d}"
                with database.unit_of_work() as uow:
                    institutions.add_institution(
                        uow=uow, code=code, name=code, type=InstitutionType.UNIVERSITY
                    )
                    tally(uow, [Fact("accounts", "opened", date(2026, 3, 1), code, count=10)])
        except BaseException as error:  # noqa: BLE001 (reported by the test's thread)
            failures.append(error)

    def rebuild() -> None:
        start.wait()
        try:
            for _ in range(ROUNDS):
                with database.unit_of_work() as uow:
                    figures.rebuild_stats(
                        RebuildStats(), principal=ADMIN, uow=uow, sources=[shou_and_shvc]
                    )
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=open_institutions) for _ in range(OPENERS)]
    threads.append(threading.Thread(target=rebuild))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.unit_of_work() as uow:
        found = cells(uow)
    assert found["accounts", "opened", "", "all", "", 202603][0] == 10 * OPENERS * ROUNDS
    per_institution = {key[2]: n for key, (n, _) in found.items() if key[3] == "all"}
    assert set(per_institution.values()) == {10, 10 * OPENERS * ROUNDS}
