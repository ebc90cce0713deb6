"""An outside auditor: follow a bank's checkpoints over HTTP and check it only ever appends.

``creditbank log audit URL`` keeps, in a state directory, the log's verifier key (pinned
the first time, or given) and the last checkpoint it accepted. Each run fetches the newest
checkpoint, checks its signature with the pinned key, and checks that it extends the one
before with the bank's RFC 9162 consistency proof, verified here. A smaller tree, the same
size with another root, a bad signature or a proof that does not verify is a failure: the
bank showed the auditor a different history. The state moves only on success.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from creditbank.ledger import merkle, notes

TIMEOUT_SECONDS = 30
Get = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """GET ``url`` with the standard library; an HTTP error raises."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
        return bytes(answer.read())


class AuditError(Exception):
    """The bank's log did not check out; the message says what was seen."""


@dataclass(frozen=True, slots=True)
class AuditResult:
    origin: str
    previous_size: int | None
    tree_size: int
    root_hash: bytes
    pinned_now: bool
    """True when this run pinned the key (trust on first use)."""


def _state_file(state_dir: Path, url: str) -> Path:
    return state_dir / (hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:32] + ".json")


def _save(path: Path, state: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as file:
        json.dump(state, file, indent=2)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)


def audit(
    base_url: str, state_dir: Path, *, verifier_key: str | None = None, get: Get = http_get
) -> AuditResult:
    """Check the bank at ``base_url`` against what this auditor saw before; see the module."""
    base = base_url.rstrip("/")
    path = _state_file(state_dir, base)
    state: dict[str, object] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    pinned = state.get("key")
    pinned_now = False
    if verifier_key is not None:
        if pinned is not None and pinned != verifier_key:
            msg = f"the key given is not the one pinned for {base} ({pinned})"
            raise AuditError(msg)
        key = verifier_key
    elif isinstance(pinned, str):
        key = pinned
    else:
        key = get(base + "/api/v1/log/key").decode().strip()
        pinned_now = True
    verifier = notes.Verifier.from_verifier_key(key)
    note = get(base + "/api/v1/log/checkpoint").decode()
    try:
        checkpoint = notes.Checkpoint.parse(notes.open_note(note, [verifier]).text)
    except notes.NoteError as error:
        msg = f"the checkpoint of {base} does not verify with key {key}: {error}"
        raise AuditError(msg) from error
    previous_size = state.get("size")
    if isinstance(previous_size, int):
        previous_root = base64.b64decode(str(state["root"]))
        _check_growth(base, previous_size, previous_root, checkpoint, get)
    _save(
        path,
        {
            "url": base,
            "key": key,
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": base64.b64encode(checkpoint.root_hash).decode(),
            "note": note,
        },
    )
    return AuditResult(
        checkpoint.origin,
        previous_size if isinstance(previous_size, int) else None,
        checkpoint.size,
        checkpoint.root_hash,
        pinned_now,
    )


def _check_growth(
    base: str, size: int, root: bytes, checkpoint: notes.Checkpoint, get: Get
) -> None:
    if checkpoint.size < size:
        msg = f"the log shrank: it showed a tree of {size} entries before and now {checkpoint.size}"
        raise AuditError(msg)
    if checkpoint.size == size:
        if checkpoint.root_hash != root:
            msg = f"the log shows two different trees of {size} entries: a fork"
            raise AuditError(msg)
        return
    if size == 0:
        return
    query = urllib.parse.urlencode({"first": size, "second": checkpoint.size})
    answer = json.loads(get(f"{base}/api/v1/log/proof/consistency?{query}"))
    proof = [base64.b64decode(node) for node in answer["hashes"]]
    try:
        merkle.verify_consistency(size, checkpoint.size, proof, root, checkpoint.root_hash)
    except merkle.ProofError as error:
        msg = (
            f"the tree of {checkpoint.size} entries does not extend the tree of {size} "
            f"seen before: {error}"
        )
        raise AuditError(msg) from error
