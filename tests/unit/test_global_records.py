"""The v2 record builders (ADR 0017), pure: no database.

What each record of an institution, a catalogue item, a grant and a signing key holds, that
every one names the bank and its schema and no row id, that an entry's ``v`` is its record's
schema, and how an earlier version of a versioned fact is told from the newest.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creditbank.accounts.records import (
    ItemRef,
    LevelRef,
    event_record,
    outcome_values_v2,
    transfer_values,
)
from creditbank.accounts.tables import OutcomeEventRow
from creditbank.catalog.records import grant_record, item_record, level_name, withdrawal_record
from creditbank.catalog.tables import CatalogGrantRow, CatalogItemRow
from creditbank.credentials.records import issuer, key_record
from creditbank.credentials.tables import SigningKeyRow
from creditbank.frameworks.model import Level, PinnedLevel, Text
from creditbank.institutions.records import institution_record
from creditbank.institutions.tables import InstitutionRow
from creditbank.ledger.model import (
    SUPERSEDED,
    LogFact,
    LogKind,
    canonical_record,
    make_entry,
    record_schema,
    split_versioned_id,
    versioned_id,
)
from creditbank.ledger.versioned import identifiers, versions_read

BANK = "bank.example/log"
AT = datetime(2026, 12, 7, 9, 0, 0, 123456, tzinfo=UTC)


def _no_row_ids(record: dict[str, object]) -> None:
    assert record["schema"] == 2
    assert record["bank"] == BANK
    # an outcome's public id, and the institution's own record id: no row id of the bank
    assert {key for key in record if key == "id" or key.endswith("_id")} <= {
        "public_id",
        "record_id",
    }


def test_an_institutions_record_names_it_by_code_and_version() -> None:
    row = InstitutionRow(
        id=41,
        code="JSVC",
        name="江苏某学院",
        name_en="Jiangsu College",
        type="higher_vocational_college",
        region="江苏",
        created_at=AT,
        version=3,
    )
    record = institution_record(row, bank=BANK, alliances=["YRD", "OUC"])
    assert record == {
        "schema": 2,
        "bank": BANK,
        "code": "JSVC",
        "version": 3,
        "name": "江苏某学院",
        "name_en": "Jiangsu College",
        "type": "higher_vocational_college",
        "region": "江苏",
        "alliances": "OUC YRD",
        "registered_at": AT,
    }
    _no_row_ids(record)


def test_an_items_record_lists_its_levels_by_framework_version_and_code() -> None:
    row = CatalogItemRow(
        id=7,
        public_id="a" * 32,
        institution_id=41,
        code="BIM-X",
        kind="x_certificate",
        name="建筑信息模型",
        name_en="BIM",
        framework="1X",
        credits=Decimal(3),
        attributes={"provider": "TEO-BIM", "approval_round": "1"},
        created_at=AT,
        version=2,
    )
    levels = [
        PinnedLevel(11, "1X", 3, Level("beginner", "main", 0, Text("初级", "Beginner"))),
        PinnedLevel(12, "1X", 3, Level("intermediate", "main", 1, Text("中级", "Intermediate"))),
    ]
    record = item_record(row, bank=BANK, owner="TEO-BIM", levels=[level_name(x) for x in levels])
    assert record == {
        "schema": 2,
        "bank": BANK,
        "owner": "TEO-BIM",
        "code": "BIM-X",
        "version": 2,
        "kind": "x_certificate",
        "name": "建筑信息模型",
        "name_en": "BIM",
        "framework": "1X",
        "levels": "1X@3:beginner 1X@3:intermediate",
        "credits": Decimal("3.0"),
        "registered_at": AT,
        "attribute_provider": "TEO-BIM",
        "attribute_approval_round": "1",
    }
    _no_row_ids(record)
    assert b'"credits":"3.0"' in canonical_record(record)  # given as Decimal(3)
    # the credits as the column holds them, whatever the caller gave: the same commitment
    row.credits = Decimal("3.0")
    assert canonical_record(item_record(row, bank=BANK, owner="TEO-BIM", levels=[])) == (
        canonical_record({**record, "levels": ""})
    )


def test_a_grants_records_name_the_item_and_the_grantee_by_code() -> None:
    row = CatalogGrantRow(
        id=5,
        public_id="b" * 32,
        item_id=7,
        grantee_id=42,
        valid_from=date(2026, 1, 1),
        valid_until=None,
        granted_by="someone@example.edu",
        granted_at=AT,
        withdrawn_by=None,
        withdrawn_at=None,
    )
    granted = grant_record(
        row,
        bank=BANK,
        owner="TEO-BIM",
        item_code="BIM-X",
        item_kind="x_certificate",
        grantee="JSVC",
    )
    assert granted == {
        "schema": 2,
        "bank": BANK,
        "grant": "b" * 32,
        "item_owner": "TEO-BIM",
        "item_code": "BIM-X",
        "item_kind": "x_certificate",
        "grantee": "JSVC",
        "valid_from": date(2026, 1, 1),
        "valid_until": None,
        "granted_at": AT,
    }
    assert "someone@example.edu" not in json.dumps(granted, default=str)  # no e-mail address
    row.withdrawn_at = AT
    assert withdrawal_record(row, bank=BANK) == {
        "schema": 2,
        "bank": BANK,
        "grant": "b" * 32,
        "withdrawn_at": AT,
    }
    _no_row_ids(granted)


def test_a_keys_record_holds_its_public_facts_never_its_private_key() -> None:
    row = SigningKeyRow(
        id=3,
        owner="JSVC",
        institution_id=41,
        name="key-2",
        did_method="web",
        public_key="z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        sealed_nonce=b"n" * 12,
        sealed_private_key=b"secret-bytes",
        valid_from=AT,
        valid_until=None,
        compromised_from=AT,
        created_at=AT,
        version=2,
    )
    record = key_record(row, bank=BANK)
    assert record == {
        "schema": 2,
        "bank": BANK,
        "owner": "JSVC",
        "name": "key-2",
        "did_method": "web",
        "public_key": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "version": 2,
        "valid_from": AT,
        "valid_until": None,
        "compromised_from": AT,
        "registered_at": AT,
    }
    assert b"secret" not in canonical_record(record)
    assert issuer(row) == "JSVC"
    row.institution_id, row.owner = None, "bank"
    assert issuer(row) == "BANK"
    _no_row_ids(record)


def test_transferred_credit_is_flat_in_a_v2_record() -> None:
    stored = {
        "conversion": "c" * 32,
        "programme": "SHVC-BIM",
        "programme_name": "建筑信息模型专业",
        "programme_name_en": "BIM",
        "component": None,
        "component_name": None,
        "category": "elective",
        "rule": "R-1",
        "rule_version": 4,
        "sources": ["s1", "s2"],
    }
    assert transfer_values(stored) == {
        "transfer_conversion": "c" * 32,
        "transfer_programme": "SHVC-BIM",
        "transfer_programme_name": "建筑信息模型专业",
        "transfer_programme_name_en": "BIM",
        "transfer_component": None,
        "transfer_component_name": None,
        "transfer_category": "elective",
        "transfer_rule": "R-1",
        "transfer_rule_version": 4,
        "transfer_sources": "s1 s2",
    }
    record = outcome_values_v2(
        bank=BANK,
        public_id="p",
        account_number="CB1",
        institution="SHVC",
        record_id="r",
        item=ItemRef("SHVC", "BIM-101", 1, "course"),
        level=LevelRef("LOFOUC", 1, "5"),
        given=[Decimal("2.0"), None, date(2026, 12, 7), "formal", None],
        deposited_at=AT,
        transfer=stored,
    )
    assert not any(isinstance(value, dict | list) for value in record.values())
    _no_row_ids(record)


def test_an_entrys_v_is_its_records_schema() -> None:
    v1 = LogFact(LogKind.OUTCOME_DEPOSITED, "p", "JSVC", AT, {"item_id": 4})
    v2 = LogFact(LogKind.OUTCOME_DEPOSITED, "p", "JSVC", AT, {"schema": 2, "bank": BANK})
    salt = bytes(16)
    assert json.loads(make_entry(v1, salt).body)["v"] == 1
    assert json.loads(make_entry(v2, salt).body)["v"] == 2
    assert record_schema({"item_id": 4}) == 1
    with pytest.raises(TypeError):
        record_schema({"schema": "2"})
    with pytest.raises(TypeError):
        record_schema({"schema": True})
    event = OutcomeEventRow(kind="verified", reason="", by_user_id=8, at=AT)
    assert record_schema(event_record(event, outcome="p", replaced_by=None)) == 1


def test_versioned_ids_and_which_version_a_row_holds() -> None:
    assert versioned_id("JSVC", 3) == "JSVC@3"
    assert split_versioned_id("JSVC@3") == ("JSVC", 3)
    assert split_versioned_id("a@b@12") == ("a@b", 12)
    for malformed in ("JSVC", "@3", "JSVC@", "JSVC@x", "JSVC@-1"):
        assert split_versioned_id(malformed) is None, malformed
    asked = ["A@1", "A@2", "A@3", "B@1", "GONE@1", "junk"]
    assert identifiers(asked) == {"A", "B", "GONE"}
    built: list[str] = []

    def build(name: str) -> dict[str, object]:
        built.append(name)
        return {"name": name}

    found = versions_read(asked, {"A": (2, lambda: build("A")), "B": (1, lambda: build("B"))})
    assert found == {"A@1": SUPERSEDED, "A@2": {"name": "A"}, "B@1": {"name": "B"}}
    assert found["A@1"] is SUPERSEDED
    assert sorted(built) == ["A", "B"]  # an earlier version's record is never built
