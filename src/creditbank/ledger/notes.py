"""C2SP signed notes, tlog checkpoints and tlog cosignatures, with Ed25519.

Three public formats, implemented so that an outsider checks our checkpoints with their own tools
(Go's ``golang.org/x/mod/sumdb/note``, sigsum, litewitness):

* a **signed note** (https://c2sp.org/signed-note): a text ending in a newline, a blank line, then
  signature lines ``— <key name> base64(key ID || signature)``. Key IDs are
  ``SHA-256(name || 0x0A || type || public key)[:4]``; type ``0x01`` is a plain Ed25519 signature
  of the text. Keys travel as Go's strings: the verifier key ``name+hex8+base64(0x01 || public)``
  and the private key ``PRIVATE+KEY+name+hex8+base64(0x01 || seed)``.
* a **checkpoint** (https://c2sp.org/tlog-checkpoint): the note text ``origin``, tree size, base64
  root hash, then optional extension lines.
* a **cosignature** (https://c2sp.org/tlog-cosignature, ``cosignature/v1``): a witness's note
  signature of type ``0x04`` over ``cosignature/v1\\ntime <seconds>\\n`` followed by the checkpoint
  text; the signature bytes are the 8-byte big-endian time followed by the Ed25519 signature.
  A witness's verifier key is ``name+hex8+base64(0x04 || public)``; its private key is an ordinary
  Ed25519 private key string (type ``0x01``), as ``transparency-dev/formats`` reads it.

Parsing follows Go's ``note.Open`` and ``note.NewVerifier``: the same refusals, the same limit of
100 signatures, signatures from unknown keys kept aside rather than refused. Standard library and
``cryptography`` only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
"""Signature type of a plain Ed25519 note signature."""
COSIGNATURE_V1 = 0x04
"""Signature type of a timestamped Ed25519 witness cosignature (``cosignature/v1``)."""
MAX_SIGNATURES = 100
"""The most signature lines a note may carry (Go's limit; the spec asks for at least 16)."""
HASH_SIZE = 32
"""Bytes in a Merkle tree hash (SHA-256)."""
MAX_TREE_SIZE = 2**63 - 1
"""Largest tree size or timestamp accepted: Go reads them as signed 64-bit integers."""

_EM_DASH = "\u2014"
_SIGNATURE_PREFIX = _EM_DASH + " "
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_KEY_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_TIMESTAMP_SIZE = 8
_KEY_ID_SIZE = 4
_CHECKPOINT_LINES = 3  # origin, tree size, root hash
# Go's unicode.IsSpace: the Unicode White_Space property.
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note, key, checkpoint or cosignature that cannot be used."""


class MalformedNoteError(NoteError):
    """The note does not follow the signed-note format."""


class MalformedKeyError(NoteError):
    """A key string (verifier or private) or key name that cannot be read."""


class MalformedCheckpointError(NoteError):
    """The note text is not a checkpoint, or a checkpoint field is out of range."""


class UnverifiedNoteError(NoteError):
    """No signature in the note comes from a known key; the parsed note is kept in ``note``."""

    def __init__(self, note: OpenedNote) -> None:
        self.note = note
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in note.unverified) or "none"
        super().__init__(f"the note has no signature from a known key (signatures from: {names})")


class InvalidSignatureError(NoteError):
    """A signature from a known key (name and key ID match) does not verify."""

    def __init__(self, name: str, key_id: int) -> None:
        self.name = name
        self.key_id = key_id
        super().__init__(f"invalid signature for key {name}+{key_id:08x}")


class AmbiguousKeyError(NoteError):
    """Two known keys share a name and key ID, so a signature cannot be attributed."""

    def __init__(self, name: str, key_id: int) -> None:
        self.name = name
        self.key_id = key_id
        super().__init__(f"ambiguous key {name}+{key_id:08x}: two known keys have this name and ID")


class UnknownKeyError(NoteError):
    """A signature line that does not come from the key it was checked against."""


class NoteSigner(Protocol):
    """Anything that signs note texts: a name, a key ID and a signing function."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    def sign(self, message: bytes) -> bytes: ...


class NoteVerifier(Protocol):
    """Anything that checks note signatures: a name, a key ID and a verifying function."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    def verify(self, message: bytes, signature: bytes) -> bool: ...


# --- names, key IDs, encodings ----------------------------------------------------------------


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_valid_key_name(name: str) -> bool:
    """Whether ``name`` may name a key: non-empty, no Unicode space, no ``+``."""
    return bool(name) and _is_utf8(name) and "+" not in name and _SPACES.isdisjoint(name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || type || public key)[:4]`` as a big-endian integer."""
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    ).digest()
    return int.from_bytes(digest[:_KEY_ID_SIZE], "big")


def decode_base64(text: str) -> bytes | None:
    """Standard base64 with padding (RFC 4648 section 4), or ``None`` when ``text`` is not."""
    if not text.isascii() or _BASE64.fullmatch(text) is None:
        return None
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:  # pragma: no cover - the pattern already rules this out
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _split_key(text: str) -> tuple[str, int, bytes]:
    """``name+hex8+base64`` into its name, key ID and decoded key bytes (type byte first)."""
    name, _, rest = text.partition("+")
    hex8, _, key64 = rest.partition("+")
    key = decode_base64(key64)
    if _HEX8.fullmatch(hex8) is None:
        raise MalformedKeyError(f"the key ID {hex8!r} is not 8 hexadecimal digits")
    if not is_valid_key_name(name):
        raise MalformedKeyError(f"{name!r} is not a valid key name (empty, a space or a '+')")
    if not key:
        raise MalformedKeyError("the key material is not base64, or is empty")
    return name, int(hex8, 16), key


def _read_private_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """A Go ``PRIVATE+KEY+name+hex8+base64(0x01 || seed)`` string: the name and the key."""
    if not text.startswith(_PRIVATE_PREFIX):
        raise MalformedKeyError("a private key string starts with PRIVATE+KEY+")
    name, claimed_id, key = _split_key(text.removeprefix(_PRIVATE_PREFIX))
    if key[0] != ED25519:
        raise MalformedKeyError(f"unknown private key type 0x{key[0]:02x} (only Ed25519, 0x01)")
    if len(key) != 1 + _KEY_SIZE:
        raise MalformedKeyError("an Ed25519 private key is a 32-byte seed")
    private = Ed25519PrivateKey.from_private_bytes(key[1:])
    if claimed_id != key_id(name, ED25519, _raw_public(private.public_key())):
        raise MalformedKeyError(f"the key ID {claimed_id:08x} does not match the key")
    return name, private


def _read_verifier_key(text: str, signature_type: int) -> tuple[str, bytes]:
    """A ``name+hex8+base64(type || public key)`` string of the given type: name and key."""
    name, claimed_id, key = _split_key(text)
    if claimed_id != key_id(name, key[0], key[1:]):
        raise MalformedKeyError(f"the key ID {claimed_id:08x} does not match the key")
    if key[0] != signature_type:
        raise MalformedKeyError(
            f"unknown key type 0x{key[0]:02x} (expected 0x{signature_type:02x})"
        )
    if len(key) != 1 + _KEY_SIZE:
        raise MalformedKeyError("an Ed25519 public key is 32 bytes")
    return name, key[1:]


def _verifier_key_string(name: str, signature_type: int, public_key: bytes) -> str:
    identifier = key_id(name, signature_type, public_key)
    return f"{name}+{identifier:08x}+{_b64(bytes([signature_type]) + public_key)}"


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise MalformedKeyError(f"{name!r} is not a valid key name (empty, a space or a '+')")


# --- keys -------------------------------------------------------------------------------------


class _PublicKey:
    """A named Ed25519 public key of one signature type: its key ID and verifier key string."""

    signature_type = ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        if len(public_key) != _KEY_SIZE:
            raise MalformedKeyError("an Ed25519 public key is 32 bytes")
        self._name = name
        self._public_key = bytes(public_key)
        self._key_id = key_id(name, self.signature_type, self._public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` by this key signs ``message`` (each signature type says how)."""
        raise NotImplementedError

    def verifier_key(self) -> str:
        return _verifier_key_string(self._name, self.signature_type, self._public_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.verifier_key()!r})"


class Verifier(_PublicKey):
    """Checks plain Ed25519 note signatures (type 0x01) by one named key."""

    @classmethod
    def from_verifier_key(cls, verifier_key: str) -> Verifier:
        """Read ``name+hex8+base64(0x01 || public key)``, as Go's ``note.NewVerifier`` does."""
        return cls(*_read_verifier_key(verifier_key, ED25519))

    def verify(self, message: bytes, signature: bytes) -> bool:
        return len(signature) == _ED25519_SIGNATURE_SIZE and _verify_ed25519(
            self._public_key, message, signature
        )


class Signer:
    """Makes plain Ed25519 note signatures (type 0x01) with one named key."""

    signature_type = ED25519

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self._name = name
        self._private_key = private_key
        self._public_key = _raw_public(private_key.public_key())
        self._key_id = key_id(name, self.signature_type, self._public_key)

    @classmethod
    def from_private_key(cls, private_key: str) -> Signer:
        """Read Go's ``PRIVATE+KEY+name+hex8+base64(0x01 || seed)``."""
        return cls(*_read_private_key(private_key))

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def verifier(self) -> _PublicKey:
        return Verifier(self._name, self._public_key)

    def verifier_key(self) -> str:
        return self.verifier().verifier_key()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r}, key ID {self._key_id:08x})"


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key named ``name``: (private key string, verifier key string)."""
    _check_name(name)
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = _raw_public(private.public_key())
    identifier = key_id(name, ED25519, public)
    private_string = f"{_PRIVATE_PREFIX}{name}+{identifier:08x}+{_b64(bytes([ED25519]) + seed)}"
    return private_string, _verifier_key_string(name, ED25519, public)


# --- signed notes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: key name, key ID and the base64 text as written."""

    name: str
    key_id: int
    base64: str

    @property
    def signature(self) -> bytes:
        """The signature bytes after the 4-byte key ID."""
        raw = decode_base64(self.base64)
        if raw is None:  # pragma: no cover - only built from parsed lines
            raise MalformedNoteError("signature is not base64")
        return raw[_KEY_ID_SIZE:]

    def line(self) -> str:
        """The signature line, with its final newline."""
        return f"{_SIGNATURE_PREFIX}{self.name} {self.base64}\n"


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked: its text, verified and unverified signatures."""

    text: str
    verified: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = ()


def _check_text(text: str) -> None:
    """A note text: valid UTF-8, ending in a newline, no control character but newline."""
    if not text.endswith("\n"):
        raise MalformedNoteError("malformed note: the text must end with a newline")
    if not _is_utf8(text):
        raise MalformedNoteError("malformed note: the text is not valid UTF-8")
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNoteError("malformed note: the text contains a control character")


def _signature_line(signer: NoteSigner, message: bytes) -> str:
    if not is_valid_key_name(signer.name):
        raise MalformedKeyError(f"invalid signer: {signer.name!r} is not a valid key name")
    raw = signer.key_id.to_bytes(_KEY_ID_SIZE, "big") + signer.sign(message)
    return f"{_SIGNATURE_PREFIX}{signer.name} {_b64(raw)}\n"


def sign(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note: ``text`` (ending in a newline), a blank line, one line per signer."""
    _check_text(text)
    if not signers:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(signers) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    return text + "\n" + "".join(_signature_line(signer, message) for signer in signers)


def parse_signature_line(line: str) -> Signature:
    """One ``— name base64(key ID || signature)`` line, without its newline."""
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError("malformed note: a signature line must start with '— '")
    name, _, encoded = line.removeprefix(_SIGNATURE_PREFIX).partition(" ")
    raw = decode_base64(encoded)
    if not is_valid_key_name(name):
        raise MalformedNoteError(f"malformed note: {name!r} is not a valid key name")
    if raw is None or len(raw) <= _KEY_ID_SIZE:
        raise MalformedNoteError(f"malformed note: the signature by {name} is not base64 key ID")
    return Signature(name, int.from_bytes(raw[:_KEY_ID_SIZE], "big"), encoded)


def _decode_note(note: str | bytes) -> str:
    if isinstance(note, bytes):
        try:
            return note.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("malformed note: not valid UTF-8") from None
    return note


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Parse ``note`` and check its signatures against the known ``verifiers``.

    Signatures from unknown keys (name and key ID not both known) are kept unverified; a
    signature from a known key must verify (:class:`InvalidSignatureError`); at least one must
    (:class:`UnverifiedNoteError`). Repeated signatures by one key are checked once.
    """
    message = _decode_note(note)
    if not _is_utf8(message) or any(c < " " and c != "\n" for c in message):
        raise MalformedNoteError("malformed note: a control character or invalid UTF-8")
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("malformed note: no blank line before the signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("malformed note: the signatures must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    signatures = [parse_signature_line(line) for line in lines]

    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    encoded_text = text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for signature in signatures:
        key = (signature.name, signature.key_id)
        candidates = known.get(key)
        if candidates is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(*key)
        if key in seen:
            continue
        seen.add(key)
        if not candidates[0].verify(encoded_text, signature.signature):
            raise InvalidSignatureError(*key)
        verified.append(signature)
    opened = OpenedNote(text, tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(opened)
    return opened


# --- checkpoints ------------------------------------------------------------------------------


def _check_line(what: str, line: str) -> None:
    if not line:
        raise MalformedCheckpointError(f"malformed checkpoint: the {what} is empty")
    if not _is_utf8(line) or any(c < " " for c in line):
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
        lines = (self.origin, str(self.size), _b64(self.root_hash), *self.extensions)
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


class CosignatureVerifier(_PublicKey):
    """Checks a witness's ``cosignature/v1`` signatures (type 0x04) on checkpoints."""

    signature_type = COSIGNATURE_V1

    @classmethod
    def from_verifier_key(cls, verifier_key: str) -> CosignatureVerifier:
        """Read a witness vkey ``name+hex8+base64(0x04 || public key)``."""
        return cls(*_read_verifier_key(verifier_key, COSIGNATURE_V1))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (time || Ed25519) cosigns the checkpoint text ``message``."""
        if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        try:
            body = message.decode("utf-8")
            Checkpoint.parse(body)
        except (UnicodeDecodeError, NoteError):
            return False
        return timestamp <= MAX_TREE_SIZE and _verify_ed25519(
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
        name, key = _read_private_key(private_key)
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
    raw = signer.key_id.to_bytes(_KEY_ID_SIZE, "big") + signature
    return f"{_SIGNATURE_PREFIX}{signer.name} {_b64(raw)}\n"


def cosignature_timestamp(signature: Signature) -> int:
    """The time (UNIX seconds) a ``cosignature/v1`` signature says it was made."""
    raw = signature.signature
    if len(raw) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
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
