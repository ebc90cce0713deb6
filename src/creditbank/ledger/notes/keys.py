"""Signed-note keys: names, key IDs, key strings, signers and verifiers, signature lines, errors.

Key IDs are ``SHA-256(name || 0x0A || type || public key)[:4]``; keys travel as Go's strings (the
verifier key ``name+hex8+base64(type || public)``, the private key
``PRIVATE+KEY+name+hex8+base64(0x01 || seed)``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
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
SIGNATURE_PREFIX = _EM_DASH + " "
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4
# Go's unicode.IsSpace: the Unicode White_Space property.
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")


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


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_valid_key_name(name: str) -> bool:
    """Whether ``name`` may name a key: non-empty, no Unicode space, no ``+``."""
    return bool(name) and is_utf8(name) and "+" not in name and _SPACES.isdisjoint(name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || type || public key)[:4]`` as a big-endian integer."""
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    ).digest()
    return int.from_bytes(digest[:KEY_ID_SIZE], "big")


def decode_base64(text: str) -> bytes | None:
    """Standard base64 with padding (RFC 4648 section 4), or ``None`` when ``text`` is not."""
    if not text.isascii() or _BASE64.fullmatch(text) is None:
        return None
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:  # pragma: no cover - the pattern already rules this out
        return None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
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


def read_private_key(text: str) -> tuple[str, Ed25519PrivateKey]:
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


def read_verifier_key(text: str, signature_type: int) -> tuple[str, bytes]:
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
    return f"{name}+{identifier:08x}+{b64(bytes([signature_type]) + public_key)}"


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise MalformedKeyError(f"{name!r} is not a valid key name (empty, a space or a '+')")


# --- keys -------------------------------------------------------------------------------------


class PublicKey:
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


class Verifier(PublicKey):
    """Checks plain Ed25519 note signatures (type 0x01) by one named key."""

    @classmethod
    def from_verifier_key(cls, verifier_key: str) -> Verifier:
        """Read ``name+hex8+base64(0x01 || public key)``, as Go's ``note.NewVerifier`` does."""
        return cls(*read_verifier_key(verifier_key, ED25519))

    def verify(self, message: bytes, signature: bytes) -> bool:
        return len(signature) == ED25519_SIGNATURE_SIZE and verify_ed25519(
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
        return cls(*read_private_key(private_key))

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def verifier(self) -> PublicKey:
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
    private_string = f"{_PRIVATE_PREFIX}{name}+{identifier:08x}+{b64(bytes([ED25519]) + seed)}"
    return private_string, _verifier_key_string(name, ED25519, public)


# --- signature lines --------------------------------------------------------------------------


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
        return raw[KEY_ID_SIZE:]

    def line(self) -> str:
        """The signature line, with its final newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {self.base64}\n"


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked: its text, verified and unverified signatures."""

    text: str
    verified: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = ()
