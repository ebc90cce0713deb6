"""Log entries and commitments: canonical JSON as RFC 8785 says, nothing of the record in the entry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.merkle import leaf_hash
from creditbank.ledger.model import (
    MAX_SAFE_INTEGER,
    LogFact,
    LogKind,
    canonical_json,
    canonical_record,
    commitment,
    make_entry,
)

flat_values = st.one_of(
    st.text(),  # any text, control characters and non-BMP characters included
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.booleans(),
    st.none(),
)
ascii_keys = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)


@given(st.dictionaries(ascii_keys, flat_values, max_size=15))
def test_the_fast_canonical_form_is_rfc_8785(record: dict[str, object]) -> None:
    assert canonical_json(record) == rfc8785.dumps(record)  # type: ignore[arg-type]


@given(
    st.dictionaries(
        ascii_keys,
        st.recursive(flat_values, lambda inner: st.lists(inner, max_size=3), max_leaves=5),
        max_size=5,
    )
)
def test_nested_records_go_to_the_library(record: dict[str, object]) -> None:
    assert canonical_json(record) == rfc8785.dumps(record)  # type: ignore[arg-type]


def test_records_hold_decimals_dates_and_times_as_text() -> None:
    record = {
        "credits": Decimal("3.0"),
        "on": date(2024, 6, 30),
        "at": datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    }
    assert json.loads(canonical_record(record)) == {
        "credits": "3.0",
        "on": "2024-06-30",
        "at": "2026-11-22T08:00:00.000000Z",
    }


def test_an_entry_commits_to_its_record_without_showing_it() -> None:
    fact = LogFact(
        LogKind.OUTCOME_DEPOSITED,
        "abc123",
        "JSVC",
        datetime(2026, 11, 22, tzinfo=UTC),
        {"account_number": "CB123456789012", "score": Decimal("88.5")},
    )
    entry = make_entry(fact, salt=b"s" * 16)
    body = json.loads(entry.body)
    assert body == {
        "v": 1,
        "kind": "outcome.deposited",
        "id": "abc123",
        "issuer": "JSVC",
        "time": "2026-11-22T00:00:00.000000Z",
        "commitment": commitment(fact.record, b"s" * 16).hex(),
    }
    assert b"CB123456789012" not in entry.body
    assert entry.leaf_hash == leaf_hash(entry.body)
    other_salt = make_entry(fact, salt=b"t" * 16)
    assert other_salt.body != entry.body  # the salt hides equal records from each other
    assert make_entry(fact).salt != make_entry(fact).salt
