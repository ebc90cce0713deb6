"""Known-answer vectors that pin the ledger's published commitment formula, byte for byte.

What an outsider is told (README, ADR 0010 and 0017, ``ledger/model.py``): a fact of record is
logged as the entry ``JCS({"v", "kind", "id", "issuer", "time", "commitment"})`` (RFC 8785
canonical JSON, UTF-8), where ``v`` is the record's schema (its ``schema``; 1 for the first
records, which had none), ``commitment`` is the hex of ``SHA-256(JCS(record) || salt)`` and
``time`` is RFC 3339 in UTC with microseconds; its leaf hash is ``SHA-256(0x00 || entry)``
(RFC 9162). A record's decimals are their text (trailing zeros kept), dates ISO 8601, times as
``time`` is.

The vectors in ``tests/vectors/ledger/commitments.json`` (schema 1, as the first entries were
logged) and ``records-v2.json`` (record schema 2: global identifiers only) give the inputs and
the expected canonical record, commitment, entry and leaf hash, and the root of the tree of
each file's leaves. They were computed once by the independent path below (``hashlib`` and the RFC 8785
rules written out here, no code of the bank), which the first test runs again; the others
check that the bank's code (the ledger's model and Merkle tree, and the outcome records of
``accounts.records``, v1 and v2) reproduces them. A change to the formula breaks these tests: that is
their purpose, since every published receipt depends on it. Pure: no database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from creditbank.accounts.records import (
    ItemRef,
    LevelRef,
    event_record,
    event_record_v2,
    outcome_values,
    outcome_values_v2,
)
from creditbank.accounts.tables import OutcomeEventRow
from creditbank.ledger.merkle import leaf_hash, root_of
from creditbank.ledger.model import (
    LogFact,
    LogKind,
    canonical_record,
    commitment,
    entry_body,
    make_entry,
)

VECTORS_DIRECTORY = Path(__file__).parents[1] / "vectors" / "ledger"
FILES: dict[str, dict[str, Any]] = {
    name: json.loads((VECTORS_DIRECTORY / name).read_text(encoding="utf-8"))
    for name in ("commitments.json", "records-v2.json")
}
VECTORS = FILES["commitments.json"]
CASES: list[dict[str, Any]] = [case for found in FILES.values() for case in found["vectors"]]
V2_CASES = FILES["records-v2.json"]["vectors"]


# --- the independent path: the published rules, written out ----------------------------------

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
_SHORT_ESCAPES["\t"] = "\\t"


def jcs_string(text: str) -> str:
    """RFC 8785 section 3.2.2.2 (ECMAScript's JSON.stringify): quote and backslash escaped,
    the five short escapes, any other control character as ``\\u00xx`` (lower case hex),
    every other character as itself."""
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20:  # the control characters
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def jcs(value: object) -> str:
    """RFC 8785 text of a JSON value whose numbers are safe integers: no whitespace, object
    members sorted by their names' UTF-16 code units (section 3.2.3)."""
    literals = {None: "null", True: "true", False: "false"}
    if value is None or isinstance(value, bool):
        return literals[value]
    if isinstance(value, int):
        assert abs(value) <= 2**53 - 1
        return str(value)
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        return "{" + ",".join(jcs_string(n) + ":" + jcs(value[n]) for n in names) + "}"
    raise AssertionError(type(value))


def utc_microseconds(text: str) -> str:
    """An RFC 3339 time (no offset: UTC) as the log writes it: UTC, six fraction digits, Z."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def committed_form(value: object, types: dict[str, str], path: str = "") -> object:
    """The record as committed: fields named in ``types`` converted (a decimal stays its text,
    a date its ISO text, a time its UTC text with microseconds), the rest as given."""
    kind = None if value is None else types.get(path)
    if kind == "datetime":
        assert isinstance(value, str)
        return utc_microseconds(value)
    if kind in {"decimal", "date"}:
        return value
    if isinstance(value, dict):
        return {k: committed_form(v, types, f"{path}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list):
        return [committed_form(v, types, path) for v in value]
    return value


def independent(case: dict[str, Any]) -> dict[str, str]:
    """The expected values of a vector, from its inputs, by the published rules alone."""
    record = jcs(committed_form(case["record"], case.get("types", {}))).encode("utf-8")
    digest = hashlib.sha256(record + bytes.fromhex(case["salt"])).hexdigest()
    entry = jcs(
        {
            "v": case["record"].get("schema", 1),  # the record's schema; 1: the first records
            "kind": case["kind"],
            "id": case["id"],
            "issuer": case["issuer"],
            "time": utc_microseconds(case["time"]),
            "commitment": digest,
        }
    ).encode("utf-8")
    return {
        "canonical_record": record.decode("utf-8"),
        "commitment": digest,
        "entry": entry.decode("utf-8"),
        "leaf_hash": hashlib.sha256(b"\x00" + entry).hexdigest(),
    }


def independent_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the
    largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + independent_root(leaves[:k]) + independent_root(leaves[k:])
    ).digest()


# --- typed inputs for the bank's code ---------------------------------------------------------


def typed(value: object, types: dict[str, str], path: str = "") -> object:
    """The record as the bank's code is given it: decimals, dates and times as Python types."""
    kind = None if value is None else types.get(path)
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "datetime":
        return datetime.fromisoformat(str(value))
    if isinstance(value, dict):
        return {k: typed(v, types, f"{path}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v, types, path) for v in value]
    return value


def typed_record(case: dict[str, Any]) -> dict[str, object]:
    record = typed(case["record"], case.get("types", {}))
    assert isinstance(record, dict)
    return record


def fact_of(case: dict[str, Any]) -> LogFact:
    at = datetime.fromisoformat(case["time"])
    return LogFact(LogKind(case["kind"]), case["id"], case["issuer"], at, typed_record(case))


# --- the tests --------------------------------------------------------------------------------


def test_the_vectors_cover_the_formulas_edges() -> None:
    kinds = {case["kind"] for case in VECTORS["vectors"]}
    assert {"outcome.deposited", "outcome.revoked", "outcome.superseded"} <= kinds
    assert any(case.get("built_by") == "outcome_values" for case in CASES)
    assert any(case.get("built_by") == "event_record" for case in CASES)
    for cases in (VECTORS["vectors"], V2_CASES):
        entries = "".join(case["expected"]["canonical_record"] for case in cases)
        for needed in ('\\"', "\\\\", "\\n", "\\t", "\\u0001", "\u2028", "\U0001f600"):
            assert needed in entries, needed
    assert "成" in "".join(case["expected"]["canonical_record"] for case in VECTORS["vectors"])
    assert len({case["salt"] for case in CASES}) == len(CASES)


def test_the_v2_vectors_cover_record_schema_2() -> None:
    """Every kind v2 outcome records are written for, each builder, transferred credit, and
    entries whose ``v`` is 2; no record names a row id."""
    assert {case["kind"] for case in V2_CASES} == {
        "outcome.deposited",
        "outcome.verified",
        "outcome.revoked",
        "outcome.superseded",
    }
    assert {case["built_by"] for case in V2_CASES} == {"outcome_values_v2", "event_record_v2"}
    assert any("transfer_sources" in case["record"] for case in V2_CASES)
    for case in V2_CASES:
        assert case["record"]["schema"] == 2
        assert case["record"]["bank"]
        assert '"v":2}' in case["expected"]["entry"]
        assert not {"item_id", "framework_level_id", "by_user_id"} & set(case["record"])
        if case["kind"] == "outcome.deposited":  # the learner: a salted hash, never the number
            assert "account_number" not in case["record"]
            salted = (case["account_number"] + case["record"]["public_id"]).encode("utf-8")
            assert case["record"]["learner"] == "sha256$" + hashlib.sha256(salted).hexdigest()
            assert case["account_number"] not in case["expected"]["canonical_record"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_vectors_follow_the_published_formula(case: dict[str, Any]) -> None:
    assert independent(case) == case["expected"]


@pytest.mark.parametrize("name", list(FILES))
def test_the_tree_of_the_vectors_leaves_has_the_published_root(name: str) -> None:
    found = FILES[name]
    leaves = [bytes.fromhex(case["expected"]["leaf_hash"]) for case in found["vectors"]]
    assert found["tree"]["size"] == len(leaves)
    assert independent_root(leaves).hex() == found["tree"]["root"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_ledger_reproduces_the_vector(case: dict[str, Any]) -> None:
    expected = case["expected"]
    salt = bytes.fromhex(case["salt"])
    record = typed_record(case)
    assert canonical_record(record) == expected["canonical_record"].encode("utf-8")
    assert commitment(record, salt).hex() == expected["commitment"]
    entry = make_entry(fact_of(case), salt)
    assert entry.body == expected["entry"].encode("utf-8")
    assert entry.leaf_hash.hex() == expected["leaf_hash"]
    assert entry.salt == salt
    assert leaf_hash(entry.body).hex() == expected["leaf_hash"]
    assert (
        entry_body(
            kind=case["kind"],
            record_id=case["id"],
            issuer=case["issuer"],
            at=datetime.fromisoformat(case["time"]),
            record_commitment=bytes.fromhex(expected["commitment"]),
            schema=record.get("schema", 1),  # type: ignore[arg-type]
        )
        == entry.body
    )


@pytest.mark.parametrize("name", list(FILES))
def test_the_merkle_tree_reproduces_the_root(name: str) -> None:
    found = FILES[name]
    leaves = [
        make_entry(fact_of(case), bytes.fromhex(case["salt"])).leaf_hash
        for case in found["vectors"]
    ]
    assert root_of(leaves).hex() == found["tree"]["root"]


@pytest.mark.parametrize(
    "case",
    [case for case in CASES if case.get("built_by") == "outcome_values"],
    ids=lambda case: case["name"],
)
def test_a_deposited_outcomes_record_is_the_vectors(case: dict[str, Any]) -> None:
    """``accounts.records.outcome_values`` (what deposits committed to before record schema 2,
    and what ``log verify`` rebuilds for their v1 entries) builds, from a row's values, exactly
    the vector's record."""
    record = typed_record(case)
    built = outcome_values(
        public_id=case["id"],
        account_number=str(record["account_number"]),
        institution=case["issuer"],
        record_id=str(record["record_id"]),
        stored=(
            7,  # the learner's row id: the record names the account number instead
            record["item_id"],
            record["framework_level_id"],
            record["credits"],
            record["score"],
            record["assessed_on"],
            record["setting"],
            record["evidence_sha256"],
        ),
        deposited_at=record["deposited_at"],  # type: ignore[arg-type]
    )
    assert built == record
    salt = bytes.fromhex(case["salt"])
    assert commitment(built, salt).hex() == case["expected"]["commitment"]


@pytest.mark.parametrize(
    "case",
    [case for case in CASES if case.get("built_by") == "event_record"],
    ids=lambda case: case["name"],
)
def test_an_outcome_events_record_is_the_vectors(case: dict[str, Any]) -> None:
    """``accounts.records.event_record`` (a verification, revocation or supersession, as logged
    before record schema 2) builds, from an event row (not stored: no database), exactly the
    vector's record."""
    record = typed_record(case)
    event = OutcomeEventRow(
        kind=record["event"], reason=record["reason"], by_user_id=record["by_user_id"]
    )
    event.at = record["at"]  # type: ignore[assignment]
    built = event_record(
        event,
        outcome=str(record["outcome"]),
        replaced_by=record["replaced_by"],  # type: ignore[arg-type]
    )
    assert built == record
    salt = bytes.fromhex(case["salt"])
    assert commitment(built, salt).hex() == case["expected"]["commitment"]


@pytest.mark.parametrize(
    "case",
    [case for case in V2_CASES if case["built_by"] == "outcome_values_v2"],
    ids=lambda case: case["name"],
)
def test_a_deposited_outcomes_v2_record_is_the_vectors(case: dict[str, Any]) -> None:
    """``accounts.records.outcome_values_v2`` (what a deposit, the bulk path and ``log verify``
    commit to now) builds, from a row's values and the names of its item and level, exactly the
    vector's record; transferred credit's stored form becomes its flat ``transfer_*`` fields."""
    record = typed_record(case)
    transfer = None
    if "transfer_sources" in record:
        transfer = {
            name.removeprefix("transfer_"): value
            for name, value in record.items()
            if name.startswith("transfer_") and name != "transfer_sources"
        }
        transfer["sources"] = str(record["transfer_sources"]).split(" ")
    built = outcome_values_v2(
        bank=str(record["bank"]),
        public_id=case["id"],
        account_number=case["account_number"],
        institution=case["issuer"],
        record_id=str(record["record_id"]),
        item=ItemRef(
            str(record["item_owner"]),
            str(record["item_code"]),
            int(record["item_version"]),  # type: ignore[call-overload]
            str(record["item_kind"]),
        ),
        level=LevelRef(
            str(record["level_framework"]),
            int(record["level_framework_version"]),  # type: ignore[call-overload]
            str(record["level_code"]),
        ),
        given=[
            record["credits"],
            record["score"],
            record["assessed_on"],
            record["setting"],
            record["evidence_sha256"],
        ],
        deposited_at=record["deposited_at"],  # type: ignore[arg-type]
        transfer=transfer,
    )
    assert built == record
    salt = bytes.fromhex(case["salt"])
    assert commitment(built, salt).hex() == case["expected"]["commitment"]
    assert make_entry(fact_of(case), salt).body == case["expected"]["entry"].encode("utf-8")


@pytest.mark.parametrize(
    "case",
    [case for case in V2_CASES if case["built_by"] == "event_record_v2"],
    ids=lambda case: case["name"],
)
def test_an_outcome_events_v2_record_is_the_vectors(case: dict[str, Any]) -> None:
    """``accounts.records.event_record_v2`` builds, from an event row (not stored), the bank's
    origin and the actor's pseudonymous id, exactly the vector's record."""
    record = typed_record(case)
    event = OutcomeEventRow(kind=record["event"], reason=record["reason"], by_user_id=99)
    event.at = record["at"]  # type: ignore[assignment]
    built = event_record_v2(
        event,
        bank=str(record["bank"]),
        outcome=str(record["outcome"]),
        actor=str(record["actor"]),
        replaced_by=record["replaced_by"],  # type: ignore[arg-type]
    )
    assert built == record
    salt = bytes.fromhex(case["salt"])
    assert commitment(built, salt).hex() == case["expected"]["commitment"]
