"""A credential's self-contained ledger receipt, and its check without the issuing bank.

Pure (no database, no web): anybody holding the credential, an inclusion proof and a signed,
cosigned checkpoint of the bank's log can check that the credential says what the bank
committed to, and that the commitment is in the log.

The receipt travels inside the signed credential, as its ``LedgerReceipt`` evidence: the
evidence ``id`` is the record's receipt URL with ``leaf_index`` and ``leaf_hash`` (as before),
and its ``narrative`` is the JSON text of::

    {"receipt": "creditbank-receipt/2", "log": ORIGIN, "leaf_index": N, "leaf_hash": B64,
     "entry": {"v": 1, "kind": "outcome.deposited", "id": ..., "issuer": ..., "time": ...},
     "salt": HEX, "record": {...the committed record's fields the credential does not state}}

A verifier rebuilds the committed record from ``record`` and the fields the credential states
(:data:`STATED`: item, level, credits, score, dates, institution, learner), each taken FROM the
credential, so that a credential altered after issue no longer matches; then the commitment
``SHA-256(RFC 8785 record || salt)``, the entry (RFC 8785 of ``entry`` and the commitment), its
RFC 9162 leaf hash, and the leaf's inclusion in the tree of a checkpoint signed by the log's key
(C2SP signed note) and cosigned by at least ``k`` of the witnesses it trusts
(``cosignature/v1``). The inclusion proof and the checkpoint travel beside the credential (a
transfer package carries them; the bank's log endpoints serve them), since the checkpoint that
witnesses cosign comes after the credential.

Credentials issued before (their receipt is the URL alone) carry no salt and no record: they
are checked as before, by the bank that issued them (:func:`embedded_receipt` says ``None``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from creditbank.credentials import documents
from creditbank.credentials.verifier.stated import (
    BAD_SALT,
    STATED,
    ReceiptError,
    achievement_of,
    institution_of,
    malformed,
    mismatch,
    transfer_sources_of,
)
from creditbank.ledger import merkle, notes
from creditbank.ledger.model import RecordValue, canonical_json
from creditbank.messages import Message, msg

RECEIPT_FORMAT = "creditbank-receipt/2"
SALT_HEX = 32
ENTRY_FIELDS = ("v", "kind", "id", "issuer", "time")

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EmbeddedReceipt:
    """What a credential carries of its record's entry in the bank's log."""

    url: str
    """The record's receipt URL at the bank (the evidence ``id`` without its query)."""
    log: str
    """The log's origin (its checkpoints' first line)."""
    leaf_index: int
    leaf_hash: str
    """Base64, as the issuer stated it."""
    entry: Mapping[str, RecordValue]
    """The entry's public fields but the commitment: v, kind, id, issuer, time."""
    salt: bytes
    record: Mapping[str, RecordValue]
    """The committed record's fields that the credential does not state."""

    def narrative(self) -> str:
        """The evidence's ``narrative``: the receipt as JSON text."""
        return json.dumps(
            {
                "receipt": RECEIPT_FORMAT,
                "log": self.log,
                "leaf_index": self.leaf_index,
                "leaf_hash": self.leaf_hash,
                "entry": dict(self.entry),
                "salt": self.salt.hex(),
                "record": dict(self.record),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    def evidence(self) -> JsonObject:
        """The credential's ``LedgerReceipt`` evidence entry."""
        old = documents.Receipt(self.url, self.leaf_index, self.leaf_hash, None).evidence()
        old["narrative"] = self.narrative()
        old["description"] = (
            "The entry of this record in the credit bank's append-only log (RFC 9162), with "
            "what a verifier needs to recompute its commitment from this credential: check "
            "its inclusion with the log's proofs and a witnessed checkpoint."
        )
        return old


# --- reading the receipt -------------------------------------------------------------------


def _evidence(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for item in credential.get("evidence") or []:
        if isinstance(item, dict) and item.get("genre") == documents.RECEIPT_GENRE:
            return item
    return None


def embedded_receipt(credential: Mapping[str, Any]) -> EmbeddedReceipt | None:
    """The self-contained receipt in ``credential``; None when it has none (no receipt, or one
    of before, a URL alone); :class:`ReceiptError` when it is there but cannot be read."""
    item = _evidence(credential)
    if item is None:
        return None
    narrative = item.get("narrative")
    if not isinstance(narrative, str) or not narrative.startswith("{"):
        return None
    try:
        data = json.loads(narrative)
    except ValueError:
        raise malformed(msg("its narrative is not JSON")) from None
    if not isinstance(data, dict) or data.get("receipt") != RECEIPT_FORMAT:
        raise malformed(msg("it is not a {format} receipt", format=RECEIPT_FORMAT))
    stated = documents.receipt_in({"evidence": [item]})
    if stated is None:
        raise malformed(msg("its id names no leaf index and leaf hash"))
    url, leaf_index, leaf_hash = stated
    entry, record, log = data.get("entry"), data.get("record"), data.get("log")
    if not isinstance(entry, dict) or sorted(entry) != sorted(ENTRY_FIELDS):
        raise malformed(msg("its entry must have exactly {fields}", fields=", ".join(ENTRY_FIELDS)))
    if not isinstance(record, dict) or not isinstance(log, str) or not log:
        raise malformed(msg("it needs the log's origin and the record"))
    if data.get("leaf_index") != leaf_index or data.get("leaf_hash") != leaf_hash:
        raise malformed(msg("its leaf index or leaf hash differs from its id's"))
    salt = data.get("salt")
    if not isinstance(salt, str) or len(salt) != SALT_HEX or salt != salt.lower():
        raise malformed(BAD_SALT)
    try:
        salt_bytes = bytes.fromhex(salt)
    except ValueError:
        raise malformed(BAD_SALT) from None
    return EmbeddedReceipt(url, log, leaf_index, leaf_hash, entry, salt_bytes, record)


def _check_tied(credential: Mapping[str, Any], receipt: EmbeddedReceipt) -> None:
    """The receipt's fields that the credential states otherwise must agree with it: the item's
    kind with the ``achievementType`` (kinds are more than achievement types), transferred
    credit's sources with its ``TransferSource`` evidence, the entry's issuer with the issuing
    institution, the entry's id with the record's public id, the record's bank with the log."""
    record = receipt.record
    kind = record.get("item_kind")
    expected = documents.ACHIEVEMENT_TYPES.get(str(kind), "Achievement")
    if achievement_of(credential).get("achievementType") != expected:
        raise mismatch(msg("its achievementType is not that of a {kind}", kind=kind))
    if record.get("transfer_sources") != transfer_sources_of(credential):
        raise mismatch(msg("the outcomes it was transferred from are not those the bank logged"))
    if receipt.entry.get("issuer") != institution_of(credential):
        raise mismatch(msg("it is issued by another institution than the one the bank logged"))
    if receipt.entry.get("id") != record.get("public_id"):
        raise malformed(msg("its entry's id is not its record's public_id"))
    if record.get("bank") != receipt.log:
        raise malformed(msg("its record's bank is not its log"))


def committed_record(
    credential: Mapping[str, Any], receipt: EmbeddedReceipt
) -> dict[str, RecordValue]:
    """The record the bank committed to, as this credential and its receipt say it."""
    restated = sorted(set(receipt.record) & set(STATED))
    if restated:
        raise malformed(
            msg(
                "its record restates what the credential states: {fields}",
                fields=", ".join(restated),
            )
        )
    _check_tied(credential, receipt)
    return {**receipt.record, **{name: read(credential) for name, read in STATED.items()}}


def entry_of(credential: Mapping[str, Any], receipt: EmbeddedReceipt) -> bytes:
    """The log entry's bytes, rebuilt from the credential and its receipt."""
    return _entry(committed_record(credential, receipt), receipt)


def _entry(record: Mapping[str, RecordValue], receipt: EmbeddedReceipt) -> bytes:
    commitment = hashlib.sha256(canonical_json(dict(record)) + receipt.salt).hexdigest()
    return canonical_json({**receipt.entry, "commitment": commitment})


# --- the check -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptFailure:
    code: str
    message: Message


@dataclass(frozen=True, slots=True)
class ReceiptVerdict:
    """Whether a credential's record is in a log, by a signed checkpoint cosigned by ``k``."""

    failures: tuple[ReceiptFailure, ...]
    origin: str | None = None
    entry_id: str | None = None
    """The record's public id at the issuing bank (the entry's ``id``)."""
    leaf_index: int | None = None
    leaf_hash: str | None = None
    """Base64 of the leaf hash rebuilt from the credential (None if it could not be)."""
    tree_size: int | None = None
    root_hash: str | None = None
    cosigned_by: tuple[str, ...] = field(default=())
    record: Mapping[str, RecordValue] | None = None
    """The committed record, rebuilt from the credential and its receipt, when its commitment
    is the logged one (whatever else failed)."""

    @property
    def ok(self) -> bool:
        return not self.failures

    def codes(self) -> list[str]:
        return [failure.code for failure in self.failures]


@dataclass(slots=True)
class _Findings:
    failures: list[ReceiptFailure] = field(default_factory=list)

    def fail(self, code: str, message: Message) -> None:
        self.failures.append(ReceiptFailure(code, message))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _proof(receipt: Mapping[str, Any]) -> tuple[int, int, list[bytes]]:
    index, size, hashes = receipt.get("leaf_index"), receipt.get("tree_size"), receipt.get("hashes")
    if (
        isinstance(index, bool)
        or isinstance(size, bool)
        or not isinstance(index, int)
        or not isinstance(size, int)
        or not isinstance(hashes, list)
        or not all(isinstance(item, str) for item in hashes)
    ):
        raise malformed(msg("the inclusion proof needs leaf_index, tree_size and base64 hashes"))
    try:
        return index, size, [base64.b64decode(item, validate=True) for item in hashes]
    except binascii.Error:
        raise malformed(msg("a hash of the inclusion proof is not base64")) from None


def _checkpoint(
    note: str, log_key: str, found: _Findings
) -> tuple[notes.Checkpoint, notes.OpenedNote] | None:
    try:
        verifier = notes.Verifier.from_verifier_key(log_key)
    except notes.NoteError as error:
        found.fail("bad_log_key", msg("the log's key cannot be read: {detail}", detail=str(error)))
        return None
    try:
        opened = notes.open_note(note, [verifier])
    except (notes.UnverifiedNoteError, notes.InvalidSignatureError):
        found.fail(
            "bad_checkpoint_signature",
            msg("the checkpoint is not signed by the log's key {key}", key=verifier.name),
        )
        return None
    except notes.NoteError as error:
        found.fail(
            "malformed_checkpoint",
            msg("the checkpoint is not a signed note: {detail}", detail=str(error)),
        )
        return None
    try:
        return notes.Checkpoint.parse(opened.text), opened
    except notes.NoteError as error:
        found.fail(
            "malformed_checkpoint",
            msg("the checkpoint is not a checkpoint: {detail}", detail=str(error)),
        )
        return None


def _cosigners(
    checkpoint: notes.Checkpoint, opened: notes.OpenedNote, witness_keys: Sequence[str]
) -> tuple[str, ...]:
    """The names of the trusted witnesses whose cosignature on ``checkpoint`` verifies."""
    message = checkpoint.body().encode("utf-8")
    names: dict[str, None] = {}
    for witness_key in dict.fromkeys(witness_keys):
        try:
            witness = notes.CosignatureVerifier.from_verifier_key(witness_key)
        except notes.NoteError:
            continue
        for signature in opened.unverified:
            if (signature.name, signature.key_id) == (witness.name, witness.key_id) and (
                witness.verify(message, signature.signature)
            ):
                names[witness.verifier_key()] = None
                break
    return tuple(key.split("+", 1)[0] for key in names)


def _rebuilt(
    credential: Mapping[str, Any], found: _Findings
) -> tuple[EmbeddedReceipt | None, dict[str, RecordValue] | None, bytes | None]:
    """The credential's receipt, the record and the leaf hash rebuilt from them (None where
    they cannot be, with the failure named)."""
    try:
        embedded = embedded_receipt(credential)
    except ReceiptError as error:
        found.fail(error.code, error.message)
        return None, None, None
    if embedded is None:
        found.fail(
            "no_receipt",
            msg("the credential carries no self-contained ledger receipt (salt and record)"),
        )
        return None, None, None
    try:
        record = committed_record(credential, embedded)
        return embedded, record, merkle.leaf_hash(_entry(record, embedded))
    except ReceiptError as error:
        found.fail(error.code, error.message)
    except (ValueError, TypeError) as error:  # a value no JSON canonical form holds, a bad URL
        found.fail(
            "malformed_receipt",
            msg("the credential's ledger receipt is malformed: {detail}", detail=str(error)),
        )
    return embedded, None, None


def check_receipt(  # noqa: PLR0917 - the contract's signature (SESSION19 contract 2)
    credential: Mapping[str, Any],
    receipt: Mapping[str, Any],
    checkpoint_note: str,
    log_key: str,
    witness_keys: Sequence[str],
    k: int,
) -> ReceiptVerdict:
    """Whether ``credential``'s record is in the log of ``log_key``.

    ``receipt`` is the inclusion proof beside the credential (``leaf_index``, ``tree_size``,
    ``hashes`` in base64, as the log's ``/log/proof/inclusion`` answers it), against the tree
    of ``checkpoint_note`` (the signed checkpoint with its witnesses' cosignature lines);
    ``witness_keys`` are the verifier keys (``cosignature/v1``) of the witnesses trusted, of
    which ``k`` must have cosigned. Every failure found is named; nothing is fetched.
    """
    found = _Findings()
    embedded, record, leaf = _rebuilt(credential, found)
    if embedded is not None and leaf is not None and _b64(leaf) != embedded.leaf_hash:
        record = None
        found.fail(
            "commitment_mismatch",
            msg(
                "the credential and its receipt do not make the entry the bank logged: "
                "the credential was altered, or the receipt's salt or record is wrong"
            ),
        )
        leaf = None
    opened = _checkpoint(checkpoint_note, log_key, found)
    checkpoint = opened[0] if opened else None
    cosigned: tuple[str, ...] = ()
    if checkpoint is not None and opened is not None:
        if embedded is not None and checkpoint.origin != embedded.log:
            found.fail(
                "wrong_log",
                msg(
                    "the checkpoint is of log {origin}, the receipt of log {log}",
                    origin=checkpoint.origin,
                    log=embedded.log,
                ),
            )
        cosigned = _cosigners(checkpoint, opened[1], witness_keys)
        if len(cosigned) < k:
            found.fail(
                "too_few_cosignatures",
                msg(
                    "the checkpoint carries {count} valid cosignatures of trusted witnesses, "
                    "fewer than the {k} required",
                    count=len(cosigned),
                    k=k,
                ),
            )
        if embedded is not None and leaf is not None:
            _included(leaf, embedded, receipt, checkpoint, found)
    return ReceiptVerdict(
        failures=tuple(found.failures),
        origin=embedded.log if embedded else None,
        entry_id=str(embedded.entry.get("id")) if embedded else None,
        leaf_index=embedded.leaf_index if embedded else None,
        leaf_hash=_b64(leaf) if leaf is not None else None,
        tree_size=checkpoint.size if checkpoint else None,
        root_hash=_b64(checkpoint.root_hash) if checkpoint else None,
        cosigned_by=cosigned,
        record=record,
    )


def _included(
    leaf: bytes,
    embedded: EmbeddedReceipt,
    receipt: Mapping[str, Any],
    checkpoint: notes.Checkpoint,
    found: _Findings,
) -> None:
    try:
        index, size, hashes = _proof(receipt)
    except ReceiptError as error:
        found.fail(error.code, error.message)
        return
    if index != embedded.leaf_index or size != checkpoint.size:
        found.fail(
            "not_included",
            msg(
                "the inclusion proof is of leaf {index} in a tree of {size}, not of leaf "
                "{leaf_index} in the checkpoint's tree of {tree_size}",
                index=index,
                size=size,
                leaf_index=embedded.leaf_index,
                tree_size=checkpoint.size,
            ),
        )
        return
    try:
        merkle.verify_inclusion(leaf, index, size, hashes, checkpoint.root_hash)
    except merkle.ProofError as error:
        found.fail(
            "not_included",
            msg(
                "the entry is not in the checkpoint's tree: {detail}",
                detail=str(error),
            ),
        )
