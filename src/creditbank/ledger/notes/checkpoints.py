"""Checkpoints (https://c2sp.org/tlog-checkpoint) and their cosignatures (``cosignature/v1``).

A cosignature is a witness's note signature of type ``0x04`` over ``cosignature/v1\\ntime
<seconds>\\n`` followed by the checkpoint text; its bytes are the 8-byte big-endian time followed
by the Ed25519 signature.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.ledger.notes.keys import (
    COSIGNATURE_V1,
    ED25519_SIGNATURE_SIZE,
    HASH_SIZE,
    KEY_ID_SIZE,
    MAX_TREE_SIZE,
    SIGNATURE_PREFIX,
    InvalidSignatureError,
    MalformedCheckpointError,
    MalformedNoteError,
    NoteError,
    PublicKey,
    Signature,
    Signer,
    UnknownKeyError,
    b64,
    decode_base64,
    is_utf8,
    read_private_key,
    read_verifier_key,
    verify_ed25519,
)
from creditbank.ledger.notes.signed import parse_signature_line

_TIMESTAMP_SIZE = 8
_CHECKPOINT_LINES = 3  # origin, tree size, root hash
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _check_line(what: str, line: str) -> None:
    if not line:
        raise MalformedCheckpointError(f"malformed checkpoint: the {what} is empty")
    if not is_utf8(line) or any(c < " " for c in line):
        raise MalformedCheckpointError(
            f"malformed checkpoint: the {what} contains a newline, a control character "
            "or invalid UTF-8"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head as a c2sp.org/tlog-checkpoint note text."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line("origin", self.origin)
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpointError(
                f"malformed checkpoint: the tree size {self.size!r} is out of range"
            )
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpointError(
                f"malformed checkpoint: the root hash is {len(self.root_hash)} bytes, "
                f"not {HASH_SIZE}"
            )
        for extension in self.extensions:
            _check_line("extension line", extension)

    def body(self) -> str:
        """The note text: origin, size, base64 root hash, extension lines; each line ended."""
        lines = (self.origin, str(self.size), b64(self.root_hash), *self.extensions)
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint note text, refusing anything that is not exactly one."""
        if not body.endswith("\n"):
            raise MalformedCheckpointError("malformed checkpoint: it must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < _CHECKPOINT_LINES:
            raise MalformedCheckpointError(
                "malformed checkpoint: it needs an origin, a tree size and a root hash"
            )
        origin, size, root, *extensions = lines
        if _DECIMAL.fullmatch(size) is None:
            raise MalformedCheckpointError(
                f"malformed checkpoint: the tree size {size!r} is not a decimal number "
                "without leading zeros"
            )
        root_hash = decode_base64(root)
        if root_hash is None:
            raise MalformedCheckpointError(
                f"malformed checkpoint: the root hash {root!r} is not base64"
            )
        checkpoint = cls(origin, int(size), root_hash, tuple(extensions))
        if checkpoint.body() != body:
            raise MalformedCheckpointError(
                f"malformed checkpoint: the root hash {root!r} is not canonical base64"
            )
        return checkpoint


# --- cosignatures -----------------------------------------------------------------------------


def cosignature_message(checkpoint_body: str, timestamp: int) -> bytes:
    """What a ``cosignature/v1`` signs: header, time line, the whole checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_body}".encode()


def _check_timestamp(timestamp: int) -> None:
    if isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TREE_SIZE:
        raise NoteError(f"the cosignature time {timestamp!r} is out of range")


class CosignatureVerifier(PublicKey):
    """Checks a witness's ``cosignature/v1`` signatures (type 0x04) on checkpoints."""

    signature_type = COSIGNATURE_V1

    @classmethod
    def from_verifier_key(cls, verifier_key: str) -> CosignatureVerifier:
        """Read a witness vkey ``name+hex8+base64(0x04 || public key)``."""
        return cls(*read_verifier_key(verifier_key, COSIGNATURE_V1))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (time || Ed25519) cosigns the checkpoint text ``message``."""
        if len(signature) != _TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        try:
            body = message.decode("utf-8")
            Checkpoint.parse(body)
        except (UnicodeDecodeError, NoteError):
            return False
        return timestamp <= MAX_TREE_SIZE and verify_ed25519(
            self._public_key, cosignature_message(body, timestamp), signature[_TIMESTAMP_SIZE:]
        )


class CosignatureSigner(Signer):
    """Makes a witness's ``cosignature/v1`` signatures (type 0x04), timed by ``clock``."""

    signature_type = COSIGNATURE_V1

    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, private_key)
        self._clock = clock

    @classmethod
    def from_private_key(
        cls, private_key: str, clock: Callable[[], float] = time.time
    ) -> CosignatureSigner:
        """A witness key from an ordinary Ed25519 private key string (type 0x01 key ID).

        The cosignature key ID differs from the one in the string: it hashes type 0x04.
        """
        name, key = read_private_key(private_key)
        return cls(name, key, clock)

    def sign(self, message: bytes) -> bytes:
        """Cosign the checkpoint text ``message`` now: 8-byte time || Ed25519 signature."""
        return self.sign_at(message, int(self._clock()))

    def sign_at(self, message: bytes, timestamp: int) -> bytes:
        """Cosign the checkpoint text ``message`` at ``timestamp`` (UNIX seconds)."""
        _check_timestamp(timestamp)
        body = message.decode("utf-8")
        Checkpoint.parse(body)
        signature = self._private_key.sign(cosignature_message(body, timestamp))
        return timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self._name, self._public_key)


def cosign(checkpoint: Checkpoint, signer: CosignatureSigner, timestamp: int | None = None) -> str:
    """The witness's cosignature line for ``checkpoint`` (with its newline)."""
    message = checkpoint.body().encode("utf-8")
    signature = signer.sign(message) if timestamp is None else signer.sign_at(message, timestamp)
    raw = signer.key_id.to_bytes(KEY_ID_SIZE, "big") + signature
    return f"{SIGNATURE_PREFIX}{signer.name} {b64(raw)}\n"


def cosignature_timestamp(signature: Signature) -> int:
    """The time (UNIX seconds) a ``cosignature/v1`` signature says it was made."""
    raw = signature.signature
    if len(raw) != _TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
        raise MalformedNoteError(f"the cosignature by {signature.name} is not 72 bytes")
    return int.from_bytes(raw[:_TIMESTAMP_SIZE], "big")


def verify_cosignature(checkpoint: Checkpoint, line: str, verifier: CosignatureVerifier) -> int:
    """Check one cosignature line on ``checkpoint`` by ``verifier``; return its timestamp."""
    signature = parse_signature_line(line.removesuffix("\n"))
    if (signature.name, signature.key_id) != (verifier.name, verifier.key_id):
        raise UnknownKeyError(
            f"the cosignature is by key {signature.name}+{signature.key_id:08x}, "
            f"not {verifier.name}+{verifier.key_id:08x}"
        )
    if not verifier.verify(checkpoint.body().encode("utf-8"), signature.signature):
        raise InvalidSignatureError(signature.name, signature.key_id)
    timestamp = cosignature_timestamp(signature)
    _check_timestamp(timestamp)
    return timestamp
