"""The one deposit every area calls (``accounts.api.deposit``), with typed outcomes, on both
databases: checked, logged with a receipt, idempotent, refusing other facts; several at once
all or nothing; the log facts handed back when the caller logs them; a results file's names
checked against the holders; a derived origin's checks skipped; a batch recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from creditbank.accounts import api as accounts
from creditbank.accounts import bulk
from creditbank.accounts import service as learners
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import NAME_MISMATCH, OutcomeFacts
from creditbank.accounts.tables import OutcomeRow
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger import api as ledger
from creditbank.ledger.tables import LogEntryRow
from tests.bulk_files import add_college_with_course, course_outcome, id_number, open_learner

TODAY = date(2026, 11, 22)


@pytest.fixture
def account(database: Database) -> str:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        return open_learner(uow)


def _deposit(
    uow: UnitOfWork, institution: str, account_number: str, facts: OutcomeFacts
) -> accounts.Deposited:
    (made,) = accounts.deposit(
        uow=uow,
        outcomes=[accounts.OutcomeDeposit(institution, account_number, facts)],
        today=TODAY,
    ).outcomes
    return made.deposited


def _count(database: Database, table: type[OutcomeRow | LogEntryRow]) -> int:
    with database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def test_an_outcome_is_deposited_once_and_logged(database: Database, account: str) -> None:
    facts = course_outcome("ONE-1")
    logged, stored = _count(database, LogEntryRow), _count(database, OutcomeRow)
    with database.unit_of_work() as uow:
        first = _deposit(uow, "jsvc", account, facts)
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
        again = _deposit(uow, "JSVC", account, facts)
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
        _deposit(uow, "JSVC", account, course_outcome("ONE-2"))
    with database.unit_of_work() as uow, pytest.raises(accounts.AccountError) as conflict:
        _deposit(uow, "JSVC", account, course_outcome("ONE-2", score="90"))
    assert conflict.value.code == "record_conflict"
    too_many = replace(course_outcome("ONE-3"), credits=Decimal(9), level="7")
    with database.unit_of_work() as uow, pytest.raises(accounts.AccountError) as invalid:
        _deposit(uow, "JSVC", account, too_many)
    assert invalid.value.code == "invalid_outcome"
    assert len(invalid.value.problems) == 2  # the credits and the level, each named
    assert _count(database, OutcomeRow) == stored + 1


def _logged_ids(database: Database) -> list[str]:
    """The record ids of the log's entries, in order."""
    with database.unit_of_work() as uow:
        return list(uow.session.scalars(select(LogEntryRow.record_id).order_by(LogEntryRow.id)))


def test_several_outcomes_go_in_all_or_none_and_are_logged_in_order(
    database: Database, account: str
) -> None:
    bad = replace(course_outcome("MANY-2"), level="7")
    outcomes = [
        accounts.OutcomeDeposit("JSVC", account, course_outcome("MANY-1")),
        accounts.OutcomeDeposit("JSVC", account, bad),
    ]
    stored, before = _count(database, OutcomeRow), _logged_ids(database)
    with database.unit_of_work() as uow, pytest.raises(accounts.DepositRefusedError) as refused:
        accounts.deposit(uow=uow, outcomes=outcomes, today=TODAY)
    assert [(index, column) for index, column, _ in refused.value.rows] == [(1, "level")]
    assert refused.value.code == "invalid_outcome"
    assert _count(database, OutcomeRow) == stored
    outcomes[1] = accounts.OutcomeDeposit("JSVC", account, course_outcome("MANY-2"))
    with database.unit_of_work() as uow:
        made = accounts.deposit(uow=uow, outcomes=outcomes, today=TODAY).outcomes
    assert [one.outcome.record_id for one in made] == ["MANY-1", "MANY-2"]
    assert all(one.created and one.receipt is not None for one in made)
    assert _logged_ids(database) == [*before, *(one.outcome.public_id for one in made)]


def test_without_log_the_caller_appends_the_facts(database: Database, account: str) -> None:
    before = _logged_ids(database)
    with database.unit_of_work() as uow:
        (made,) = accounts.deposit(
            uow=uow,
            outcomes=[accounts.OutcomeDeposit("JSVC", account, course_outcome("LATER-1"))],
            today=TODAY,
            log=False,
        ).outcomes
        assert made.receipt is None
        assert made.fact is not None
        assert made.fact.record_id == made.outcome.public_id
        assert _logged_ids(database) == before  # not in the log until the caller appends it
        ledger.append(uow, [made.fact])
    assert _logged_ids(database) == [*before, made.outcome.public_id]


def test_a_results_files_name_must_be_the_holders(database: Database) -> None:
    cipher = PersonalDataCipher(bytes(32))
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        number = learners.open_account(
            uow=uow,
            cipher=cipher,
            id_number=accounts.parse_id_number(id_number(7)),
            name="Li  Si",
        ).number

    def result(record: str, name: str) -> accounts.OutcomeDeposit:
        return accounts.OutcomeDeposit(
            "JSVC", number, course_outcome(record), accounts.SessionResult(3, name)
        )

    with database.unit_of_work() as uow, pytest.raises(accounts.DepositRefusedError) as refused:
        accounts.deposit(
            uow=uow,
            outcomes=[result("XS-1", "LI SI"), result("XS-2", "Wang Wu")],
            today=TODAY,
            cipher=cipher,
        )
    assert refused.value.rows == [(1, "name", NAME_MISMATCH)]
    with database.unit_of_work() as uow:
        made = accounts.deposit(
            uow=uow, outcomes=[result("XS-1", "li si")], today=TODAY, cipher=cipher
        ).outcomes
    assert [one.created for one in made] == [True]


def test_a_derived_outcome_skips_the_depositors_checks(database: Database, account: str) -> None:
    """An accredited unit's item is the standard owner's, which the centre may not issue (and
    the credits here exceed the item's): as the centre's own statement the deposit is refused,
    as accredited learning it is stored as given."""
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="STDO", name="标准所有者", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="STDO",
                code="UNIT-1",
                kind=ItemKind.COURSE,
                name="单元",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(2),
            ),
            on=TODAY,
        )
    facts = replace(
        course_outcome("accreditation/abc/1"),
        item_code="STDO:UNIT-1",
        credits=Decimal(3),  # more than the item carries
        assessed_on=TODAY,
    )
    with database.unit_of_work() as uow, pytest.raises(accounts.AccountError) as refused:
        _deposit(uow, "JSVC", account, facts)
    assert refused.value.code == "invalid_outcome"
    with database.unit_of_work() as uow:
        (made,) = accounts.deposit(
            uow=uow,
            outcomes=[
                accounts.OutcomeDeposit("JSVC", account, facts, accounts.AccreditedLearning("abc"))
            ],
            today=TODAY,
        ).outcomes
        row = uow.session.get_one(OutcomeRow, made.outcome_id)
        assert (row.credits, made.outcome.item_owner) == (Decimal(3), "STDO")


def test_a_deposit_under_a_batch_records_it(database: Database, account: str) -> None:
    label = accounts.BatchLabel(
        "JSVC", "registrar@jsvc.example", "results.csv", accounts.FileFormat.CSV
    )
    outcomes = [
        accounts.OutcomeDeposit("JSVC", account, course_outcome("B-1")),
        accounts.OutcomeDeposit("JSVC", account, course_outcome("B-2")),
    ]
    with database.unit_of_work() as uow:
        accounts.deposit(uow=uow, outcomes=outcomes[:1], today=TODAY)
    with database.unit_of_work() as uow:
        made = accounts.deposit(uow=uow, outcomes=outcomes, today=TODAY, batch=label)
        assert made.batch is not None
        rows = [uow.session.get_one(OutcomeRow, one.outcome_id) for one in made.outcomes]
        assert [row.batch_id for row in rows] == [None, made.batch_row_id]
        batch = bulk.get_batch(uow=uow, batch_id=made.batch)
    assert (batch.status, batch.rows, batch.deposited, batch.unchanged) == (
        accounts.BatchStatus.COMMITTED,
        2,
        1,
        1,
    )
