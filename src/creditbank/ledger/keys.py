"""The log's signing key and the keys its checkpoints are checked with.

Keys live outside the database: the signing key comes from a key file
(``CREDITBANK_LOG_KEY_FILE``) or the environment (``CREDITBANK_LOG_KEY``), in the
signed-note private key form ``PRIVATE+KEY+<name>+<key id>+<base64>`` that
``creditbank log keygen`` writes. Rotation: make a new key, point the setting at it, and
list the old verifier key in ``CREDITBANK_LOG_PAST_KEYS`` so that checkpoints it signed
still verify. Outside production, with no key set, a development key derived from a
public string is used (anybody can sign with it; settings refuse it in production).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.ledger import notes

ED25519 = 0x01  # the signed-note signature type of Ed25519
DEVELOPMENT_ORIGIN = "creditbank.localhost/log"  # = settings.DEVELOPMENT_LOG_ORIGIN


@dataclass(frozen=True, slots=True)
class Witness:
    """A witness the bank asks to cosign its checkpoints: its verifier key and URL."""

    verifier_key: str
    url: str

    @property
    def name(self) -> str:
        return self.verifier_key.split("+", 1)[0]


@dataclass(frozen=True, slots=True)
class LogKeys:
    """The log's origin, the key that signs its checkpoints, and every key that has."""

    origin: str
    signer: notes.Signer
    past_verifier_keys: tuple[str, ...] = ()
    witnesses: tuple[Witness, ...] = field(default=())

    @property
    def verifier_key(self) -> str:
        """The current key in signed-note verifier form (``name+hash+base64``)."""
        return self.signer.verifier_key()

    def verifiers(self) -> list[notes.Verifier]:
        """The current key and every past key: what a checkpoint of this log may be signed with."""
        keys = [self.verifier_key, *self.past_verifier_keys]
        return [notes.Verifier.from_verifier_key(key) for key in dict.fromkeys(keys)]


def development_private_key(origin: str = DEVELOPMENT_ORIGIN) -> str:
    """A signing key anybody can derive: for development and tests only."""
    seed = hashlib.sha256(b"creditbank development log key").digest()
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    key_id = notes.key_id(origin, ED25519, public)
    encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
    return f"PRIVATE+KEY+{origin}+{key_id:08x}+{encoded}"


def read_key_file(path: Path) -> str:
    """The private key in ``path`` (its first non-empty line)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            return line.strip()
    msg = f"the log key file {path} is empty"
    raise ValueError(msg)


def load_log_keys(
    *,
    origin: str,
    private_key: str | None,
    past_verifier_keys: tuple[str, ...] = (),
    witnesses: tuple[Witness, ...] = (),
) -> LogKeys:
    """The log's keys; ``private_key`` None means the development key."""
    key = private_key if private_key is not None else development_private_key(origin)
    signer = notes.Signer.from_private_key(key)
    if signer.name != origin:
        msg = f"the log key is named {signer.name!r}, not after the log's origin {origin!r}"
        raise ValueError(msg)
    for past in past_verifier_keys:
        notes.Verifier.from_verifier_key(past)  # refuses a malformed key now, not at verify time
    return LogKeys(origin, signer, past_verifier_keys, witnesses)
