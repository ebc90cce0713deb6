"""The ledger on real databases: facts land with their leaves, proofs verify, nobody edits.

Each test runs on SQLite and on PostgreSQL. Proofs are checked with the pure core's
RFC 9162 verifiers against the root of a checkpoint whose signature is checked with the
log's verifier key, as an outsider would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, literal, select, text
from sqlalchemy.exc import DBAPIError

from creditbank.accounts import lifecycle, outcomes
from creditbank.bootstrap import ledger_readers
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import api as ledger_api
from creditbank.ledger import merkle, notes
from creditbank.ledger import service as ledger
from creditbank.ledger.model import LogFact, LogKind
from creditbank.ledger.tables import LogEntryRow, LogLeafRow
from creditbank.ledger.verify import verify_log
from tests import conftest
from tests.bulk_files import add_college_with_course, course_outcome, open_learner

TODAY = date(2026, 11, 22)


facts = course_outcome


@pytest.fixture
def bank(database: Database) -> tuple[Database, str, int]:
    """A college with a course, a learner's account, and a registrar's user id."""
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        user = institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        account = open_learner(uow)
    return database, account, user.id


def deposit(database: Database, account: str, record_id: str) -> outcomes.Deposited:
    with database.unit_of_work() as uow:
        return outcomes.deposit_outcome(
            uow=uow, institution="JSVC", account_number=account, facts=facts(record_id), today=TODAY
        )


def checked_checkpoint(database: Database) -> notes.Checkpoint:
    """The newest checkpoint, its signature checked with the log's verifier key."""
    with database.unit_of_work() as uow:
        published = ledger.latest_checkpoint(uow)
        keys = ledger.log_keys(uow)
    assert published is not None
    verifier = notes.Verifier.from_verifier_key(keys.verifier_key)
    return notes.Checkpoint.parse(notes.open_note(published.text, [verifier]).text)


def verify(database: Database) -> list[str]:
    with database.unit_of_work() as uow:
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    return [str(problem) for problem in report.problems]


def test_a_deposit_lands_in_the_log_with_a_receipt_that_proves_it(
    bank: tuple[Database, str, int],
) -> None:
    database, account, _ = bank
    first = deposit(database, account, "R-1")
    second = deposit(database, account, "R-2")
    again = deposit(database, account, "R-1")
    assert first.receipt is not None
    assert second.receipt is not None
    assert second.receipt.leaf_index == first.receipt.leaf_index + 1
    assert again.created is False
    assert again.receipt == first.receipt  # sent again: the same entry, nothing appended
    checkpoint = checked_checkpoint(database)
    size = second.receipt.leaf_index + 1
    assert checkpoint.size == size
    with database.unit_of_work() as uow:
        for receipt in (first.receipt, second.receipt):
            proof = ledger.inclusion_proof(uow, index=receipt.leaf_index, tree_size=size)
            merkle.verify_inclusion(
                receipt.leaf_hash, receipt.leaf_index, size, proof, checkpoint.root_hash
            )
        (found,) = ledger.receipts(uow, first.outcome.public_id)
    assert found.entry.leaf_hash == first.receipt.leaf_hash
    assert b'"kind":"outcome.deposited"' in found.entry.body
    assert account.encode() not in found.entry.body  # only a commitment to the record
    assert verify(database) == []


def test_other_areas_ask_the_api_which_records_are_logged(
    bank: tuple[Database, str, int],
) -> None:
    database, account, _ = bank
    logged = deposit(database, account, "R-1").outcome.public_id
    kind = LogKind.OUTCOME_DEPOSITED
    with database.unit_of_work() as uow:
        found = ledger_api.logged_record_ids(uow=uow, kind=kind, record_ids=[logged, "NONE"])
        other_kind = ledger_api.logged_record_ids(
            uow=uow, kind=LogKind.OUTCOME_REVOKED, record_ids=[logged]
        )
        nothing = ledger_api.logged_record_ids(uow=uow, kind=kind, record_ids=[])
        in_a_query = {
            rid
            for rid in (logged, "NONE")
            if uow.session.scalar(select(ledger_api.is_logged(kind, literal(rid))))
        }
    assert found == {logged} and other_kind == set() and nothing == set()
    assert in_a_query == {logged}


def test_lifecycle_events_are_logged_and_verify(bank: tuple[Database, str, int]) -> None:
    database, account, user = bank
    with database.unit_of_work() as uow:
        frameworks_logged = ledger.head(uow).tree_size  # the built-in frameworks' versions
    first = deposit(database, account, "R-1").outcome.public_id
    second = deposit(database, account, "R-2").outcome.public_id
    with database.unit_of_work() as uow:
        verified = lifecycle.verify_outcome(uow=uow, public_id=first, user_id=user)
    with database.unit_of_work() as uow:
        revoked = lifecycle.revoke_outcome(
            uow=uow, public_id=first, user_id=user, reason="certificate withdrawn"
        )
    with database.unit_of_work() as uow:
        corrected = lifecycle.supersede_outcome(
            uow=uow,
            public_id=second,
            facts=facts("R-2b"),
            reason="score mistyped",
            user_id=user,
            today=TODAY,
        )
    assert verified.receipt is not None
    assert revoked.receipt is not None
    assert corrected.record.receipt is not None
    assert verified.receipt.kind is LogKind.OUTCOME_VERIFIED
    assert revoked.receipt.kind is LogKind.OUTCOME_REVOKED
    with database.unit_of_work() as uow:
        kinds = [r.entry.kind for r in ledger.receipts(uow, second)]
        size = ledger.head(uow).tree_size
    assert kinds == ["outcome.deposited", "outcome.superseded"]
    assert size == frameworks_logged + 6  # 2 deposits, verified, revoked, correction, superseded
    assert verify(database) == []


def test_every_proof_between_every_checkpoint_verifies(database: Database) -> None:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        base = ledger.head(uow).tree_size
    roots: dict[int, bytes] = {}
    for batch in range(9):  # seals of 1 to 9 entries: trees of every shape up to 45 leaves
        with database.unit_of_work() as uow:
            ledger.append(
                uow,
                [
                    LogFact(LogKind.OUTCOME_DEPOSITED, f"x{batch}-{n}", "T", datetime.now(UTC), {})
                    for n in range(batch + 1)
                ],
            )
        with database.unit_of_work() as uow:
            current = ledger.head(uow)
            roots[current.tree_size] = current.root_hash
    with database.unit_of_work() as uow:
        leaves = [e.leaf_hash for e in ledger.entries(uow, start=0, end=1000)]
        assert merkle.root_of(leaves) == roots[base + 45]
        for size, root in roots.items():
            for index in range(size):
                proof = ledger.inclusion_proof(uow, index=index, tree_size=size)
                merkle.verify_inclusion(leaves[index], index, size, proof, root)
            for first, first_root in roots.items():
                if first < size:
                    proof = ledger.consistency_proof(uow, first=first, second=size)
                    merkle.verify_consistency(first, size, proof, first_root, root)
        with pytest.raises(ledger.LogError) as beyond:
            ledger.inclusion_proof(uow, index=0, tree_size=base + 46)
    assert beyond.value.code == "log_size_out_of_range"


EDITS = (
    "UPDATE log_entries SET record_id = 'x'",
    "DELETE FROM log_entries",
    "UPDATE log_nodes SET hash = hash",
    "DELETE FROM log_leaves",
    "DELETE FROM log_checkpoints",
    "UPDATE outcomes SET score = 100",
    "DELETE FROM outcome_events",
)
"""Edits and deletes of the log and of the facts, each of which the triggers refuse."""


def test_the_log_and_the_facts_refuse_updates_and_deletes(bank: tuple[Database, str, int]) -> None:
    """Each of ``EDITS`` is refused as append-only, each in a transaction of its own, and the
    log verifies after each. One database for them all (it is the test's own: the statements
    go through connections of their own), since a refused statement changes nothing the next
    one meets; each statement was a test of its own, with a database of its own to build."""
    database, account, user = bank
    public_id = deposit(database, account, "R-1").outcome.public_id
    with database.unit_of_work() as uow:
        lifecycle.verify_outcome(uow=uow, public_id=public_id, user_id=user)
    not_refused = {}
    for statement in EDITS:
        try:
            with database.engine.begin() as connection:
                connection.execute(text(statement))
        except DBAPIError as error:
            if "append-only" not in str(error):
                not_refused[statement] = str(error)
        else:
            not_refused[statement] = "carried out"
        assert verify(database) == [], statement
    assert not_refused == {}


@pytest.fixture
def postgres_bank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, str]]:
    """The bank of :func:`bank` on PostgreSQL only: SQLite has one writer at a time, so the race
    between writers that could fork the tree is PostgreSQL's."""
    database = conftest._new_database(request, "postgresql", tmp_path)
    try:
        with database.unit_of_work() as uow:
            frameworks.install_builtin_frameworks(uow=uow)
            add_college_with_course(uow)
            account = open_learner(uow)
        yield database, account
    finally:
        database.dispose()


def test_parallel_writers_on_postgresql_keep_one_history(
    postgres_bank: tuple[Database, str],
) -> None:
    database, account = postgres_bank
    writers, each = 6, 8
    failures: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(each):
                deposit(database, account, f"W{writer}-{n}")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.unit_of_work() as uow:
        indexes = uow.session.scalars(select(LogLeafRow.leaf_index)).all()
        entries = uow.session.scalar(select(func.count()).select_from(LogEntryRow))
    assert sorted(indexes) == list(range(len(indexes)))  # one run of leaves, no gap, no repeat
    assert entries == len(indexes) >= writers * each
    assert verify(database) == []
