"""The bank's checkpoints and the cosignatures of peers' witnesses, checked by an independent
implementation of C2SP signed notes, tlog checkpoints and cosignatures and of RFC 9162
consistency proofs (``interop/checkpoints.mjs``: written from the specifications, node:crypto
only; no npm or PyPI package implements the cosignature format), on both databases.

No independent package was found: npm and PyPI hold none for C2SP signed notes with
``cosignature/v1`` (Go's sumdb note, the Rust and Elixir crates are not reachable from here),
so the check is written in Node from the specifications, as an implementation of its own.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import service as ledger
from creditbank.peers import api as peers
from creditbank.peers import checkpoints, trust
from creditbank.peers.commands import AddPeer, ApprovePeer
from tests.peer_logs import PeerLog, add_command_fields, cosigned

SCRIPT = Path(__file__).resolve().parents[2] / "interop" / "checkpoints.mjs"


def node_check(**request: Any) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: install Node.js >= 18 (.ci/run does)", pytrace=False)
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _bank_with_peers(uow: UnitOfWork, *logs: PeerLog) -> None:
    for email in ("n1@bank.example", "n2@bank.example"):
        institutions.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
    first = institutions.principal_for(uow=uow, email="n1@bank.example")
    second = institutions.principal_for(uow=uow, email="n2@bank.example")
    for log in logs:
        added = trust.add_peer(AddPeer(**add_command_fields(log)), principal=first, uow=uow)  # type: ignore[arg-type]
        trust.approve_peer(ApprovePeer(str(added.peer.peer.id)), principal=second, uow=uow)


def test_the_banks_checkpoint_and_its_peers_cosignatures(database: Database) -> None:
    peer_a, peer_b = PeerLog("peer-a.example/log"), PeerLog("peer-b.example/log")
    with database.unit_of_work() as uow:
        _bank_with_peers(uow, peer_a, peer_b)  # four entries in the bank's log
        keys = ledger.log_keys(uow)
        newest = ledger.latest_checkpoint(uow)
        assert newest is not None
        size = newest.tree_size
        old_root = ledger.root_at(uow, 1)
        proof = ledger.consistency_proof(uow, first=1, second=size)
    note = cosigned(newest.note, peer_a.witness, peer_b.witness)
    witnesses = [peer_a.witness.verifier_key(), peer_b.witness.verifier_key()]
    consistency = {"size": 1, "rootHash": _b64(old_root), "proof": [_b64(h) for h in proof]}
    answer = node_check(
        note=note, logKey=keys.verifier_key, witnessKeys=witnesses, k=2, consistency=consistency
    )
    assert answer["verified"], answer
    assert (answer["origin"], answer["size"]) == (keys.origin, size)
    assert answer["rootHash"] == _b64(newest.root_hash)
    assert answer["cosignedBy"] == [peer_a.witness.name, peer_b.witness.name]
    # a cosignature altered: one witness short of k
    lines = note.split("\n")
    raw = bytearray(base64.b64decode(lines[-2].split(" ")[2]))
    raw[-1] ^= 1
    lines[-2] = " ".join([*lines[-2].split(" ")[:2], _b64(bytes(raw))])
    altered = node_check(
        note="\n".join(lines), logKey=keys.verifier_key, witnessKeys=witnesses, k=2
    )
    assert not altered["verified"]
    assert altered["errors"] == ["1 valid cosignatures; 2 needed"], altered
    # another size under the same signature, and a proof that does not connect
    forged = note.replace(f"\n{size}\n", f"\n{size + 1}\n", 1)
    assert (
        "no valid signature of the log's key"
        in node_check(note=forged, logKey=keys.verifier_key)["errors"]
    )
    wrong = {**consistency, "rootHash": _b64(bytes(32))}
    assert node_check(note=note, logKey=keys.verifier_key, consistency=wrong)["errors"] == [
        f"tree 1 does not grow into tree {size}"
    ]


def test_the_banks_witness_cosignature_on_a_peers_checkpoint(database: Database) -> None:
    peer = PeerLog("peer-c.example/log").grow(6)
    with database.unit_of_work() as uow:
        _bank_with_peers(uow, peer)
        own = checkpoints.peer_settings(uow).witness
        body = b"old 0\n\n" + peer.note(6).encode()
        line = checkpoints.witness_checkpoint(uow=uow, request_body=body).decode()
        note = peer.note(6) + line
        accepted = peers.accept_checkpoint(uow=uow, origin=peer.origin, note=note)
        assert accepted.cosignatures == 1
    answer = node_check(note=note, logKey=peer.verifier_key, witnessKeys=[own.verifier_key()], k=1)
    assert answer["verified"], answer
    assert answer["cosignedBy"] == [own.name]
    growth = {
        "size": 3,
        "rootHash": _b64(peer.root(3)),
        "proof": [_b64(h) for h in peer.proof(3, 6)],
    }
    assert node_check(note=note, logKey=peer.verifier_key, consistency=growth)["verified"]
    # the same verdict as the bank's: a note without the witness's line is refused by both
    bare = node_check(
        note=peer.note(6), logKey=peer.verifier_key, witnessKeys=[own.verifier_key()], k=1
    )
    assert bare["errors"] == ["0 valid cosignatures; 1 needed"]
    with database.unit_of_work() as uow, pytest.raises(peers.PeerError) as refused:
        peers.accept_checkpoint(uow=uow, origin=peer.origin, note=peer.note(6))
    assert refused.value.code == "too_few_cosignatures"
