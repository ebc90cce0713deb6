"""Records that mean the same everywhere (ADR 0017), on real databases: outcomes and events.

What the log commits to names only global identifiers (record schema 2). ``log verify`` tells a
v1 entry from a v2 one by the entry's ``v`` and rebuilds the record of that schema, so entries
logged before still verify. Items, institutions, grants, keys and programmes as facts:
test_versioned_facts.py. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from creditbank.accounts import api as accounts_api
from creditbank.accounts import bulk, depositing, lifecycle
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.pipeline import IN_PROCESS
from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from creditbank.bootstrap import ledger_readers
from creditbank.catalog.tables import CatalogItemRow
from creditbank.frameworks import records as framework_records
from creditbank.frameworks.tables import FrameworkVersionRow
from creditbank.ledger import service as ledger
from creditbank.ledger.model import LogFact, LogKind, canonical_record, commitment
from creditbank.ledger.tables import LogEntryRow
from tests import conftest, records_world
from tests.bulk_files import course_outcome, csv_bytes, row
from tests.records_world import TODAY, Bank, check, deposit, entry_of, problems, tamper
from tests.support.v1_records import deposited_fact_v1, event_fact_v1

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=conftest.BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    yield from records_world.build(request, tmp_path_factory)


@pytest.fixture
def bank(world: Bank) -> Iterator[Bank]:
    yield from records_world.pinned(world)


# --- what a deposit and an event commit to ---------------------------------------------------


def test_a_deposit_commits_to_a_v2_record_that_names_no_row_id(bank: Bank) -> None:
    public_id = deposit(bank, "R-1")
    with bank.database.unit_of_work() as uow:
        body, salt = entry_of(uow, "outcome.deposited", public_id)
        record = accounts_api.deposited_record(uow=uow, public_id=public_id)
        item_public_id = uow.session.scalar(select(CatalogItemRow.public_id))
    assert body["v"] == 2
    assert record is not None
    assert {key: value for key, value in record.items() if key != "deposited_at"} == {
        "schema": 2,
        "bank": bank.origin,
        "public_id": public_id,
        "learner": "sha256$" + hashlib.sha256((bank.account + public_id).encode()).hexdigest(),
        "institution": "JSVC",
        "record_id": "R-1",
        "item_owner": "JSVC",
        "item_code": "CAD-201",
        "item_version": 1,
        "item_kind": "course",
        "level_framework": "LOFOUC",
        "level_framework_version": 1,
        "level_code": "4",
        "credits": record["credits"],
        "score": record["score"],
        "assessed_on": date(2024, 6, 30),
        "setting": "formal",
        "evidence_sha256": None,
    }
    assert bank.account.encode() not in canonical_record(record)
    assert str(record["credits"]) == "3.0"
    assert str(record["score"]) == "80.00"
    assert commitment(record, salt).hex() == body["commitment"]
    with bank.database.unit_of_work() as uow:  # the item itself is a fact: registered, version 1
        item_body, _ = entry_of(uow, "catalog_item.registered", f"{item_public_id}@1")
    assert item_body["issuer"] == "JSVC"
    assert item_body["v"] == 2
    assert problems(bank.database) == []


def test_events_name_their_actor_by_a_pseudonymous_id(bank: Bank) -> None:
    first, second = deposit(bank, "R-1"), deposit(bank, "R-2")
    with bank.database.unit_of_work() as uow:
        lifecycle.verify_outcome(uow=uow, public_id=first, user_id=bank.user_id)
    with bank.database.unit_of_work() as uow:
        lifecycle.revoke_outcome(uow=uow, public_id=first, user_id=bank.user_id, reason="错误")
    with bank.database.unit_of_work() as uow:
        replaced = lifecycle.supersede_outcome(
            uow=uow,
            public_id=second,
            facts=course_outcome("R-2b", score="81"),
            reason="score mistyped",
            user_id=bank.user_id,
            today=TODAY,
        )
    readers, _ = ledger_readers()
    with bank.database.unit_of_work() as uow:
        revoked = readers[LogKind.OUTCOME_REVOKED, 2](uow, [first])[first]
        superseded = readers[LogKind.OUTCOME_SUPERSEDED, 2](uow, [second])[second]
        body, salt = entry_of(uow, "outcome.superseded", second)
    assert revoked["actor"] == superseded["actor"] == bank.actor
    assert revoked["reason"] == "错误"
    assert "by_user_id" not in revoked
    assert (revoked["schema"], revoked["bank"], revoked["replaced_by"]) == (2, bank.origin, None)
    assert superseded["replaced_by"] == replaced.record.outcome.public_id
    assert body["v"] == 2
    assert commitment(superseded, salt).hex() == body["commitment"]
    assert problems(bank.database) == []


def test_a_bulk_deposit_logs_v2_records_and_looks_items_up_once_per_batch(
    bank: Bank,
) -> None:
    """One fact per outcome, each a v2 record; the item and level names cost the same number of
    queries for 4 rows as for 40 (in chunks of 4)."""
    cipher = PersonalDataCipher(os.urandom(32))

    def upload(first: int, count: int) -> tuple[bulk.Batch, int]:
        seen: list[str] = []

        def record(*args: object) -> None:
            statement = str(args[2]).lower()
            if "catalog_items" in statement or "framework_levels" in statement:
                seen.append(statement)

        data = csv_bytes([row(n) for n in range(first, first + count)])
        event.listen(bank.database.engine, "before_cursor_execute", record)
        try:
            batch = bulk.import_batch(
                database=bank.database,
                cipher=cipher,
                institution="JSVC",
                submitted_by="test",
                filename="f.csv",
                file_format=FileFormat.CSV,
                rows=read_rows(io.BytesIO(data), FileFormat.CSV),
                today=TODAY,
                plan=bulk.BulkPlan(chunk_rows=4, worker=IN_PROCESS),
            )
        finally:
            event.remove(bank.database.engine, "before_cursor_execute", record)
        return batch, len(seen)

    small, small_lookups = upload(1, 4)
    large, large_lookups = upload(100, 40)
    assert (small.deposited, large.deposited) == (4, 40)
    assert large_lookups == small_lookups
    with bank.database.unit_of_work() as uow:
        bodies = uow.session.scalars(
            select(LogEntryRow.body).where(LogEntryRow.kind == "outcome.deposited")
        ).all()
        versions = set(uow.session.scalars(select(OutcomeRow.item_version)))
    assert len(bodies) == 44
    assert {json.loads(body)["v"] for body in bodies} == {2}
    assert versions == {1}
    report = check(bank.database)
    assert [str(problem) for problem in report.problems] == []
    assert report.facts_checked >= 44


# --- entries logged before schema 2 ----------------------------------------------------------


def old_deposit(bank: Bank, record_id: str) -> str:
    """An outcome stored and logged as the bank did before schema 2 (a v1 record)."""
    with bank.database.unit_of_work() as uow:
        (made,) = depositing.deposit(
            uow=uow,
            outcomes=[depositing.OutcomeDeposit("JSVC", bank.account, course_outcome(record_id))],
            today=TODAY,
            log=False,
        )
        outcome = uow.session.get_one(OutcomeRow, made.outcome_id)
        ledger.append(
            uow, [deposited_fact_v1(outcome, account_number=bank.account, institution="JSVC")]
        )
        return outcome.public_id


def test_entries_logged_with_v1_records_still_verify(bank: Bank) -> None:
    old = old_deposit(bank, "OLD-1")
    with bank.database.unit_of_work() as uow:
        outcome = uow.session.scalars(select(OutcomeRow).where(OutcomeRow.public_id == old)).one()
        old_event = OutcomeEventRow(
            outcome_id=outcome.id,
            kind=OutcomeStatus.VERIFIED.value,
            reason="checked against the register",
            by_user_id=bank.user_id,
            at=NOW,
        )
        uow.session.add(old_event)
        uow.session.flush()
        ledger.append(
            uow,
            [event_fact_v1(old_event, outcome=old, institution="JSVC", replaced_by=None)],
        )
    new = deposit(bank, "NEW-1")
    with bank.database.unit_of_work() as uow:
        old_body, old_salt = entry_of(uow, "outcome.deposited", old)
        new_body, _ = entry_of(uow, "outcome.deposited", new)
        event_body, _ = entry_of(uow, "outcome.verified", old)
        v1_record = accounts_api.deposited_record(uow=uow, public_id=old, schema=1)
    assert (old_body["v"], event_body["v"], new_body["v"]) == (1, 1, 2)
    assert v1_record is not None
    assert "schema" not in v1_record
    assert isinstance(v1_record["item_id"], int)  # what v1 records named
    assert commitment(v1_record, old_salt).hex() == old_body["commitment"]
    report = check(bank.database)
    assert [str(problem) for problem in report.problems] == []
    assert report.facts_checked >= 3

    tamper(bank.database, "UPDATE outcomes SET score = 12 WHERE public_id = :old", old=old)
    (problem,) = problems(bank.database)
    assert f"outcome.deposited {old} differs from what was logged" in problem


def test_an_entry_of_a_schema_nobody_reads_is_reported_not_skipped(bank: Bank) -> None:
    public_id = deposit(bank, "R-1")
    with bank.database.unit_of_work() as uow:
        ledger.append(
            uow,
            [LogFact(LogKind.OUTCOME_DEPOSITED, public_id, "JSVC", NOW, {"schema": 3})],
        )
    (problem,) = problems(bank.database)
    assert problem.endswith("no business table holds entries of kind outcome.deposited (v3)")


def test_other_areas_v1_entries_verify_beside_their_v2_ones(bank: Bank) -> None:
    """A framework version logged with its first record (schema 1, as every bank's built-in
    frameworks were) verifies beside the v2 entry; a change to the version shows at both."""
    with bank.database.unit_of_work() as uow:
        row = uow.session.scalars(
            select(FrameworkVersionRow).where(FrameworkVersionRow.code == "NVQC")
        ).one()
        ledger.append(
            uow,
            [
                LogFact(
                    LogKind.FRAMEWORK_VERSION_PUBLISHED,
                    framework_records.record_id(row.code, row.version),
                    framework_records.ISSUER,
                    row.published_at,
                    framework_records.version_record(row),
                )
            ],
        )
        bodies = uow.session.scalars(
            select(LogEntryRow.body).where(LogEntryRow.record_id == "NVQC@1")
        ).all()
    assert sorted(json.loads(body)["v"] for body in bodies) == [1, 2]
    assert problems(bank.database) == []
    tamper(bank.database, "UPDATE framework_versions SET name_en = 'Renamed' WHERE code = 'NVQC'")
    found = problems(bank.database)
    assert len(found) == 2
    assert all(
        "framework_version.published NVQC@1 differs from what was logged" in p for p in found
    )
