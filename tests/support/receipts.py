"""An in-memory log, its witnesses, and a credential with a self-contained receipt in it.

For the tests of :mod:`creditbank.credentials.verifier.receipt` (Python) and of
``interop/receipt.mjs`` (Node): a v2 ``outcome.deposited`` record, logged among other leaves
by the ledger's own model (``make_entry``, the RFC 9162 frontier), a checkpoint signed by the
log's key (C2SP signed note) and cosigned by witnesses (``cosignature/v1``), and the Open
Badge that states the record, built by the bank's document builder. Also what a verifier is
handed (:class:`Bundle`) and the usual ways of spoiling it.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.credentials import documents
from creditbank.credentials.verifier.receipt import EmbeddedReceipt
from creditbank.credentials.verifier.stated import STATED
from creditbank.ledger import merkle, notes
from creditbank.ledger.model import LogFact, LogKind, make_entry

JsonObject = dict[str, Any]

ORIGIN = "bank-a.example/log"
BASE = "https://bank-a.example"
PUBLIC_ID = "7f0c9d62-2e38-4d7a-9c55-3a51f0b1a001"
SALT = bytes(range(16))
ACCOUNT = "310000000123"
"""The learner's account number: in no receipt, only hashed (salted with the public id)."""
AT = datetime(2026, 7, 1, 8, 0, 0, 123456, tzinfo=UTC)

RECORD: dict[str, object] = {
    "schema": 2,
    "bank": ORIGIN,
    "public_id": PUBLIC_ID,
    "learner": documents.identity_hash(ACCOUNT, PUBLIC_ID),
    "institution": "SHOU",
    "record_id": "SHOU-2026-0001",
    "item_owner": "SHOU",
    "item_code": "DB-101",
    "item_version": 1,
    "item_kind": "course",
    "level_framework": "LOFOUC",
    "level_framework_version": 1,
    "level_code": "4",
    "credits": "3.0",
    "score": "91.00",
    "assessed_on": "2026-06-30",
    "setting": "formal",
    "evidence_sha256": None,
    "deposited_at": "2026-07-01T08:00:00.123456Z",
}


def _signer(name: str, seed: int) -> notes.Signer:
    return notes.Signer(name, Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


def _witness(name: str, seed: int) -> notes.CosignatureSigner:
    return notes.CosignatureSigner(
        name, Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32), clock=lambda: 1.8e9
    )


LOG = _signer(ORIGIN, 1)
OTHER_LOG = _signer(ORIGIN, 2)  # the same name, another key: a forger's
WITNESSES = (_witness("witness-1.example", 11), _witness("witness-2.example", 12))
STRANGER = _witness("stranger.example", 13)


@dataclasses.dataclass(frozen=True)
class Bundle:
    """What a verifier is handed: the credential, the inclusion proof, the checkpoint (with
    cosignature lines), the log's key, the trusted witnesses' keys."""

    credential: JsonObject
    receipt: JsonObject
    checkpoint: str
    log_key: str
    witness_keys: tuple[str, ...]

    def arguments(self, k: int) -> tuple[Any, ...]:
        return (
            self.credential,
            self.receipt,
            self.checkpoint,
            self.log_key,
            self.witness_keys,
            k,
        )

    def node_request(self, k: int) -> JsonObject:
        return {
            "action": "verify-receipt",
            "credential": self.credential,
            "receipt": self.receipt,
            "checkpoint": self.checkpoint,
            "logKey": self.log_key,
            "witnessKeys": list(self.witness_keys),
            "k": k,
        }


def facts(receipt: documents.Evidence | None) -> documents.OutcomeFacts:
    """The Open Badge facts of :data:`RECORD`'s outcome."""
    return documents.OutcomeFacts(
        credential_id="urn:uuid:5b0c2a4e-0f49-4a55-8d52-0a6c1b2d3e4f",
        issuer=documents.Issuer(
            id="did:web:bank-a.example:institutions:SHOU",
            name="上海开放大学",
            url=f"{BASE}/institutions/SHOU",
        ),
        achievement_id=f"{BASE}/catalog/SHOU/DB-101",
        item_code="DB-101",
        item_kind="course",
        name="数据库原理",
        description="数据库原理 (DB-101), LOFOUC 4",
        credits_available=Decimal(3),
        credits_earned=Decimal("3.0"),
        score=Decimal("91.00"),
        awarded_on=date(2026, 6, 30),
        alignments=[
            documents.LevelAlignment(
                url=f"{BASE}/frameworks/LOFOUC?version=1#level-4",
                framework="LOFOUC",
                framework_name="LOFOUC (version 1)",
                code="4",
                name="4级 / Level 4",
            )
        ],
        identity_salt=PUBLIC_ID,
        account_number=ACCOUNT,
        valid_from=datetime(2026, 7, 2, tzinfo=UTC),
        receipt=receipt,
    )


def logged(
    record: dict[str, object] = RECORD, *, before: int = 5, after: int = 3
) -> tuple[int, bytes, list[bytes], bytes]:
    """Log ``record`` with ``before`` leaves before it and ``after`` after: (its leaf index,
    its entry's bytes, every leaf hash, the tree's root)."""
    entry = make_entry(LogFact(LogKind.OUTCOME_DEPOSITED, PUBLIC_ID, "SHOU", AT, record), SALT)
    leaves = [merkle.leaf_hash(f"other entry {n}".encode()) for n in range(before)]
    leaves.append(entry.leaf_hash)
    leaves += [merkle.leaf_hash(f"later entry {n}".encode()) for n in range(after)]
    return before, entry.body, leaves, merkle.root_of(leaves)


def proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    nodes: dict[tuple[int, int], bytes] = {}
    frontier = merkle.Frontier.empty()
    for leaf in leaves:
        nodes.update(((level, i), node) for level, i, node in frontier.append(leaf))
    return merkle.inclusion_proof(index, len(leaves), lambda level, i: nodes[level, i])


def checkpoint(
    size: int,
    root: bytes,
    *,
    log: notes.Signer = LOG,
    origin: str = ORIGIN,
    witnesses: Sequence[notes.CosignatureSigner] = WITNESSES,
) -> str:
    """The signed checkpoint with one cosignature line per witness."""
    body = notes.Checkpoint(origin, size, root)
    note = notes.sign(body.body(), [log])
    return note + "".join(notes.cosign(body, witness) for witness in witnesses)


def embedded(
    leaf_index: int, body: bytes, leaf_hash: bytes, record: dict[str, object] = RECORD
) -> EmbeddedReceipt:
    entry = json.loads(body)
    return EmbeddedReceipt(
        url=f"{BASE}/api/v1/records/{PUBLIC_ID}/receipt",
        log=ORIGIN,
        leaf_index=leaf_index,
        leaf_hash=b64(leaf_hash),
        entry={name: entry[name] for name in ("v", "kind", "id", "issuer", "time")},
        salt=SALT,
        record={name: value for name, value in record.items() if name not in STATED},  # type: ignore[misc]
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@functools.cache
def good() -> Bundle:
    """:func:`bundle`, made once."""
    return bundle()


def bundle(record: dict[str, object] = RECORD) -> Bundle:
    """A credential of ``record`` with its receipt, proven in a checkpoint cosigned by both
    :data:`WITNESSES`."""
    index, body, leaves, root = logged(record)
    receipt = embedded(index, body, leaves[index], record)
    credential = documents.open_badge(facts(receipt))
    return Bundle(
        credential=credential,
        receipt={
            "leaf_index": index,
            "tree_size": len(leaves),
            "hashes": [b64(node) for node in proof(leaves, index)],
        },
        checkpoint=checkpoint(len(leaves), root),
        log_key=LOG.verifier_key(),
        witness_keys=tuple(witness.verifier().verifier_key() for witness in WITNESSES),
    )


def narrative(credential: JsonObject) -> JsonObject:
    (evidence,) = [e for e in credential["evidence"] if e["genre"] == "LedgerReceipt"]
    data: JsonObject = json.loads(evidence["narrative"])
    return data


def with_narrative(credential: JsonObject, data: JsonObject) -> JsonObject:
    changed = copy.deepcopy(credential)
    for evidence in changed["evidence"]:
        if evidence["genre"] == "LedgerReceipt":
            evidence["narrative"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return changed


def altered(good: Bundle) -> dict[str, tuple[Bundle, int, str]]:
    """Ways of spoiling ``good``, each with the ``k`` to check it with and the code it must
    fail with."""
    more_credits = copy.deepcopy(good.credential)
    more_credits["credentialSubject"]["creditsEarned"] = 30
    item = copy.deepcopy(good.credential)
    item["credentialSubject"]["achievement"]["humanCode"] = "DB-102"
    item["credentialSubject"]["achievement"]["id"] = f"{BASE}/catalog/SHOU/DB-102"
    day = copy.deepcopy(good.credential)
    day["awardedDate"] = day["credentialSubject"]["activityEndDate"] = "2026-06-29T00:00:00Z"
    learner = copy.deepcopy(good.credential)
    learner["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    salt = narrative(good.credential)
    salt["salt"] = "ff" * 16
    restated = narrative(good.credential)
    restated["record"]["credits"] = "3.0"
    index, _body, leaves, root = logged()
    other_leaf = dict(good.receipt, hashes=[b64(n) for n in proof(leaves, index + 1)])
    bigger = [*leaves, merkle.leaf_hash(b"one more")]
    old = copy.deepcopy(good.credential)
    old["evidence"] = [
        documents.Receipt(f"{BASE}/api/v1/records/{PUBLIC_ID}/receipt", index, "x", None).evidence()
    ]
    replace = dataclasses.replace
    return {
        "credits changed": (replace(good, credential=more_credits), 2, "commitment_mismatch"),
        "item changed": (replace(good, credential=item), 2, "commitment_mismatch"),
        "date changed": (replace(good, credential=day), 2, "commitment_mismatch"),
        "learner changed": (replace(good, credential=learner), 2, "commitment_mismatch"),
        "wrong salt": (
            replace(good, credential=with_narrative(good.credential, salt)),
            2,
            "commitment_mismatch",
        ),
        "record restates credits": (
            replace(good, credential=with_narrative(good.credential, restated)),
            2,
            "malformed_receipt",
        ),
        "checkpoint not signed by the log key": (
            replace(good, checkpoint=checkpoint(len(leaves), root, log=OTHER_LOG)),
            2,
            "bad_checkpoint_signature",
        ),
        "too few cosignatures": (
            replace(good, checkpoint=checkpoint(len(leaves), root, witnesses=WITNESSES[:1])),
            2,
            "too_few_cosignatures",
        ),
        "cosigned by an untrusted witness": (
            replace(
                good, checkpoint=checkpoint(len(leaves), root, witnesses=(WITNESSES[0], STRANGER))
            ),
            2,
            "too_few_cosignatures",
        ),
        "proof of another leaf": (replace(good, receipt=other_leaf), 2, "not_included"),
        "checkpoint of another tree": (
            replace(
                good,
                checkpoint=checkpoint(len(bigger), merkle.root_of(bigger)),
                receipt=dict(good.receipt, tree_size=len(bigger)),
            ),
            2,
            "not_included",
        ),
        "old receipt (URL only)": (replace(good, credential=old), 0, "no_receipt"),
    }
