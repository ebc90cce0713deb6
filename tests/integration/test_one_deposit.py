"""The one deposit other areas call (``accounts.api.deposit_outcome``), with plain data, on
both databases: checked, logged with a receipt, idempotent, and refusing other facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from creditbank.accounts import api as accounts
from creditbank.accounts.tables import OutcomeRow
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.ledger.tables import LogEntryRow
from tests.bulk_files import add_college_with_course, course_outcome, open_learner

TODAY = date(2026, 11, 22)


@pytest.fixture
def account(database: Database) -> str:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        return open_learner(uow)


def _count(database: Database, table: type[OutcomeRow | LogEntryRow]) -> int:
    with database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def test_an_outcome_is_deposited_once_and_logged(database: Database, account: str) -> None:
    facts = course_outcome("ONE-1")
    logged, stored = _count(database, LogEntryRow), _count(database, OutcomeRow)
    with database.unit_of_work() as uow:
        first = accounts.deposit_outcome(
            uow=uow, institution="jsvc", account_number=account, facts=facts, today=TODAY
        )
    assert first.created
    assert first.receipt is not None
    outcome = first.outcome
    assert (outcome.account_number, outcome.institution, outcome.record_id) == (
        account,
        "JSVC",
        "ONE-1",
    )
    assert (outcome.item_code, outcome.level.level.code, outcome.credits) == (
        "CAD-201",
        "4",
        Decimal(3),
    )
    assert outcome.status is accounts.OutcomeStatus.DEPOSITED
    assert _count(database, LogEntryRow) == logged + 1
    with database.unit_of_work() as uow:
        again = accounts.deposit_outcome(
            uow=uow, institution="JSVC", account_number=account, facts=facts, today=TODAY
        )
    assert not again.created
    assert again.outcome.public_id == outcome.public_id
    assert again.receipt == first.receipt
    assert _count(database, OutcomeRow) == stored + 1
    assert _count(database, LogEntryRow) == logged + 1


def test_other_facts_under_a_record_and_bad_facts_are_refused(
    database: Database, account: str
) -> None:
    stored = _count(database, OutcomeRow)
    with database.unit_of_work() as uow:
        accounts.deposit_outcome(
            uow=uow,
            institution="JSVC",
            account_number=account,
            facts=course_outcome("ONE-2"),
            today=TODAY,
        )
    with database.unit_of_work() as uow, pytest.raises(accounts.AccountError) as conflict:
        accounts.deposit_outcome(
            uow=uow,
            institution="JSVC",
            account_number=account,
            facts=course_outcome("ONE-2", score="90"),
            today=TODAY,
        )
    assert conflict.value.code == "record_conflict"
    too_many = replace(course_outcome("ONE-3"), credits=Decimal(9), level="7")
    with database.unit_of_work() as uow, pytest.raises(accounts.AccountError) as invalid:
        accounts.deposit_outcome(
            uow=uow, institution="JSVC", account_number=account, facts=too_many, today=TODAY
        )
    assert invalid.value.code == "invalid_outcome"
    assert len(invalid.value.problems) == 2  # the credits and the level, each named
    assert _count(database, OutcomeRow) == stored + 1
