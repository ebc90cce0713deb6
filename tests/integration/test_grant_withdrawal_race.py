"""Parallel withdrawals of one grant: one wins and logs the withdrawal, the others are refused.

A withdrawal is a fact of record (``catalog_grant.withdrawn``, ADR 0017), so two withdrawals
that both went through would log two entries for one grant, and ``log verify`` would find one
of them differing from the row. The grant's row is locked before it is read
(``db.for_update``); real threads, each with its own connection, on both databases.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from creditbank.bootstrap import ledger_readers
from creditbank.catalog import grants
from creditbank.catalog.model import CatalogError
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger.tables import LogEntryRow
from creditbank.ledger.verify import verify_log
from tests.bulk_files import add_college_with_course

WITHDRAWERS = 4


@pytest.mark.own_database
def test_parallel_withdrawals_of_a_grant_have_one_winner(database: Database) -> None:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        institutions.add_institution(
            uow=uow, code="TEO", name="某组织", type=InstitutionType.UNIVERSITY
        )
        grant = grants.grant_item(
            uow=uow,
            owner="JSVC",
            code="CAD-201",
            grantee="TEO",
            valid_from=date(2026, 1, 1),
            valid_until=None,
            by="reg@jsvc.example",
        )
    start = threading.Barrier(WITHDRAWERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def withdraw() -> None:
        start.wait()
        try:
            with database.unit_of_work() as uow:
                grants.withdraw_grant(uow=uow, grant_id=grant.id, by="reg@jsvc.example")
            result = "withdrawn"
        except CatalogError as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=withdraw) for _ in range(WITHDRAWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["grant_withdrawn"] * (WITHDRAWERS - 1) + ["withdrawn"]
    with database.unit_of_work() as uow:
        logged = uow.session.scalar(
            select(func.count())
            .select_from(LogEntryRow)
            .where(LogEntryRow.kind == "catalog_grant.withdrawn")
        )
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    assert logged == 1
    assert [str(problem) for problem in report.problems] == []
