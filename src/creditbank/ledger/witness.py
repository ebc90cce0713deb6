"""A transparency-log witness (https://c2sp.org/tlog-witness): it cosigns a log's checkpoint only
when the checkpoint is consistent with the last one it cosigned for that log.

``Witness.add_checkpoint`` takes the body of an ``add-checkpoint`` request: an ``old <size>`` line,
up to 63 base64 consistency-proof lines, a blank line, then the log's signed checkpoint. It checks
the log's signature against the keys configured for the checkpoint's origin, that ``old`` is the
size it last cosigned for that origin (zero at first: trust on first use), and the RFC 9162
consistency proof from that tree to the new one. Then it records the new tree and returns its
``cosignature/v1`` line. Anything else is a :class:`WitnessRefusal` carrying the protocol's
HTTP status and a sentence saying why; a fork shown to the witness, whether a same-size tree with
another root (409) or a larger tree the proof does not connect (422), is refused and named.

The last cosigned tree of each log is one JSON file in ``state_dir``, named by the SHA-256 of the
origin, written to a temporary file, flushed to disk and renamed over the old one, so a crash
leaves the old state or the new, never a torn one. Checking ``old`` and recording the new tree
happen under one lock, so two requests in this process cannot roll the log back; one witness
process per state directory.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from creditbank.ledger.merkle import EMPTY_ROOT, ProofError, verify_consistency
from creditbank.ledger.notes import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    Checkpoint,
    CosignatureSigner,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    cosign,
    decode_base64,
    open_note,
)

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1 << 20
"""The largest ``add-checkpoint`` request body read (1 MiB: room for many signatures)."""
MAX_PROOF_HASHES = 63
"""The most consistency-proof lines a request may carry (tlog-witness)."""

_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,18})")

BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
CONFLICT = 409
UNPROCESSABLE = 422


class WitnessRefusal(Exception):  # noqa: N818 - the protocol's refusal, not a fault of ours
    """The witness will not cosign: ``status`` is the tlog-witness HTTP status, ``reason`` says why.

    For 409 ``known_size`` is the size of the tree the witness last cosigned for the log, which
    the protocol returns as the response body.
    """

    def __init__(self, status: int, reason: str, *, known_size: int | None = None) -> None:
        self.status = status
        self.reason = reason
        self.known_size = known_size
        super().__init__(f"{status}: {reason}")


class WitnessStateError(RuntimeError):
    """A state file the witness cannot read: it stops rather than forget what it cosigned."""


@dataclass(frozen=True)
class CosignedTree:
    """The last tree a witness cosigned for a log."""

    size: int
    root_hash: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class _Request:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


def _parse_request(request_body: bytes) -> _Request:
    if len(request_body) > MAX_REQUEST_BYTES:
        raise WitnessRefusal(BAD_REQUEST, f"the request is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        text = request_body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRefusal(BAD_REQUEST, "the request is not UTF-8 text") from None
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise WitnessRefusal(
            BAD_REQUEST,
            "the request must be an 'old <size>' line, proof lines, a blank line and a checkpoint",
        )
    old_line, *proof_lines = head.split("\n")
    old = _OLD_LINE.fullmatch(old_line)
    if old is None:
        raise WitnessRefusal(
            BAD_REQUEST,
            f"the first line must be 'old <size>' in decimal without leading zeros, "
            f"not {old_line!r}",
        )
    old_size = int(old.group(1))
    if old_size > MAX_TREE_SIZE:
        raise WitnessRefusal(BAD_REQUEST, f"the old size {old_size} is out of range")
    if len(proof_lines) > MAX_PROOF_HASHES:
        raise WitnessRefusal(
            BAD_REQUEST,
            f"the request has {len(proof_lines)} consistency proof lines; "
            f"at most {MAX_PROOF_HASHES} are allowed",
        )
    proof: list[bytes] = []
    for number, line in enumerate(proof_lines, start=1):
        value = decode_base64(line)
        if value is None or len(value) != HASH_SIZE:
            raise WitnessRefusal(
                BAD_REQUEST, f"consistency proof line {number} is not a base64 32-byte hash"
            )
        proof.append(value)
    return _Request(old_size, tuple(proof), note)


AddCheckpointRequest = _Request
"""A parsed ``add-checkpoint`` request: ``old_size``, ``proof`` (hashes) and ``note``."""


def parse_add_checkpoint(request_body: bytes) -> AddCheckpointRequest:
    """Read an ``add-checkpoint`` request body, or :class:`WitnessRefusal` (400) saying why (for
    witnesses that keep their state elsewhere, such as a bank's witness of its peers)."""
    return _parse_request(request_body)


class Witness:
    """Cosigns the checkpoints of the configured logs that grow append-only from what it saw.

    ``logs`` maps each log's origin to the verifier keys (``name+hex8+base64``) whose signature
    on a checkpoint the witness accepts; any one of them suffices.
    """

    def __init__(
        self,
        state_dir: Path,
        signer: CosignatureSigner,
        logs: Mapping[str, Sequence[str]],
    ) -> None:
        self._state_dir = state_dir
        self._signer = signer
        self._logs: dict[str, tuple[Verifier, ...]] = {}
        for origin, keys in logs.items():
            verifiers = tuple(Verifier.from_verifier_key(key) for key in keys)
            identities = [(v.name, v.key_id) for v in verifiers]
            if not verifiers or len(set(identities)) != len(identities):
                msg = f"the log {origin!r} needs keys with distinct names or key IDs"
                raise ValueError(msg)
            self._logs[origin] = verifiers
        self._lock = threading.Lock()
        state_dir.mkdir(parents=True, exist_ok=True)

    @property
    def verifier_key(self) -> str:
        """The witness's cosignature verifier key, for the logs' clients."""
        return self._signer.verifier_key()

    def cosigned(self, origin: str) -> CosignedTree | None:
        """The last tree cosigned for ``origin``, or ``None`` if none yet."""
        return self._read_state(origin)

    def add_checkpoint(self, request_body: bytes) -> bytes:
        """Handle an ``add-checkpoint`` request; return the cosignature line(s) to send back."""
        request = _parse_request(request_body)
        checkpoint = self._verified_checkpoint(request.note)
        self._check_shape(request, checkpoint)
        with self._lock:
            self._check_consistency(request, checkpoint)
        return cosign(checkpoint, self._signer).encode("utf-8")

    # --- checks ---------------------------------------------------------------------------------

    def _verified_checkpoint(self, note: str) -> Checkpoint:
        origin, newline, _ = note.partition("\n")
        if not newline or not origin:
            raise WitnessRefusal(BAD_REQUEST, "the checkpoint note is malformed: no origin line")
        verifiers = self._logs.get(origin)
        if verifiers is None:
            raise WitnessRefusal(NOT_FOUND, f"the witness does not know the log {origin!r}")
        try:
            opened = open_note(note, verifiers)
        except MalformedNoteError as error:
            raise WitnessRefusal(
                BAD_REQUEST, f"the checkpoint note is malformed: {error}"
            ) from None
        except (UnverifiedNoteError, InvalidSignatureError) as error:
            raise WitnessRefusal(
                FORBIDDEN,
                f"the checkpoint is not signed by a key the witness trusts for {origin!r}: {error}",
            ) from None
        try:
            return Checkpoint.parse(opened.text)
        except NoteError as error:
            raise WitnessRefusal(BAD_REQUEST, str(error)) from None

    @staticmethod
    def _check_shape(request: _Request, checkpoint: Checkpoint) -> None:
        if request.old_size > checkpoint.size:
            raise WitnessRefusal(
                BAD_REQUEST,
                f"the old size {request.old_size} is larger than the checkpoint's size "
                f"{checkpoint.size}",
            )
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            raise WitnessRefusal(
                UNPROCESSABLE,
                f"the checkpoint says tree 0 has root {_b64(checkpoint.root_hash)}, but the empty "
                f"tree's root is {_b64(EMPTY_ROOT)}",
            )

    def _check_consistency(self, request: _Request, checkpoint: Checkpoint) -> None:
        """Refuse unless the checkpoint extends the recorded tree; then record it. Locked."""
        origin = checkpoint.origin
        known = self._read_state(origin)
        known_size = known.size if known is not None else 0
        if request.old_size != known_size:
            raise WitnessRefusal(
                CONFLICT,
                f"the witness last cosigned tree {known_size} of {origin!r}, "
                f"not tree {request.old_size}; send a proof from tree {known_size}",
                known_size=known_size,
            )
        new = CosignedTree(checkpoint.size, checkpoint.root_hash)
        if known is None or known.size == 0:
            if request.proof:
                raise WitnessRefusal(
                    UNPROCESSABLE,
                    f"a proof from the empty tree must be empty, but this one has "
                    f"{len(request.proof)} hashes",
                )
        elif new == known:
            if request.proof:
                raise WitnessRefusal(
                    UNPROCESSABLE,
                    f"tree {known.size} is the tree the witness cosigned; the proof must be empty",
                )
            return
        elif new.size == known.size:
            reason = (
                f"fork: the witness cosigned tree {known.size} of {origin!r} with root "
                f"{_b64(known.root_hash)}, and this checkpoint gives the same tree root "
                f"{_b64(new.root_hash)}"
            )
            logger.warning("witness refused a fork: %s", reason)
            raise WitnessRefusal(CONFLICT, reason, known_size=known.size)
        else:
            try:
                verify_consistency(
                    known.size, new.size, request.proof, known.root_hash, new.root_hash
                )
            except ProofError as error:
                reason = (
                    f"the proof does not show that tree {known.size} with root "
                    f"{_b64(known.root_hash)} grows into tree {new.size} with root "
                    f"{_b64(new.root_hash)}: {error}"
                )
                logger.warning("witness refused checkpoint of %r: %s", origin, reason)
                raise WitnessRefusal(UNPROCESSABLE, reason) from None
        self._write_state(origin, new)

    # --- state ----------------------------------------------------------------------------------

    def _state_path(self, origin: str) -> Path:
        return self._state_dir / f"{hashlib.sha256(origin.encode('utf-8')).hexdigest()}.json"

    def _read_state(self, origin: str) -> CosignedTree | None:
        path = self._state_path(origin)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            size, root = data["size"], data["root_hash"]
            root_hash = decode_base64(root) if isinstance(root, str) else None
            valid = (
                data["origin"] == origin
                and isinstance(size, int)
                and not isinstance(size, bool)
                and 0 <= size <= MAX_TREE_SIZE
                and root_hash is not None
                and len(root_hash) == HASH_SIZE
            )
        except (ValueError, TypeError, KeyError):
            valid = False
        if not valid or root_hash is None:
            msg = f"the witness state file {path} for {origin!r} is unreadable"
            raise WitnessStateError(msg)
        return CosignedTree(size, root_hash)

    def _write_state(self, origin: str, tree: CosignedTree) -> None:
        record = {"origin": origin, "size": tree.size, "root_hash": _b64(tree.root_hash)}
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
        handle, temporary = tempfile.mkstemp(dir=self._state_dir, prefix=".", suffix=".tmp")
        temporary_path = Path(temporary)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            temporary_path.replace(self._state_path(origin))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary_path.unlink()
            raise
        directory = os.open(self._state_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
