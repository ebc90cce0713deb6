"""Institutions, catalogue items, grants, signing keys and programmes as facts of record
(ADR 0017), on real databases: each a v2 record, versioned where its row changes
(``<id>@<version>``); ``log verify`` names one changed behind the bank's back, a moved version,
a row with no entry; ``creditbank init`` logs what a bank held before. Each test runs on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from creditbank.accounts import lifecycle
from creditbank.bootstrap import ledger_readers, log_what_predates_the_log
from creditbank.catalog import grants
from creditbank.catalog.tables import CatalogGrantRow, CatalogItemRow
from creditbank.conversion import api as conversion
from creditbank.conversion.model import Component
from creditbank.credentials import signing
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger.model import LogKind, commitment
from creditbank.ledger.tables import LogEntryRow
from tests import conftest, records_world
from tests.records_world import Bank, check, deposit, entry_of, problems, tamper

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=conftest.BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bank]:
    yield from records_world.build(request, tmp_path_factory)


@pytest.fixture
def bank(world: Bank) -> Iterator[Bank]:
    yield from records_world.pinned(world)


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
