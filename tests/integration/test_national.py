"""The national platform, through the handlers, on both databases.

Two banks in this process (tests/transfer_world.py): A, a regional bank with three outcomes of
SHOU's courses, sends its batch of references over HTTP to B, the national bank, which trusts
A (an approved peer) and counts each reference once; a pilot school registered at B sends its
own, signed with its key. Every refusal names its reason and stores nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from creditbank.accounts import changes
from creditbank.accounts.commands import RevokeOutcome
from creditbank.errors import DomainError
from creditbank.ledger import notes
from creditbank.national import counting, receiving, sending
from creditbank.national.commands import (
    CountResults,
    ListBatches,
    ReceiveBatch,
    RegisterSchool,
    SendReferences,
)
from creditbank.national.counting import Counts
from creditbank.national.model import make_batch, signed_text
from creditbank.national.receiving import BatchReceipt
from creditbank.national.sending import SentBatch, http_post
from creditbank.national.tables import NationalReferenceRow, NationalSendRow
from tests.transfer_world import World, two_banks

BACKENDS = ("sqlite", "postgresql")
SCHOOL_ORIGIN = "gz-vc-01.example/results"


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as made:
        yield made


@pytest.fixture(autouse=True)
def rolled_back(world: World) -> Iterator[None]:
    with world.pinned():
        yield


class Recording:
    """A transport that keeps what it sent, then POSTs it for real (or answers ``answer``)."""

    def __init__(self, answer: tuple[int, bytes] | None = None) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.answer = answer

    def __call__(self, url: str, body: bytes) -> tuple[int, bytes]:
        self.sent.append((url, body))
        return self.answer if self.answer is not None else http_post(url, body)


def send(world: World, transport: sending.Transport = http_post) -> SentBatch:
    with world.a.database.unit_of_work() as uow:
        return sending.send_references(
            SendReferences(world.b.url + "/"),
            principal=world.a.admins[0],
            uow=uow,
            transport=transport,
        )


def counts(world: World, suppress_below: int = 1, **question: Any) -> Counts:
    with world.b.database.unit_of_work() as uow:
        return counting.count_results(
            CountResults(**question), principal=None, uow=uow, suppress_below=suppress_below
        )


def receive(world: World, body: bytes) -> BatchReceipt:
    with world.b.database.unit_of_work() as uow:
        return receiving.receive_batch(ReceiveBatch(body), principal=None, uow=uow)


def held(world: World) -> int:
    with world.b.database.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(NationalReferenceRow.id))) or 0)


def refused(code: str, run: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run()
    assert caught.value.code == code, caught.value.render()
    return caught.value


def a_signer(world: World) -> notes.Signer:
    secret = world.a.settings.log_key
    assert secret is not None
    return notes.Signer.from_private_key(secret.get_secret_value())


def leaf(n: int) -> str:
    return base64.b64encode(hashlib.sha256(f"leaf {n}".encode()).digest()).decode()


def reference(origin: str, n: int, **changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "origin": origin,
        "leaf_index": n,
        "leaf_hash": leaf(n),
        "item": {"owner": "GZVC", "code": "X-WEB-1", "kind": "x_certificate"},
        "level": {"framework": "XCERT", "version": 1, "code": "intermediate"},
        "credits": "2.0",
        "year": 2025,
    }
    found.update(changes)
    return found


def signed(sender: str, references: list[dict[str, Any]], signer: notes.Signer) -> bytes:
    batch: dict[str, Any] = {
        **make_batch(sender=sender, sent_at="2026-12-07T09:30:00Z", references=[]),
        "references": references,
    }
    batch["signature"] = notes.sign(signed_text(batch), [signer])
    return json.dumps(batch).encode()


# --- a regional bank's batch, counted once ---------------------------------------------------


def test_a_regional_bank_sends_its_references_and_the_national_bank_counts_them(
    world: World,
) -> None:
    recording = Recording()
    sent = send(world, recording)
    assert (sent.references, sent.answer["references"], sent.answer["new_references"]) == (3, 3, 3)
    assert sent.answer["sender"] == world.a.origin
    assert sent.answer["sender_kind"] == "bank"
    ((url, body),) = recording.sent
    assert url == world.b.url + "/api/v1/national/batches"
    # nothing personal: no learner, no account number, no record id
    text = body.decode()
    for private in (world.a.learner, "learner", "SH-0000", "account"):
        assert private not in text
    batch = json.loads(body)
    assert {r["item"]["code"] for r in batch["references"]} == {"SH-101", "SH-102"}
    assert all(
        r["level"] == {"framework": "LOFOUC", "version": 1, "code": "4"}
        for r in batch["references"]
    )
    assert [r["year"] for r in batch["references"]] == [2025, 2025, 2025]

    every = counts(world)
    assert every.total.value == 3
    assert [(bank, f.value) for bank, f in every.by_bank] == [(world.a.origin, 3)]
    assert [(year, f.value) for year, f in every.by_year] == [(2025, 3)]
    assert [(c.bank, c.year, c.count.value) for c in every.cells] == [(world.a.origin, 2025, 3)]
    assert counts(world, item="SHOU/SH-101").total.value == 2
    assert counts(world, item="SHOU/SH-102", level="LOFOUC@1:4", kind="course").total.value == 1
    assert counts(world, level="LOFOUC:5").total.value == 0
    assert counts(world, kind="x_certificate").total.value == 0
    assert counts(world, year=2024).total.value == 0
    assert counts(world, bank=world.a.origin).total.value == 3


def test_small_counts_are_suppressed(world: World) -> None:
    send(world)
    shown = counts(world, suppress_below=10)
    assert (shown.total.value, shown.total.shown) == (None, "<10")
    assert [(bank, f.shown) for bank, f in shown.by_bank] == [(world.a.origin, "<10")]
    assert counts(world, suppress_below=3).total.shown == "3"
    assert counts(world, suppress_below=4, year=2024).total.shown == "0"  # nothing is not small


def test_nothing_new_to_send_is_refused_and_the_next_batch_starts_after_the_last(
    world: World,
) -> None:
    first = send(world)
    error = refused("nothing_to_send", lambda: send(world))
    assert world.b.url in error.render()
    with world.a.database.unit_of_work() as uow:
        rows = uow.session.scalars(select(NationalSendRow)).all()
        assert [(r.first_leaf, r.last_leaf, r.reference_count) for r in rows] == [
            (first.first_leaf, first.last_leaf, 3)
        ]


def test_a_send_that_fails_stores_nothing_and_the_next_sends_the_same_leaves(
    world: World,
) -> None:
    def unreachable(_url: str, _body: bytes) -> tuple[int, bytes]:
        raise OSError("connection refused")

    refused("national_unreachable", lambda: send(world, unreachable))
    problem = json.dumps({"title": "Invalid batch", "detail": "reference 1: bad"}).encode()
    error = refused("national_refused", lambda: send(world, Recording((422, problem))))
    assert "422" in error.render()
    assert "reference 1: bad" in error.render()
    with world.a.database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(NationalSendRow.id))) == 0
    assert held(world) == 0
    assert send(world).references == 3


def test_the_same_batch_again_is_taken_and_counted_once(world: World) -> None:
    recording = Recording()
    send(world, recording)
    again = receive(world, recording.sent[0][1])
    assert (again.references, again.new_references) == (3, 0)
    assert held(world) == 3
    assert counts(world).total.value == 3
    with world.b.database.unit_of_work() as uow:
        batches = receiving.list_batches(ListBatches(), principal=world.b.admins[0], uow=uow)
    assert [(b.references, b.new_references) for b in batches] == [(3, 0), (3, 3)]


def test_a_revoked_outcome_is_withdrawn_and_no_longer_counts(world: World) -> None:
    send(world)
    with world.a.database.unit_of_work() as uow:
        changes.revoke_outcome(
            RevokeOutcome(world.outcomes[0], "awarded in error"),
            principal=world.a.admins[0],
            uow=uow,
        )
    recording = Recording()
    again = send(world, recording)
    assert (again.references, again.withdrawals, again.answer["withdrawn"]) == (0, 1, 1)
    (withdrawal,) = json.loads(recording.sent[0][1])["withdrawals"]
    assert withdrawal["event"] == "revoked"
    assert counts(world).total.value == 2
    assert held(world) == 3  # kept, marked
    assert receive(world, recording.sent[0][1]).withdrawn == 0  # withdrawn once
    assert counts(world).total.value == 2


# --- refusals: each names its reason and stores nothing ----------------------------------


def test_a_batch_from_an_unknown_sender_is_refused(world: World) -> None:
    private, _ = notes.generate_key("nobody.example/log")
    body = signed(
        "nobody.example/log",
        [reference("nobody.example/log", 1)],
        notes.Signer.from_private_key(private),
    )
    error = refused("unknown_sender", lambda: receive(world, body))
    assert "nobody.example/log" in error.render()
    assert held(world) == 0


def test_a_batch_changed_after_signing_or_signed_by_another_key_is_refused(
    world: World,
) -> None:
    origin = world.a.origin
    body = json.loads(signed(origin, [reference(origin, 1)], a_signer(world)))
    body["references"][0]["year"] = 2024
    refused("bad_batch_signature", lambda: receive(world, json.dumps(body).encode()))
    impostor, _ = notes.generate_key(origin)  # a key named after A, not A's
    forged = signed(origin, [reference(origin, 1)], notes.Signer.from_private_key(impostor))
    error = refused("bad_batch_signature", lambda: receive(world, forged))
    assert origin in error.render()
    assert held(world) == 0


def test_a_batch_with_bad_references_is_refused_whole_naming_each(world: World) -> None:
    origin = world.a.origin
    body = signed(
        origin,
        [
            reference(origin, 1),
            reference("bank-c.example/log", 2),
            reference(origin, 3, leaf_hash="c2hvcnQ=", year=1900),
            reference(origin, 4, item={"owner": "GZVC", "code": "X", "kind": "diploma"}),
            reference(origin, 1),  # the first one's leaf again
            reference(origin, 6, credits="1.25", learner="someone"),
        ],
        a_signer(world),
    )
    error = refused("invalid_batch", lambda: receive(world, body))
    problems = [p.render() for p in error.problems]
    assert problems[0].startswith("reference 2: its origin must be the sender's log")
    assert [p.split(":")[0] for p in problems] == [
        "reference 2",
        "reference 3",
        "reference 3",
        "reference 4",
        "reference 5",
        "reference 6",
        "reference 6",
    ]
    assert "the same leaf as reference 1" in problems[4]
    assert "unknown members: learner" in problems[5]
    assert held(world) == 0
    for broken in (b"not json", b"[]", b'{"format": "other"}'):
        refused("invalid_batch", lambda broken=broken: receive(world, broken))  # type: ignore[misc]
    assert held(world) == 0


# --- pilot schools -------------------------------------------------------------------------


def register(world: World, key: str, code: str = "GZ-VC-01") -> Any:
    with world.b.database.unit_of_work() as uow:
        return receiving.register_school(
            RegisterSchool(code, "广州某职业学院", SCHOOL_ORIGIN, key),
            principal=world.b.admins[0],
            uow=uow,
        )


def test_a_pilot_school_sends_a_batch_signed_with_its_registered_key(world: World) -> None:
    private, verifier = notes.generate_key(SCHOOL_ORIGIN)
    school = register(world, verifier)
    assert (school.code, school.origin) == ("GZ-VC-01", SCHOOL_ORIGIN)
    body = signed(
        SCHOOL_ORIGIN,
        [reference(SCHOOL_ORIGIN, n) for n in range(4)],
        notes.Signer.from_private_key(private),
    )
    taken = receive(world, body)
    assert (taken.sender_kind, taken.references, taken.new_references) == ("school", 4, 4)
    send(world)
    found = counts(world)
    assert [(bank, f.value) for bank, f in found.by_bank] == sorted(
        [(SCHOOL_ORIGIN, 4), (world.a.origin, 3)]
    )
    assert counts(world, kind="x_certificate", level="XCERT:intermediate").total.value == 4
    other, _ = notes.generate_key(SCHOOL_ORIGIN)
    forged = signed(
        SCHOOL_ORIGIN, [reference(SCHOOL_ORIGIN, 9)], notes.Signer.from_private_key(other)
    )
    refused("bad_batch_signature", lambda: receive(world, forged))
    assert held(world) == 7


def test_a_school_registered_twice_or_with_a_key_of_another_name_is_refused(
    world: World,
) -> None:
    _, verifier = notes.generate_key(SCHOOL_ORIGIN)
    register(world, verifier)
    refused("school_exists", lambda: register(world, verifier))
    _, misnamed = notes.generate_key("another.example/results")
    error = refused("invalid_school", lambda: register(world, misnamed, code="GZ-VC-02"))
    assert "another.example/results" in error.render()
    refused("invalid_school", lambda: register(world, "not a key", code="GZ-VC-03"))


def test_a_question_that_cannot_be_answered_names_each_bad_filter(world: World) -> None:
    error = refused(
        "invalid_question", lambda: counts(world, item="SHOU", level="LOFOUC", kind="diploma")
    )
    assert len(error.problems) == 3
