"""The tlog-witness: what it cosigns, what it refuses and why, what it remembers, its HTTP face.

Logs here are real RFC 9162 trees built with ``creditbank.ledger.merkle``; consistency proofs are
that module's, so a refusal is the witness's judgement of a genuine or a forged proof.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from creditbank.ledger import merkle
from creditbank.ledger.notes import (
    Checkpoint,
    CosignatureSigner,
    MalformedKeyError,
    Signer,
    generate_key,
    open_note,
    sign,
    verify_cosignature,
)
from creditbank.ledger.witness import (
    CosignedTree,
    Witness,
    WitnessRefusal,
    WitnessStateError,
)
from creditbank.ledger.witness_app import make_witness_app

ORIGIN = "bank.example/ledger"
LOG_KEY, LOG_VKEY = generate_key(ORIGIN)
NEXT_LOG_KEY, NEXT_LOG_VKEY = generate_key(ORIGIN)  # a rotated key for the same log
WITNESS_KEY, _ = generate_key("witness.example/w1")
NOW = 1_700_000_000
LEAVES = [merkle.leaf_hash(f"fact {i}".encode()) for i in range(40)]
FORKED = LEAVES[:3] + [merkle.leaf_hash(f"other fact {i}".encode()) for i in range(3, 40)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def root(size: int, leaves: Sequence[bytes] = LEAVES) -> bytes:
    return merkle.root_of(leaves[:size])


def proof(first: int, second: int, leaves: Sequence[bytes] = LEAVES) -> list[bytes]:
    def node(level: int, index: int) -> bytes:
        return merkle.root_of(leaves[index << level : (index + 1) << level])

    return merkle.consistency_proof(first, second, node)


def checkpoint(size: int, leaves: Sequence[bytes] = LEAVES) -> Checkpoint:
    return Checkpoint(ORIGIN, size, root(size, leaves))


def note(size: int, leaves: Sequence[bytes] = LEAVES, key: str = LOG_KEY) -> str:
    return sign(checkpoint(size, leaves).body(), [Signer.from_private_key(key)])


def request(old: int, hashes: Sequence[bytes], signed: str) -> bytes:
    return (f"old {old}\n" + "".join(b64(h) + "\n" for h in hashes) + "\n" + signed).encode()


def grow(witness: Witness, old: int, new: int, leaves: Sequence[bytes] = LEAVES) -> bytes:
    hashes = proof(old, new, leaves) if old else []
    return witness.add_checkpoint(request(old, hashes, note(new, leaves)))


def refusal(witness: Witness, body: bytes) -> WitnessRefusal:
    with pytest.raises(WitnessRefusal) as caught:
        witness.add_checkpoint(body)
    return caught.value


def make_witness(state_dir: Path) -> Witness:
    signer = CosignatureSigner.from_private_key(WITNESS_KEY, clock=lambda: NOW)
    return Witness(state_dir, signer, {ORIGIN: [LOG_VKEY, NEXT_LOG_VKEY]})


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    return make_witness(tmp_path / "witness")


# --- cosigning --------------------------------------------------------------------------------


def test_the_first_checkpoint_is_cosigned_on_trust(witness: Witness) -> None:
    response = grow(witness, 0, 5)
    line = response.decode()
    assert line.startswith("— witness.example/w1 ")
    assert line.endswith("\n")
    assert line.count("\n") == 1
    verifier = CosignatureSigner.from_private_key(WITNESS_KEY).verifier()
    assert verify_cosignature(checkpoint(5), line, verifier) == NOW
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))
    # As the spec suggests, a client appends the response to the checkpoint and opens it.
    cosigned = note(5) + line
    opened = open_note(cosigned, [Signer.from_private_key(LOG_KEY).verifier(), verifier])
    assert [s.name for s in opened.verified] == [ORIGIN, "witness.example/w1"]
    assert witness.verifier_key == verifier.verifier_key()


@pytest.mark.parametrize(("old", "new"), [(1, 2), (3, 7), (4, 8), (5, 12), (7, 8), (6, 39)])
def test_growth_with_a_real_consistency_proof_is_cosigned(
    witness: Witness, old: int, new: int
) -> None:
    grow(witness, 0, old)
    line = grow(witness, old, new).decode()
    verifier = CosignatureSigner.from_private_key(WITNESS_KEY).verifier()
    assert verify_cosignature(checkpoint(new), line, verifier) == NOW
    assert witness.cosigned(ORIGIN) == CosignedTree(new, root(new))


def test_the_same_tree_is_cosigned_again(witness: Witness) -> None:
    grow(witness, 0, 5)
    assert witness.add_checkpoint(request(5, [], note(5))).startswith("— ".encode())
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))


def test_a_checkpoint_signed_by_a_rotated_key_and_other_signatures_is_cosigned(
    witness: Witness,
) -> None:
    stranger = Signer.from_private_key(generate_key("someone.example")[0])
    signed = sign(checkpoint(5).body(), [stranger, Signer.from_private_key(NEXT_LOG_KEY)])
    witness.add_checkpoint(request(0, [], signed))
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))


def test_a_log_grows_from_the_empty_tree(witness: Witness) -> None:
    grow(witness, 0, 0)
    assert witness.cosigned(ORIGIN) == CosignedTree(0, merkle.EMPTY_ROOT)
    grow(witness, 0, 6)
    assert witness.cosigned(ORIGIN) == CosignedTree(6, root(6))


# --- refusals ---------------------------------------------------------------------------------


def test_a_stale_old_size_is_409_with_the_known_size(witness: Witness) -> None:
    first_time = refusal(witness, request(3, proof(3, 5), note(5)))
    assert (first_time.status, first_time.known_size) == (409, 0)
    grow(witness, 0, 5)
    grow(witness, 5, 12)
    stale = refusal(witness, request(5, proof(5, 20), note(20)))
    assert (stale.status, stale.known_size) == (409, 12)
    assert "last cosigned tree 12" in stale.reason
    assert "not tree 5" in stale.reason
    assert witness.cosigned(ORIGIN) == CosignedTree(12, root(12))


def test_a_proof_that_does_not_connect_the_trees_is_422_naming_both(witness: Witness) -> None:
    grow(witness, 0, 5)
    hashes = proof(5, 12)
    hashes[0] = bytes(32)
    refused = refusal(witness, request(5, hashes, note(12)))
    assert refused.status == 422
    assert refused.reason.startswith(
        f"the proof does not show that tree 5 with root {b64(root(5))} grows into tree 12 "
        f"with root {b64(root(12))}: "
    )
    short = refusal(witness, request(5, proof(5, 12)[:-1], note(12)))
    assert short.status == 422
    assert "expected" in short.reason
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))


def test_a_forked_larger_tree_is_refused_with_its_own_valid_proof(witness: Witness) -> None:
    # The fork's proof is genuine for the fork's own history, which left tree 5 behind.
    grow(witness, 0, 5)
    refused = refusal(witness, request(5, proof(5, 12, FORKED), note(12, FORKED)))
    assert refused.status == 422
    assert f"tree 5 with root {b64(root(5))}" in refused.reason
    assert f"tree 12 with root {b64(root(12, FORKED))}" in refused.reason
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))


def test_the_same_size_with_another_root_is_a_fork_409(witness: Witness) -> None:
    grow(witness, 0, 5)
    refused = refusal(witness, request(5, [], note(5, FORKED)))
    assert (refused.status, refused.known_size) == (409, 5)
    assert refused.reason.startswith("fork:")
    assert b64(root(5)) in refused.reason
    assert b64(root(5, FORKED)) in refused.reason
    assert witness.cosigned(ORIGIN) == CosignedTree(5, root(5))


def test_proofs_where_none_is_due_are_422(witness: Witness) -> None:
    assert refusal(witness, request(0, [root(1)], note(5))).status == 422
    grow(witness, 0, 5)
    assert refusal(witness, request(5, [root(1)], note(5))).status == 422


def test_an_empty_tree_with_a_root_is_422(witness: Witness) -> None:
    signed = sign(Checkpoint(ORIGIN, 0, root(1)).body(), [Signer.from_private_key(LOG_KEY)])
    refused = refusal(witness, request(0, [], signed))
    assert refused.status == 422
    assert "empty tree's root" in refused.reason


def test_an_unknown_origin_is_404(witness: Witness) -> None:
    other_key, _ = generate_key("elsewhere.example/log")
    signed = sign(
        Checkpoint("elsewhere.example/log", 1, root(1)).body(), [Signer.from_private_key(other_key)]
    )
    refused = refusal(witness, request(0, [], signed))
    assert refused.status == 404
    assert "'elsewhere.example/log'" in refused.reason


def test_a_checkpoint_not_signed_by_the_log_is_403(witness: Witness) -> None:
    impostor, _ = generate_key(ORIGIN)  # the log's name, another key
    unsigned = refusal(witness, request(0, [], note(5, key=impostor)))
    assert unsigned.status == 403
    assert "no signature from a known key" in unsigned.reason
    genuine = note(5)
    tampered = genuine.replace(b64(root(5)), b64(root(6)))
    invalid = refusal(witness, request(0, [], tampered))
    assert invalid.status == 403
    assert "invalid signature" in invalid.reason
    assert witness.cosigned(ORIGIN) is None


def test_a_signed_text_that_is_not_a_checkpoint_is_400(witness: Witness) -> None:
    signed = sign(f"{ORIGIN}\n05\n{b64(root(5))}\n", [Signer.from_private_key(LOG_KEY)])
    refused = refusal(witness, request(0, [], signed))
    assert refused.status == 400
    assert "'05' is not a decimal" in refused.reason


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (b"", "a blank line and a checkpoint"),
        (b"old 5\n", "a blank line and a checkpoint"),
        (b"new 5\n\n" + note(5).encode(), "'old <size>'"),
        (b"old 05\n\n" + note(5).encode(), "'old <size>'"),
        (b"old -1\n\n" + note(5).encode(), "'old <size>'"),
        (b"old  5\n\n" + note(5).encode(), "'old <size>'"),
        (b"old 99999999999999999999\n\n" + note(5).encode(), "'old <size>'"),
        (b"old 9999999999999999999\n\n" + note(5).encode(), "out of range"),
        (b"old 0\nnot base64\n\n" + note(5).encode(), "line 1 is not a base64 32-byte hash"),
        (b"old 0\nAAAA\n\n" + note(5).encode(), "line 1 is not a base64 32-byte hash"),
        (request(0, [bytes(32)] * 64, note(5)), "64 consistency proof lines"),
        (b"old 0\n\n\xff" + note(5).encode(), "not UTF-8"),
        (b"old 0\n\n" + b"x" * (1 << 20), "larger than"),
        (b"old 0\n\n" + f"{ORIGIN}\n".encode(), "malformed"),
        (b"old 0\n\n" + note(5).encode()[:-1], "malformed"),
        (b"old 0\n\nno newline", "no origin line"),
        (request(6, [], note(5)), "old size 6 is larger than the checkpoint's size 5"),
    ],
)
def test_malformed_requests_are_400(witness: Witness, body: bytes, fault: str) -> None:
    refused = refusal(witness, body)
    assert refused.status == 400
    assert fault in refused.reason


# --- state ------------------------------------------------------------------------------------


def test_state_survives_a_new_witness_on_the_same_directory(tmp_path: Path) -> None:
    grow(make_witness(tmp_path), 0, 5)
    reopened = make_witness(tmp_path)
    assert reopened.cosigned(ORIGIN) == CosignedTree(5, root(5))
    assert refusal(reopened, request(0, [], note(5))).known_size == 5
    grow(reopened, 5, 12)
    assert make_witness(tmp_path).cosigned(ORIGIN) == CosignedTree(12, root(12))


def test_state_is_one_json_file_per_origin_and_no_leftovers(tmp_path: Path) -> None:
    grow(make_witness(tmp_path), 0, 5)
    grow(make_witness(tmp_path), 5, 9)
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].name.endswith(".json")
    assert ORIGIN not in files[0].name
    assert json.loads(files[0].read_text()) == {
        "origin": ORIGIN,
        "size": 9,
        "root_hash": b64(root(9)),
    }


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"origin": "bank.example/ledger", "size": 5}',
        '{"origin": "other", "size": 5, "root_hash": "' + b64(bytes(32)) + '"}',
        '{"origin": "bank.example/ledger", "size": -1, "root_hash": "' + b64(bytes(32)) + '"}',
        '{"origin": "bank.example/ledger", "size": 5, "root_hash": "AAAA"}',
        '{"origin": "bank.example/ledger", "size": true, "root_hash": "' + b64(bytes(32)) + '"}',
        "[]",
    ],
)
def test_an_unreadable_state_file_stops_the_witness(tmp_path: Path, content: str) -> None:
    witness = make_witness(tmp_path)
    grow(witness, 0, 5)
    next(tmp_path.iterdir()).write_text(content)
    with pytest.raises(WitnessStateError, match="unreadable"):
        witness.add_checkpoint(request(5, proof(5, 9), note(9)))


def test_concurrent_requests_cannot_roll_the_log_back(witness: Witness) -> None:
    grow(witness, 0, 5)
    start = threading.Barrier(2)
    outcomes: dict[int, int] = {}

    def submit(new: int) -> None:
        body = request(5, proof(5, new), note(new))
        start.wait()
        try:
            witness.add_checkpoint(body)
            outcomes[new] = 200
        except WitnessRefusal as refused:
            outcomes[new] = refused.status

    threads = [threading.Thread(target=submit, args=(new,)) for new in (8, 12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == [200, 409]
    winner = next(new for new, status in outcomes.items() if status == 200)
    assert witness.cosigned(ORIGIN) == CosignedTree(winner, root(winner))


def test_log_configuration_is_checked(tmp_path: Path) -> None:
    signer = CosignatureSigner.from_private_key(WITNESS_KEY)
    with pytest.raises(ValueError, match="distinct"):
        Witness(tmp_path, signer, {ORIGIN: [LOG_VKEY, LOG_VKEY]})
    with pytest.raises(ValueError, match="distinct"):
        Witness(tmp_path, signer, {ORIGIN: []})
    with pytest.raises(MalformedKeyError):
        Witness(tmp_path, signer, {ORIGIN: ["not a key"]})


# --- HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def client(witness: Witness) -> Iterator[TestClient]:
    with TestClient(make_witness_app(witness)) as http:
        yield http


def test_http_cosigns(client: TestClient) -> None:
    response = client.post("/add-checkpoint", content=request(0, [], note(5)))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    verifier = CosignatureSigner.from_private_key(WITNESS_KEY).verifier()
    assert verify_cosignature(checkpoint(5), response.text, verifier) == NOW


def test_http_409_is_the_known_size_as_tlog_size(client: TestClient) -> None:
    client.post("/add-checkpoint", content=request(0, [], note(5)))
    for body in (request(0, [], note(7)), request(5, [], note(5, FORKED))):
        response = client.post("/add-checkpoint", content=body)
        assert response.status_code == 409
        assert response.headers["content-type"] == "text/x.tlog.size"
        assert response.text == "5\n"


@pytest.mark.parametrize(
    ("body", "status", "fault"),
    [
        (b"nonsense", 400, "a blank line and a checkpoint"),
        (request(0, [], note(5, key=generate_key(ORIGIN)[0])), 403, "known key"),
        (
            request(
                0,
                [],
                sign(
                    Checkpoint("elsewhere.example/log", 1, root(1)).body(),
                    [Signer.from_private_key(generate_key("elsewhere.example/log")[0])],
                ),
            ),
            404,
            "does not know the log",
        ),
        (request(0, [root(1)], note(5)), 422, "proof from the empty tree"),
    ],
)
def test_http_refusals_say_why(client: TestClient, body: bytes, status: int, fault: str) -> None:
    response = client.post("/add-checkpoint", content=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert fault in response.text


def test_http_fork_with_a_larger_tree_is_422(client: TestClient) -> None:
    client.post("/add-checkpoint", content=request(0, [], note(5)))
    response = client.post(
        "/add-checkpoint", content=request(5, proof(5, 12, FORKED), note(12, FORKED))
    )
    assert response.status_code == 422
    assert "does not show that tree 5" in response.text


def test_http_only_post(client: TestClient) -> None:
    assert client.get("/add-checkpoint").status_code == 405
