"""The national platform's pure rules: reading a batch's references (each bad one named by its
position), the digest a batch is signed over, suppressing small counts, and reading a question."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from creditbank.catalog.model import ItemKind
from creditbank.national.model import (
    ITEM_KINDS,
    MAX_PROBLEMS,
    NationalError,
    Reference,
    ask,
    digest_of,
    make_batch,
    parse_batch,
    read_references,
    read_withdrawals,
    signed_text,
)
from creditbank.suppression import figure, hidden_among, hidden_cells

SENDER = "bank-a.example/log"


def reference(n: int, **changes: Any) -> dict[str, Any]:
    made = Reference(
        origin=SENDER,
        leaf_index=n,
        leaf_hash=base64.b64encode(bytes([n % 256]) * 32).decode(),
        item_owner="SHOU",
        item_code="SH-101",
        item_kind="course",
        level_framework="LOFOUC",
        level_version=1,
        level_code="4",
        credits=Decimal("3.0"),
        year=2025,
    ).as_json()
    made.update(changes)
    return made


def batch(references: list[Any]) -> dict[str, Any]:
    return {
        **make_batch(sender=SENDER, sent_at="2026-12-07T09:00:00Z", references=[]),
        "references": references,
        "signature": "signed",
    }


def refused(document: dict[str, Any]) -> list[str]:
    with pytest.raises(NationalError) as caught:
        read_references(document)
    assert caught.value.code == "invalid_batch"
    return [problem.render() for problem in caught.value.problems]


def test_the_item_kinds_are_the_catalogues() -> None:
    assert {kind.value for kind in ItemKind} == ITEM_KINDS


def test_a_good_batch_reads_back_as_its_references() -> None:
    found = read_references(batch([reference(1), reference(2, credits=None)]))
    assert [(r.leaf_index, r.credits, r.year) for r in found] == [
        (1, Decimal("3.0"), 2025),
        (2, None, 2025),
    ]
    assert found[0].as_json() == reference(1)


def test_each_bad_reference_is_named_by_its_position() -> None:
    problems = refused(
        batch(
            [
                reference(1),
                reference(2, leaf_index=-1),
                reference(3, level={"framework": "LOFOUC", "version": 0, "code": "4"}),
                reference(4, credits="1001"),
                "not an object",
                reference(1),
            ]
        )
    )
    assert problems == [
        "reference 2: leaf_index must be a whole number from 0 to 9007199254740991",
        "reference 3: level.version must be a whole number from 1 to 1000000",
        "reference 4: credits must be null or a decimal text from 0 to 1000",
        "reference 5: a reference must be an object",
        "reference 6: the same leaf as reference 1",
    ]


def test_a_refusal_names_so_many_bad_references_then_counts_the_rest() -> None:
    problems = refused(batch([reference(n, year=1800) for n in range(MAX_PROBLEMS + 7)]))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "and 7 more bad references"


def test_a_batch_of_the_wrong_shape_is_refused_naming_what() -> None:
    with pytest.raises(NationalError) as caught:
        parse_batch(json.dumps({"format": "x", "references": []}).encode())
    assert len(caught.value.problems) == 5  # format, sender, sent_at, signature, references


def test_withdrawals_are_read_and_each_bad_one_named() -> None:
    good = {
        "origin": SENDER,
        "leaf_hash": reference(1)["leaf_hash"],
        "event": "revoked",
        "event_leaf_index": 9,
        "event_leaf_hash": reference(9)["leaf_hash"],
    }
    document = {**batch([]), "withdrawals": [good]}
    assert [w.event for w in read_withdrawals(document)] == ["revoked"]
    assert parse_batch(json.dumps(document).encode()) == document
    with pytest.raises(NationalError) as caught:
        read_withdrawals({**document, "withdrawals": [good, {**good, "event": "lost"}, 7]})
    assert [p.render() for p in caught.value.problems] == [
        "withdrawal 2: event must be revoked or superseded",
        "withdrawal 3: a withdrawal must be an object",
    ]
    with pytest.raises(NationalError):
        parse_batch(json.dumps(batch([])).encode())  # neither references nor withdrawals


def test_the_signed_digest_covers_everything_but_the_signature() -> None:
    one = batch([reference(1)])
    assert digest_of(one) == digest_of({**one, "signature": "another"})
    assert digest_of(one) != digest_of({**one, "sent_at": "2026-12-07T09:00:01Z"})
    assert signed_text(one) == f"creditbank national batch v1\n{digest_of(one)}\n"


def test_small_counts_are_suppressed_but_zero_is_not() -> None:
    assert figure(0, 10).shown == "0"
    assert (figure(9, 10).value, figure(9, 10).shown) == (None, "<10")
    assert (figure(10, 10).value, figure(10, 10).shown) == (10, "10")
    assert figure(1, 1).shown == "1"


def test_a_question_reads_items_and_levels() -> None:
    question = ask(item="SHOU/SH-101", level="LOFOUC@2:4", year=2025)
    assert (question.item_owner, question.item_code) == ("SHOU", "SH-101")
    assert (question.level_framework, question.level_version, question.level_code) == (
        "LOFOUC",
        2,
        "4",
    )
    assert ask(level="LOFOUC:4").level_version is None
    with pytest.raises(NationalError) as caught:
        ask(item="SHOU/", level="LOFOUC@x:4", year=1800, kind="diploma", bank="a b")
    assert len(caught.value.problems) == 5


def test_one_hidden_part_of_a_shown_total_takes_a_second_with_it() -> None:
    # A: 3 hidden; the total 3 + 12 + 40 = 55 is shown, so 12 goes too (else 55 - 12 - 40 = 3)
    assert hidden_among({"A": 3, "B": 12, "C": 40}, 10, sum_shown=True) == {"A", "B"}
    assert hidden_among({"A": 3, "B": 4, "C": 40}, 10, sum_shown=True) == {"A", "B"}
    assert hidden_among({"A": 3, "B": 0, "C": 40}, 10, sum_shown=False) == {"A"}
    assert hidden_among({"A": 30, "B": 0}, 10, sum_shown=True) == set()
    assert figure(12, 10, hidden=True).shown == "x"
    assert figure(3, 10, hidden=True).shown == "<10"


def test_no_hidden_cell_of_the_table_can_be_worked_out_from_its_row_or_column() -> None:
    cells = {("a", 2024): 3, ("a", 2025): 20, ("b", 2024): 30, ("b", 2025): 40}
    hidden = hidden_cells(cells, 10, hidden_banks=set(), hidden_years=set())
    for axis in (0, 1):
        for line in {key[axis] for key in cells}:
            inside = [key for key in cells if key[axis] == line and key in hidden]
            assert len(inside) != 1, (line, hidden)
    assert ("a", 2024) in hidden
    everything = hidden_cells(cells, 10, hidden_banks={"a"}, hidden_years=set())
    assert {("a", 2024), ("a", 2025)} <= everything
