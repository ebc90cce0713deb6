"""Records that mean the same everywhere (ADR 0017), on real databases.

What the log commits to names only global identifiers (record schema 2): deposits, events,
institutions, catalogue items, grants and signing keys. ``log verify`` tells a v1 entry from a
v2 one by the entry's ``v`` and rebuilds the record of that schema, so entries logged before
still verify; and it now notices an item, institution, grant or key changed behind the bank's
back, or a version with no entry. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select, text

from creditbank.accounts import api as accounts_api
from creditbank.accounts import bulk, depositing, lifecycle, outcomes
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.pipeline import IN_PROCESS
from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from creditbank.bootstrap import ledger_readers, log_what_predates_the_log
from creditbank.catalog import grants
from creditbank.catalog.tables import CatalogGrantRow, CatalogItemRow
from creditbank.conversion import api as conversion
from creditbank.conversion.model import Component
from creditbank.credentials import signing
from creditbank.db import Database, UnitOfWork
from creditbank.frameworks import records as framework_records
from creditbank.frameworks.tables import FrameworkVersionRow
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.tables import UserRow
from creditbank.ledger import service as ledger
from creditbank.ledger.model import LogFact, LogKind, canonical_record, commitment
from creditbank.ledger.tables import LogEntryRow, LogSaltRow
from creditbank.ledger.verify import VerifyReport, verify_log
from tests import conftest
from tests.bulk_files import add_college_with_course, course_outcome, csv_bytes, open_learner, row
from tests.support.databases import PinnableDatabase
from tests.support.tamper import drop_triggers
from tests.support.v1_records import deposited_fact_v1, event_fact_v1

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Bank:
    database: Database
    account: str
    user_id: int
    actor: str
    origin: str


@pytest.fixture(scope="module", params=conftest.BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    """Built once per backend, on a copy of the initialised template (the built-in frameworks
    logged): college JSVC with its course CAD-201, a registrar, a learner's account."""
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


@pytest.fixture
def bank(world: Bank) -> Iterator[Bank]:
    """The world, each test's changes rolled back when it ends."""
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


# --- items, institutions, grants and keys are facts; verify notices a change -------------------


def item_id(database: Database) -> str:
    with database.unit_of_work() as uow:
        found: str | None = uow.session.scalar(select(CatalogItemRow.public_id))
    assert found is not None
    return found


def test_verify_names_an_item_renamed_behind_the_banks_back(bank: Bank) -> None:
    public_id = item_id(bank.database)
    assert problems(bank.database) == []
    tamper(bank.database, "UPDATE catalog_items SET name = '另一门课'")
    (problem,) = problems(bank.database)
    assert problem.endswith(
        f": catalog_item.registered {public_id}@1 differs from what was logged "
        "(its commitment does not match)"
    )


def test_a_recoded_item_shows_at_the_item_and_at_every_outcome_that_names_it(bank: Bank) -> None:
    """The issue's case: renaming an item that deposited outcomes name went unnoticed."""
    first, second = deposit(bank, "R-1"), deposit(bank, "R-2")
    public_id = item_id(bank.database)
    tamper(bank.database, "UPDATE catalog_items SET code = 'CAD-999'")
    found = problems(bank.database)
    assert len(found) == 3
    for named in (f"catalog_item.registered {public_id}@1", f"outcome.deposited {first}"):
        assert any(f"{named} differs from what was logged" in problem for problem in found)
    assert any(f"outcome.deposited {second} differs" in problem for problem in found)


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE institutions SET region = 'elsewhere' WHERE code = 'JSVC'", "differs"),
        ("UPDATE institutions SET name_en = 'Renamed' WHERE code = 'JSVC'", "differs"),
        ("UPDATE institutions SET type = 'university' WHERE code = 'JSVC'", "differs"),
    ],
)
def test_verify_names_an_institution_changed_behind_the_banks_back(
    bank: Bank, statement: str, named: str
) -> None:
    tamper(bank.database, statement)
    (problem,) = problems(bank.database)
    assert f"institution.registered JSVC@1 {named} from what was logged" in problem


def test_an_edit_is_a_new_version_and_a_moved_version_shows(bank: Bank) -> None:
    with bank.database.unit_of_work() as uow:
        institutions.edit_institution(
            uow=uow, code="JSVC", version=1, name="江苏学院", name_en="", region="", alliances=()
        )
    with bank.database.unit_of_work() as uow:
        body, _ = entry_of(uow, "institution.changed", "JSVC@2")
    assert (body["issuer"], body["v"]) == ("BANK", 2)
    report = check(bank.database)
    assert [str(problem) for problem in report.problems] == []
    assert report.versions_superseded >= 1  # JSVC@1: the row holds version 2 now

    # moved on: the version the row claims has no entry (JSVC@2 then counts as superseded)
    tamper(bank.database, "UPDATE institutions SET version = 3, name = '别的' WHERE code = 'JSVC'")
    assert problems(bank.database) == [
        "institution.registered JSVC@3 is in the business tables but not in the log"
    ]
    # moved back: version 1 is not what was logged, and version 2's entry has no row
    tamper(bank.database, "UPDATE institutions SET version = 1 WHERE code = 'JSVC'")
    found = problems(bank.database)
    assert len(found) == 2
    assert any("institution.registered JSVC@1 differs from what was logged" in p for p in found)
    assert any("institution.changed JSVC@2 is not in the business tables" in p for p in found)


def test_verify_names_a_grant_whose_window_was_moved(bank: Bank) -> None:
    with bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="TEO", name="某培训评价组织", type=InstitutionType.UNIVERSITY
        )
        granted = grants.grant_item(
            uow=uow,
            owner="JSVC",
            code="CAD-201",
            grantee="TEO",
            valid_from=date(2026, 1, 1),
            valid_until=None,
            by="reg@jsvc.example",
        )
    with bank.database.unit_of_work() as uow:
        grants.withdraw_grant(uow=uow, grant_id=granted.id, by="reg@jsvc.example")
    with bank.database.unit_of_work() as uow:
        public_id = uow.session.scalar(select(CatalogGrantRow.public_id))
        granted_body, _ = entry_of(uow, "catalog_grant.granted", str(public_id))
        entry_of(uow, "catalog_grant.withdrawn", str(public_id))
    assert granted_body["issuer"] == "JSVC"
    assert problems(bank.database) == []

    tamper(bank.database, "UPDATE catalog_grants SET valid_from = '2020-01-01'")
    (problem,) = problems(bank.database)
    assert f"catalog_grant.granted {public_id} differs from what was logged" in problem


def test_keys_registered_rotated_and_compromised_are_versions_verify_watches(bank: Bank) -> None:
    with bank.database.unit_of_work() as uow:
        first = signing.generate_key(uow=uow, owner="JSVC", now=NOW)
    with bank.database.unit_of_work() as uow:
        second = signing.rotate_key(uow=uow, owner="JSVC", now=NOW + timedelta(days=1))
    with bank.database.unit_of_work() as uow:
        signing.mark_compromised(
            uow=uow,
            owner="JSVC",
            name=second.name,
            since=NOW + timedelta(days=2),
            now=NOW + timedelta(days=3),
        )
    with bank.database.unit_of_work() as uow:
        kinds = {
            record_id: kind
            for kind, record_id in uow.session.execute(
                select(LogEntryRow.kind, LogEntryRow.record_id).where(
                    LogEntryRow.kind.like("signing_key.%")
                )
            )
        }
    assert kinds == {
        f"{first.public_key}@1": "signing_key.registered",
        f"{first.public_key}@2": "signing_key.rotated",
        f"{second.public_key}@1": "signing_key.registered",
        f"{second.public_key}@2": "signing_key.compromised",
    }
    report = check(bank.database)
    assert [str(problem) for problem in report.problems] == []
    assert report.versions_superseded >= 2

    tamper(
        bank.database,
        "UPDATE signing_keys SET compromised_from = NULL WHERE public_key = :key",
        key=second.public_key,
    )
    (problem,) = problems(bank.database)
    assert f"signing_key.compromised {second.public_key}@2 differs from what was logged" in problem


def test_a_swapped_key_shows(bank: Bank) -> None:
    with bank.database.unit_of_work() as uow:
        key = signing.generate_key(uow=uow, owner="JSVC", now=NOW)
    forged = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    tamper(bank.database, "UPDATE signing_keys SET public_key = :forged", forged=forged)
    found = problems(bank.database)
    assert f"signing_key.registered {forged}@1 is in the business tables but not in the log" in (
        found
    )
    assert any(
        f"signing_key.registered {key.public_key}@1 is not in the business" in p for p in found
    )


def test_a_programme_is_a_fact_and_verify_names_it_changed(bank: Bank) -> None:
    with bank.database.unit_of_work() as uow:
        conversion.create_programme(
            uow=uow,
            spec=conversion.ProgrammeSpec(
                code="JSVC-CAD",
                institution="JSVC",
                item="CAD-201",
                name="计算机辅助设计专业",
                total_credits=Decimal(60),
                components=(
                    Component(
                        "CAD-201",
                        "计算机辅助设计",
                        Decimal(3),
                        category="core",
                        mandatory=True,
                        item="JSVC:CAD-201",
                    ),
                ),
                category_credits={"core": Decimal(3)},
                min_level=("LOFOUC", "4"),
            ),
            by="reg@jsvc.example",
        )
    readers, _ = ledger_readers()
    with bank.database.unit_of_work() as uow:
        body, salt = entry_of(uow, "programme.defined", "JSVC-CAD")
        record = readers[LogKind.PROGRAMME_DEFINED, 2](uow, ["JSVC-CAD"])["JSVC-CAD"]
    assert (body["v"], body["issuer"]) == (2, "JSVC")
    assert commitment(record, salt).hex() == body["commitment"]
    assert (record["item"], record["min_level"], record["category_credits"]) == (
        "JSVC:CAD-201",
        "LOFOUC@1:4",
        "core=3",
    )
    assert problems(bank.database) == []
    tamper(bank.database, "UPDATE programme_components SET credits = 30")
    (problem,) = problems(bank.database)
    assert "programme.defined JSVC-CAD differs from what was logged" in problem


# --- a bank upgraded past migration 0018 --------------------------------------------------------


def test_rows_made_before_they_were_facts_are_logged_by_init(bank: Bank) -> None:
    """Rows from before migration 0018 (made here behind the log's back) have no entry: verify
    says so, and ``creditbank init``'s catch-up logs each once."""
    tamper(
        bank.database,
        "INSERT INTO institutions (code, name, name_en, type, region, created_at, version) "
        "VALUES ('OLD-U', '老大学', '', 'university', '', '2020-01-01 00:00:00', 1)",
    )
    assert problems(bank.database) == [
        "institution.registered OLD-U@1 is in the business tables but not in the log"
    ]
    with bank.database.unit_of_work() as uow:
        assert log_what_predates_the_log(uow) == 1
    with bank.database.unit_of_work() as uow:
        assert log_what_predates_the_log(uow) == 0
        body, _ = entry_of(uow, "institution.registered", "OLD-U@1")
    assert body["v"] == 2
    assert problems(bank.database) == []


def test_no_row_id_in_any_v2_record(bank: Bank) -> None:
    """Every record the log holds after a day's work is a v2 record that names no row id; those
    of outcomes and their events are flat."""
    first = deposit(bank, "R-1")
    with bank.database.unit_of_work() as uow:
        lifecycle.verify_outcome(uow=uow, public_id=first, user_id=bank.user_id)
        signing.generate_key(uow=uow, owner="JSVC", now=NOW)
    readers, _ = ledger_readers()
    allowed = {"public_id", "record_id"}  # the outcome's public id; the institution's own record id
    kinds: set[str] = set()
    with bank.database.unit_of_work() as uow:
        entries = uow.session.execute(
            select(LogEntryRow.kind, LogEntryRow.record_id, LogEntryRow.body)
        ).all()
        for kind, record_id, body in entries:
            assert json.loads(body)["v"] == 2, (kind, record_id)
            record = readers[LogKind(kind), 2](uow, [record_id])[record_id]
            kinds.add(kind)
            assert (record["schema"], record["bank"]) == (2, bank.origin)
            named_by_row_id = {key for key in record if key.endswith("_id")} - allowed
            assert named_by_row_id == set(), (kind, record)
            if kind.startswith("outcome."):
                assert not any(isinstance(value, dict | list) for value in record.values())
    assert kinds == {
        "framework_version.published",
        "institution.registered",
        "catalog_item.registered",
        "outcome.deposited",
        "outcome.verified",
        "signing_key.registered",
    }
