"""The Node harness's two modes and its own guards (interop/verify.mjs, sign-fixture.mjs).

Both refuse to start when a pinned context's sha256 does not match (one-shot and ``--serve``);
a bad request is exit status 2 in the one-shot mode and a status-2 line in the serve mode,
which answers what the one-shot mode answers; the tests' long-running harness
(tests/interop/node.py) is started again when it died and stopped when it does not answer.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.interop.node import (
    HARNESS,
    REPO_ROOT,
    SERVERS,
    SIGN_FIXTURE,
    TIMEOUT_SECONDS,
    NodeServer,
    require_node_harness,
    run_harness,
    run_node_script,
)

VECTOR = REPO_ROOT / "tests" / "vectors" / "vc-di-eddsa" / "eddsa-rdfc-2022" / "signedDataInt.json"
CONTEXTS = REPO_ROOT / "src" / "creditbank" / "credentials" / "contexts"
EXAMPLES_CONTEXT = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
}


def _vector() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(VECTOR.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    ("script", "arguments"),
    [(HARNESS, ()), (HARNESS, ("--serve",)), (SIGN_FIXTURE, ("--serve",))],
    ids=["verify-one-shot", "verify-serve", "sign-fixture-serve"],
)
def test_harness_refuses_to_start_on_a_context_hash_mismatch(
    tmp_path: Path, script: Path, arguments: tuple[str, ...]
) -> None:
    contexts = tmp_path / "contexts"
    shutil.copytree(CONTEXTS, contexts, ignore=shutil.ignore_patterns("*.py"))
    target = contexts / "credentials-v2.jsonld"
    target.write_bytes(target.read_bytes() + b"\n")
    completed = run_node_script(
        script,
        {"action": "verify-di", "credential": {}},
        env={"CREDITBANK_INTEROP_CONTEXTS": str(contexts)},
        arguments=arguments,
    )
    assert completed.returncode == 3
    assert completed.stdout == ""
    assert "refuses to start: sha256 mismatch for https://www.w3.org/ns/credentials/v2" in (
        completed.stderr
    )


def test_harness_rejects_an_unknown_action() -> None:
    with pytest.raises(AssertionError, match="unknown action") as served:
        run_harness({"action": "sign"})
    # the one-shot mode: exit status 2, the same reason on stderr, nothing on stdout
    completed = run_node_script(HARNESS, {"action": "sign"})
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith('verify.mjs: unknown action "sign"; expected one of ')
    assert completed.stderr.strip() in str(served.value)


def test_served_answers_are_the_one_shot_answers() -> None:
    altered = _vector()
    altered["credentialSubject"]["alumniOf"] = "The School of Counterfeits"
    requests: list[dict[str, Any]] = [
        {"action": "verify-di", "credential": _vector()},
        {"action": "verify-di", "credential": altered, "checkIssuer": False},
    ]
    for request in requests:
        request["documents"] = EXAMPLES_CONTEXT
    # --serve: one line per request, in order; a bad line is answered and the rest go on
    lines = [json.dumps(requests[0]), "[1, 2", json.dumps(requests[1]), ""]
    served = subprocess.run(
        [require_node_harness(), str(HARNESS), "--serve"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )
    assert (served.returncode, served.stderr) == (0, "")
    first, bad, second = (json.loads(line) for line in served.stdout.splitlines())
    assert bad["status"] == 2
    assert bad["error"].startswith("verify.mjs: the line is not one JSON request: ")
    for reply, request in ((first, requests[0]), (second, requests[1])):
        one_shot = run_node_script(HARNESS, request)
        assert (one_shot.returncode, one_shot.stderr) == (0, "")
        assert reply == {"status": 0, "answer": json.loads(one_shot.stdout)}
        assert run_harness(request) == reply["answer"]
    assert (
        "Credential issuer must match the verification method controller."
        in (first["answer"]["errors"])
    )
    assert second["answer"]["errors"] == ["Invalid signature."]


def test_a_dead_harness_is_started_again() -> None:
    server = SERVERS[HARNESS]
    request = {"action": "verify-jwt", "jwt": "x", "publicKeyJwk": {"kty": "EC"}}
    expected = {
        "verified": False,
        "errors": ["publicKeyJwk must be an OKP Ed25519 key"],
        "header": None,
        "payload": None,
    }
    assert run_harness(request) == expected
    first = server.process_id
    assert first is not None
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while server.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not server.running
    assert run_harness(request) == expected
    assert server.process_id not in {None, first}


def test_a_harness_that_does_not_answer_in_time_is_stopped(tmp_path: Path) -> None:
    silent = tmp_path / "silent.mjs"
    silent.write_text("process.stdin.resume();\n", encoding="utf-8")  # reads, never answers
    server = NodeServer(silent, timeout=0.5)
    with pytest.raises(AssertionError, match=r"silent.mjs --serve did not answer within 0.5 s"):
        server.request({"action": "verify-jwt"})
    assert not server.running
    assert server.process_id is None
