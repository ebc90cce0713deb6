"""The ledger over HTTP, on both databases: what an outsider fetches and checks with their own
RFC 9162 and signed-note verifiers, the receipts in deposit answers, witnesses cosigning
through the tlog-witness protocol, and an auditor that follows the bank.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest

from creditbank.accounts.model import resident_check_character
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import auditor, merkle, notes, witnessing
from creditbank.ledger.keys import LogKeys, Witness
from creditbank.ledger.service import LOG_KEYS, log_keys
from creditbank.ledger.witness import Witness as WitnessServer
from creditbank.ledger.witness_app import make_witness_app
from tests.bulk_files import add_college_with_course
from tests.conftest import LiveBank
from tests.support.browser import LiveServer

PROBLEM = "application/problem+json"
FIRST = "33010619880412345"
ID_NUMBER = FIRST + resident_check_character(FIRST)


@pytest.fixture(scope="module")
def registrar(live_bank: LiveBank) -> Iterator[httpx2.Client]:
    with live_bank.database.unit_of_work() as uow:
        add_college_with_course(uow)
        institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        secret = institutions.create_token(uow=uow, email="reg@jsvc.example").secret
    with httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture(scope="module")
def account(registrar: httpx2.Client) -> str:
    opened = registrar.post("/api/v1/learners", json={"id_number": ID_NUMBER, "name": "学员"})
    assert opened.status_code in {200, 201}, opened.text
    number: str = opened.json()["account_number"]
    return number


def deposit(registrar: httpx2.Client, account: str, record_id: str) -> dict[str, Any]:
    answer = registrar.post(
        "/api/v1/outcomes",
        json={
            "institution": "JSVC",
            "account_number": account,
            "record_id": record_id,
            "item_code": "CAD-201",
            "level": "4",
            "credits": "3",
            "assessed_on": date(2024, 6, 30).isoformat(),
        },
    )
    assert answer.status_code in {200, 201}, answer.text
    body: dict[str, Any] = answer.json()
    return body


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def checkpoint_of(client: httpx2.Client) -> notes.Checkpoint:
    """The bank's checkpoint, checked with the key the bank publishes (as a first-time user)."""
    key = client.get("/api/v1/log/key")
    assert key.status_code == 200
    assert key.headers["content-type"].startswith("text/plain")
    verifier = notes.Verifier.from_verifier_key(key.text.strip())
    note = client.get("/api/v1/log/checkpoint")
    assert note.status_code == 200
    return notes.Checkpoint.parse(notes.open_note(note.text, [verifier]).text)


def test_a_deposit_answers_with_a_receipt_anyone_can_check(
    registrar: httpx2.Client, account: str, client: httpx2.Client
) -> None:
    first = deposit(registrar, account, "LEDGER-1")
    deposit(registrar, account, "LEDGER-2")
    again = deposit(registrar, account, "LEDGER-1")
    receipt = first["receipt"]
    assert receipt["kind"] == "outcome.deposited"
    assert again["receipt"] == receipt  # sent twice: logged once
    checkpoint = checkpoint_of(client)  # anonymous: the log is public
    proof = client.get(
        "/api/v1/log/proof/inclusion",
        params={"index": receipt["leaf_index"], "tree_size": checkpoint.size},
    ).json()
    merkle.verify_inclusion(
        b64(receipt["leaf_hash"]),
        receipt["leaf_index"],
        checkpoint.size,
        [b64(h) for h in proof["hashes"]],
        checkpoint.root_hash,
    )
    by_hash = client.get(
        "/api/v1/log/proof/inclusion",
        params={"leaf_hash": receipt["leaf_hash"], "tree_size": checkpoint.size},
    ).json()
    assert by_hash == proof
    entries = client.get(
        "/api/v1/log/entries", params={"start": 0, "end": checkpoint.size + 10}
    ).json()["entries"]
    assert [e["leaf_index"] for e in entries] == list(range(checkpoint.size))
    leaves = [merkle.leaf_hash(b64(e["entry"])) for e in entries]
    assert merkle.root_of(leaves) == checkpoint.root_hash  # the whole log, recomputed outside
    assert account.encode() not in b"".join(b64(e["entry"]) for e in entries)
    receipts = client.get(f"/api/v1/records/{first['id']}/receipt").json()["receipts"]
    (found,) = receipts
    assert found["leaf_index"] == receipt["leaf_index"]
    proven = notes.Checkpoint.parse(
        notes.open_note(
            found["checkpoint"],
            [notes.Verifier.from_verifier_key(client.get("/api/v1/log/key").text.strip())],
        ).text
    )
    merkle.verify_inclusion(
        merkle.leaf_hash(b64(found["entry"])),
        found["leaf_index"],
        proven.size,
        [b64(h) for h in found["inclusion_proof"]["hashes"]],
        proven.root_hash,
    )


def test_consistency_between_two_checkpoints(
    registrar: httpx2.Client, account: str, client: httpx2.Client
) -> None:
    deposit(registrar, account, "LEDGER-C1")
    before = checkpoint_of(client)
    deposit(registrar, account, "LEDGER-C2")
    deposit(registrar, account, "LEDGER-C3")
    after = checkpoint_of(client)
    proof = client.get(
        "/api/v1/log/proof/consistency", params={"first": before.size, "second": after.size}
    ).json()
    merkle.verify_consistency(
        before.size,
        after.size,
        [b64(h) for h in proof["hashes"]],
        before.root_hash,
        after.root_hash,
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "problem"),
    [
        (
            "/api/v1/log/proof/inclusion",
            {"index": 0, "tree_size": 10**9},
            404,
            "log-size-out-of-range",
        ),
        (
            "/api/v1/log/proof/inclusion",
            {"index": 5, "tree_size": 2},
            422,
            "log-index-out-of-range",
        ),
        ("/api/v1/log/proof/inclusion", {"tree_size": 1}, 422, "log-range-invalid"),
        (
            "/api/v1/log/proof/inclusion",
            {"leaf_hash": "nope", "tree_size": 1},
            422,
            "invalid-leaf-hash",
        ),
        (
            "/api/v1/log/proof/inclusion",
            {"leaf_hash": base64.b64encode(b"\0" * 32).decode(), "tree_size": 1},
            404,
            "log-entry-not-found",
        ),
        ("/api/v1/log/proof/consistency", {"first": 3, "second": 2}, 422, "log-range-invalid"),
        ("/api/v1/log/entries", {"start": 10**9, "end": 10**9 + 1}, 404, "log-size-out-of-range"),
        ("/api/v1/records/no-such-record/receipt", {}, 404, "record-not-logged"),
    ],
)
def test_questions_the_log_cannot_answer_get_a_problem(  # noqa: PLR0917 - fixtures and cases
    registrar: httpx2.Client,
    account: str,
    client: httpx2.Client,
    path: str,
    params: dict[str, Any],
    status: int,
    problem: str,
) -> None:
    deposit(registrar, account, "LEDGER-E1")
    deposit(registrar, account, "LEDGER-E2")
    answer = client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == f"/problems/{problem}"


def test_witnesses_cosign_growth_and_refuse_a_fork(
    live_bank: LiveBank,
    registrar: httpx2.Client,
    account: str,
    client: httpx2.Client,
    tmp_path: Path,
) -> None:
    witness_key, _ = notes.generate_key("witness.example")
    signer = notes.CosignatureSigner.from_private_key(witness_key)
    database = live_bank.database
    with database.unit_of_work() as uow:
        keys = log_keys(uow)
    server = WitnessServer(tmp_path / "witness", signer, {keys.origin: [keys.verifier_key]})
    with LiveServer(make_witness_app(server)) as witness_http:
        witness = Witness(verifier_key=signer.verifier_key(), url=witness_http.base_url)
        database.session_info[LOG_KEYS] = LogKeys(
            keys.origin, keys.signer, keys.past_verifier_keys, (witness,)
        )
        try:
            deposit(registrar, account, "LEDGER-W1")
            (first,) = witnessing.ask_witnesses(database)
            deposit(registrar, account, "LEDGER-W2")
            (second,) = witnessing.ask_witnesses(database)  # with a consistency proof
        finally:
            database.session_info[LOG_KEYS] = keys
        assert first.cosigned and second.cosigned, (first, second)
        assert server.cosigned(keys.origin) is not None
        published = client.get("/api/v1/log/checkpoint").text
        cosigner = notes.CosignatureVerifier.from_verifier_key(signer.verifier_key())
        opened = notes.open_note(
            published, [notes.Verifier.from_verifier_key(keys.verifier_key), cosigner]
        )
        assert {s.name for s in opened.verified} == {keys.origin, "witness.example"}
        # The same log key signs another tree of the same size: a fork. The witness refuses.
        cosigned = server.cosigned(keys.origin)
        assert cosigned is not None
        forked = notes.sign(
            notes.Checkpoint(keys.origin, cosigned.size, b"\x01" * 32).body(), [keys.signer]
        )
        refused = httpx2.post(
            witness_http.base_url + "/add-checkpoint",
            content=witnessing.add_checkpoint_body(cosigned.size, [], forked),
        )
        assert refused.status_code == 409, refused.text
        bigger = notes.sign(
            notes.Checkpoint(keys.origin, cosigned.size + 5, b"\x02" * 32).body(), [keys.signer]
        )
        refused = httpx2.post(
            witness_http.base_url + "/add-checkpoint",
            content=witnessing.add_checkpoint_body(cosigned.size, [b"\x03" * 32], bigger),
        )
        assert refused.status_code == 422, refused.text
        assert "does not show" in refused.text


def test_an_auditor_follows_the_bank_and_detects_a_fork(
    live_bank: LiveBank, registrar: httpx2.Client, account: str, tmp_path: Path
) -> None:
    deposit(registrar, account, "LEDGER-A1")
    first = auditor.audit(live_bank.url, tmp_path)
    assert first.pinned_now and first.previous_size is None
    deposit(registrar, account, "LEDGER-A2")
    second = auditor.audit(live_bank.url, tmp_path)
    assert second.previous_size == first.tree_size < second.tree_size
    assert not second.pinned_now
    with live_bank.database.unit_of_work() as uow:
        keys = log_keys(uow)
    forked = notes.sign(
        notes.Checkpoint(keys.origin, second.tree_size, b"\x05" * 32).body(), [keys.signer]
    )

    def lying(url: str) -> bytes:
        if url.endswith("/api/v1/log/checkpoint"):
            return forked.encode()
        return auditor.http_get(url)

    with pytest.raises(auditor.AuditError, match="fork"):
        auditor.audit(live_bank.url, tmp_path, get=lying)
    other_key, _ = notes.generate_key(keys.origin)
    resigned = notes.sign(
        notes.Checkpoint(keys.origin, second.tree_size, second.root_hash).body(),
        [notes.Signer.from_private_key(other_key)],
    )
    with pytest.raises(auditor.AuditError, match="does not verify"):
        auditor.audit(live_bank.url, tmp_path, get=lambda _url: resigned.encode())
