"""Peer banks over HTTP, both databases: the trust list's four eyes (propose, another
administrator approves, one removes; other staff 403), the public trust list, this bank's
witness of its peers' logs (C2SP tlog-witness over HTTP, its cosignature checked with the key
the trust list publishes), and checking a peer's checkpoint: too few cosignatures (422) and a
fork (409 with both checkpoints, its evidence kept and listed) refused, naming why."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest

from creditbank.db import Database
from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.ledger import notes
from creditbank.ledger.keys import development_private_key, load_log_keys
from creditbank.ledger.service import LOG_KEYS
from creditbank.peers import api as peers
from creditbank.peers import checkpoints, trust
from creditbank.peers.commands import AddPeer, ApprovePeer
from tests.conftest import LiveBank
from tests.peer_logs import PeerLog, add_command_fields, cosigned, peer_fields

PROBLEM = "application/problem+json"


@dataclass
class Tokens:
    admin1: str
    admin2: str
    auditor: str
    registrar: str


@pytest.fixture(scope="module")
def tokens(live_bank: LiveBank) -> Tokens:
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        people = (
            ("admin1@bank.example", Role.BANK_ADMIN, None),
            ("admin2@bank.example", Role.BANK_ADMIN, None),
            ("auditor@bank.example", Role.AUDITOR, None),
            ("reg@shou.example", Role.REGISTRAR, "SHOU"),
        )
        for email, role, institution in people:
            service.add_user(uow=uow, email=email, role=role, institution=institution)
        secrets = [service.create_token(uow=uow, email=p[0]).secret for p in people]
    return Tokens(*secrets)


def _as(bank: str, token: str | None) -> httpx2.Client:
    headers = {"Accept-Language": "en"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.Client(base_url=bank, headers=headers, timeout=10)


@pytest.fixture
def admin1(bank: str, tokens: Tokens) -> Iterator[httpx2.Client]:
    with _as(bank, tokens.admin1) as client:
        yield client


@pytest.fixture
def admin2(bank: str, tokens: Tokens) -> Iterator[httpx2.Client]:
    with _as(bank, tokens.admin2) as client:
        yield client


def _problem(answer: httpx2.Response, status: int, slug: str) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, object] = answer.json()
    assert problem["type"] == f"/problems/{slug}", problem
    return problem


def _approved(admin1: httpx2.Client, admin2: httpx2.Client, log: PeerLog) -> int:
    added = admin1.post("/api/v1/peers", json=peer_fields(log))
    assert added.status_code == 201, added.text
    peer_id: int = added.json()["id"]
    assert admin2.post(f"/api/v1/peers/{peer_id}/approve").status_code == 200
    return peer_id


def test_four_eyes_over_the_api(
    bank: str, tokens: Tokens, admin1: httpx2.Client, admin2: httpx2.Client
) -> None:
    log, second = PeerLog("bank-a.example/log"), PeerLog("bank-b.example/log")
    added = admin1.post("/api/v1/peers", json=peer_fields(log))
    assert added.status_code == 201, added.text
    peer = added.json()
    assert (peer["status"], peer["origin"], peer["receipt"]["kind"]) == (
        "proposed",
        log.origin,
        "peer.proposed",
    )
    peer_id = peer["id"]
    _problem(admin1.post("/api/v1/peers", json=peer_fields(log)), 409, "peer-exists")
    problem = _problem(admin1.post(f"/api/v1/peers/{peer_id}/approve"), 403, "peer-four-eyes")
    assert "four eyes" in str(problem["detail"])
    with _as(bank, tokens.registrar) as registrar:
        _problem(registrar.post(f"/api/v1/peers/{peer_id}/approve"), 403, "forbidden")
        _problem(registrar.get("/api/v1/peers"), 403, "forbidden")
        _problem(registrar.post("/api/v1/peers", json=peer_fields(second)), 403, "forbidden")
    with _as(bank, tokens.auditor) as auditor:
        listed = auditor.get("/api/v1/peers")
        assert [p["status"] for p in listed.json()] == ["proposed"]
        _problem(auditor.post(f"/api/v1/peers/{peer_id}/approve"), 403, "forbidden")
    approved = admin2.post(f"/api/v1/peers/{peer_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["receipt"]["kind"] == "peer.approved"
    _problem(admin2.post(f"/api/v1/peers/{peer_id}/approve"), 409, "peer-status-conflict")
    shown = admin1.get(f"/api/v1/peers/{peer_id}").json()
    assert [e["kind"] for e in shown["events"]] == ["proposed", "approved"]
    assert [e["actor"] for e in shown["events"]] == ["admin1@bank.example", "admin2@bank.example"]
    _problem(
        admin1.post(f"/api/v1/peers/{peer_id}/remove", json={"reason": ""}), 422, "invalid-peer"
    )
    removed = admin1.post(f"/api/v1/peers/{peer_id}/remove", json={"reason": "agreement ended"})
    assert removed.status_code == 200, removed.text
    assert removed.json()["status"] == "removed"
    assert removed.json()["receipt"]["kind"] == "peer.removed"
    _problem(admin1.get("/api/v1/peers/999999"), 404, "peer-not-found")


def test_bad_peers_are_refused_naming_each_problem(admin1: httpx2.Client) -> None:
    second = PeerLog("bank-b.example/log")
    body = peer_fields(second, did="bank-b", witness_key=second.verifier_key, item_kinds=["x"])
    problem = _problem(admin1.post("/api/v1/peers", json=body), 422, "invalid-peer")
    listed = problem["problems"]
    assert isinstance(listed, list)
    found = " ".join(str(p) for p in listed)
    assert "DID" in found
    assert "witness key" in found
    assert "'x' is not a kind of catalogue item" in found
    assert admin1.get("/api/v1/peers").json() == []


def test_the_trust_list_and_the_witness_are_public(
    bank: str, admin1: httpx2.Client, admin2: httpx2.Client
) -> None:
    log = PeerLog("bank-a.example/log").grow(5)
    _approved(admin1, admin2, log)
    with _as(bank, None) as anyone:
        listed = anyone.get("/api/v1/trust-list")
        assert listed.status_code == 200, listed.text
        trust = listed.json()
        assert [p["origin"] for p in trust["peers"]] == [log.origin]
        assert trust["peers"][0]["agreement"]["item_kinds"] == ["course", "x_certificate"]
        assert trust["witness_url"].endswith("/witness")
        body = b"old 0\n\n" + log.note(5).encode()
        answer = anyone.post("/witness/add-checkpoint", content=body)
        assert answer.status_code == 200, answer.text
        witness = notes.CosignatureVerifier.from_verifier_key(trust["witness_key"])
        assert notes.verify_cosignature(log.checkpoint(5), answer.text, witness) > 0
        again = anyone.post("/witness/add-checkpoint", content=b"old 5\n\n" + log.note(5).encode())
        assert again.status_code == 200, again.text  # the same tree: cosigned again
        log.grow(2)
        conflict = anyone.post(
            "/witness/add-checkpoint", content=b"old 0\n\n" + log.note(7).encode()
        )
        assert (conflict.status_code, conflict.text) == (409, "5\n")
        assert conflict.headers["content-type"] == "text/x.tlog.size"
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in log.proof(5, 7))
        grown = anyone.post(
            "/witness/add-checkpoint", content=f"old 5\n{proof}\n{log.note(7)}".encode()
        )
        assert grown.status_code == 200, grown.text
        stranger = PeerLog("stranger.example/log").grow(1)
        unknown = anyone.post(
            "/witness/add-checkpoint", content=b"old 0\n\n" + stranger.note().encode()
        )
        assert unknown.status_code == 404
        forked = log.forked(at=3).grow(3)  # 7 leaves, another history
        fork = anyone.post("/witness/add-checkpoint", content=f"old 7\n\n{forked.note(7)}".encode())
        assert (fork.status_code, fork.text) == (409, "7\n")
    forks = admin1.get("/api/v1/peers/forks").json()
    assert [f["new_checkpoint"] for f in forks] == [forked.note(7)]
    assert "different roots" in forks[0]["reason"]


def test_a_peers_checkpoint_refused_names_why(admin1: httpx2.Client, admin2: httpx2.Client) -> None:
    second = PeerLog("bank-b.example/log").grow(4)
    peer_id = _approved(admin1, admin2, second)
    witness = admin1.get("/api/v1/trust-list").json()["witness_key"]
    bare = second.note(4)
    problem = _problem(
        admin1.post(f"/api/v1/peers/{peer_id}/checkpoints", json={"note": bare}),
        422,
        "too-few-cosignatures",
    )
    assert "carries 0 valid cosignatures of witnesses this bank trusts; it needs 1" in str(
        problem["detail"]
    )
    assert admin1.get(f"/api/v1/peers/{peer_id}").json()["checkpoints"] == []
    own = _own_witness_of(admin1, witness)
    note = cosigned(bare, own)
    accepted = admin1.post(f"/api/v1/peers/{peer_id}/checkpoints", json={"note": note})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["size"], accepted.json()["cosignatures"]) == (4, 1)
    other = cosigned(second.forked(at=2).grow(1).note(4), own)
    problem = _problem(
        admin1.post(f"/api/v1/peers/{peer_id}/checkpoints", json={"note": other}),
        409,
        "checkpoint-fork",
    )
    assert problem["seen_checkpoint"] == note
    assert problem["new_checkpoint"] == other
    shown = admin1.get(f"/api/v1/peers/{peer_id}").json()
    assert [f["new_checkpoint"] for f in shown["fork_evidence"]] == [other]
    assert [c["size"] for c in shown["checkpoints"]] == [4]


def _own_witness_of(admin: httpx2.Client, witness_key: str) -> notes.CosignatureSigner:
    """The bank's witness signer (the development witness of the test bank's log origin),
    checked against the key its trust list publishes."""
    from creditbank.peers.checkpoints import development_witness  # noqa: PLC0415

    origin = admin.get("/api/v1/trust-list").json()["origin"]
    signer = development_witness(origin)
    assert signer.verifier_key() == witness_key
    return signer


def test_a_live_peers_checkpoints_are_accepted_with_its_own_proofs(
    bank: str, admin1: httpx2.Client, admin2: httpx2.Client, database: Database
) -> None:
    """Bank A (``database``, log ``bank-a.test/log``) trusts the live bank B: B's checkpoints,
    cosigned by A's witness, are accepted with the consistency proof fetched from B's public log
    by the default fetcher; a checkpoint B's key signed for a tree B does not have is a fork
    (B gives no proof), refused with both checkpoints."""
    database.session_info[LOG_KEYS] = load_log_keys(origin="bank-a.test/log", private_key=None)
    with _as(bank, None) as anyone:
        key = anyone.get("/api/v1/log/key").text.strip()
    for origin in ("grow-1.example/log", "grow-2.example/log"):  # B's log grows
        assert admin1.post("/api/v1/peers", json=peer_fields(PeerLog(origin))).status_code == 201
    with _as(bank, None) as anyone:
        first = anyone.get("/api/v1/log/checkpoint").text
    assert (
        admin1.post("/api/v1/peers", json=peer_fields(PeerLog("grow-3.example/log"))).status_code
        == 201
    )
    with _as(bank, None) as anyone:
        second = anyone.get("/api/v1/log/checkpoint").text
    origin = first.split("\n", 1)[0]
    b = PeerLog(origin)
    with database.unit_of_work() as uow:
        for email in ("a1@bank-a.test", "a2@bank-a.test"):
            service.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
        proposer = service.principal_for(uow=uow, email="a1@bank-a.test")
        approver = service.principal_for(uow=uow, email="a2@bank-a.test")
        fields = add_command_fields(b, log_key=key, url=bank, witness_url=f"{bank}/witness")
        added = trust.add_peer(AddPeer(**fields), principal=proposer, uow=uow)  # type: ignore[arg-type]
        trust.approve_peer(ApprovePeer(str(added.peer.peer.id)), principal=approver, uow=uow)
        witness = checkpoints.peer_settings(uow).witness
        for note in (first, second):
            accepted = peers.accept_checkpoint(uow=uow, origin=origin, note=cosigned(note, witness))
            assert accepted.size == int(note.split("\n")[1])
        assert accepted.size > int(first.split("\n")[1])
        seen = accepted.note
    # B's key is the development key: anybody may sign a tree B never had
    forged_body = notes.Checkpoint(origin, accepted.size + 5, bytes(32)).body()
    forged = notes.sign(
        forged_body, [notes.Signer.from_private_key(development_private_key(origin))]
    )
    with pytest.raises(peers.CheckpointFork) as fork, database.unit_of_work() as uow:
        peers.accept_checkpoint(uow=uow, origin=origin, note=cosigned(forged, witness))
    assert f"no consistency proof from tree {accepted.size} to tree {accepted.size + 5}" in (
        fork.value.render()
    )
    assert fork.value.evidence.seen == seen
