"""The world of tests/integration/test_global_records.py and test_versioned_facts.py (ADR 0017):
college JSVC with its course CAD-201, a registrar and a learner's account, on a copy of the
initialised template, built once per module and backend, each test rolled back; and the helpers
they share (checking the log, reading an entry and its salt, tampering behind the bank's back).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from creditbank.accounts import outcomes
from creditbank.bootstrap import ledger_readers
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.institutions.tables import UserRow
from creditbank.ledger import service as ledger
from creditbank.ledger.tables import LogEntryRow, LogSaltRow
from creditbank.ledger.verify import VerifyReport, verify_log
from tests import conftest
from tests.bulk_files import add_college_with_course, course_outcome, open_learner
from tests.support.databases import PinnableDatabase
from tests.support.tamper import drop_triggers

TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Bank:
    database: Database
    account: str
    user_id: int
    actor: str
    origin: str


def build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    """The world on ``request.param``'s backend, built once, on a copy of the initialised template
    (the built-in frameworks logged): college JSVC with its course CAD-201, a registrar, a
    learner's account (a module's ``world`` fixture yields from it)."""
    database = conftest._new_database(
        request, request.param, tmp_path_factory.mktemp("records"), initialised=True
    )
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
        user = institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        account = open_learner(uow)
        public_id = uow.session.scalar(select(UserRow.public_id).where(UserRow.id == user.id))
        origin = ledger.log_keys(uow).origin
    assert public_id
    yield Bank(database, account, user.id, f"user:{public_id}", origin)
    database.dispose()


def pinned(world: Bank) -> Iterator[Bank]:
    """The world, the test's changes rolled back when it ends (a module's ``bank`` fixture)."""
    assert isinstance(world.database, PinnableDatabase)
    with world.database.pinned():
        yield world


def check(database: Database) -> VerifyReport:
    with database.unit_of_work() as uow:
        readers, unlogged = ledger_readers()
        return verify_log(uow=uow, readers=readers, unlogged=unlogged)


def problems(database: Database) -> list[str]:
    return [str(problem) for problem in check(database).problems]


def entry_of(uow: UnitOfWork, kind: str, record_id: str) -> tuple[dict[str, object], bytes]:
    """The entry's body and its salt."""
    entry_id, body = uow.session.execute(
        select(LogEntryRow.id, LogEntryRow.body).where(
            LogEntryRow.kind == kind, LogEntryRow.record_id == record_id
        )
    ).one()
    salt = uow.session.scalar(select(LogSaltRow.salt).where(LogSaltRow.entry_id == entry_id))
    assert salt is not None
    return json.loads(body), bytes(salt)


def deposit(bank: Bank, record_id: str) -> str:
    with bank.database.unit_of_work() as uow:
        return outcomes.deposit_outcome(
            uow=uow,
            institution="JSVC",
            account_number=bank.account,
            facts=course_outcome(record_id),
            today=TODAY,
        ).outcome.public_id


def tamper(database: Database, statement: str, **values: object) -> None:
    """Change rows behind the bank's back (past the append-only triggers), inside the test's
    transaction (rolled back when it ends)."""
    with database.unit_of_work() as uow:
        drop_triggers(uow.session.connection())
        uow.session.execute(text(statement), values)
