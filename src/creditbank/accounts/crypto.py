"""Encryption of learners' personal data at rest (envelope encryption) and the lookup index.

- The bank's **data key** (``CREDITBANK_DATA_KEY``, 32 bytes, base64) never sits
  in the database. From it HKDF derives a key-wrapping key and an index key.
- Each learner has a random 256-bit key, stored only wrapped (AES-256-GCM under
  the key-wrapping key, bound to the learner's account number).
- The learner's personal data (a JSON document) is encrypted with their key
  (AES-256-GCM, the account number as associated data).
- Lookup by identity number uses HMAC-SHA-256 under the index key: equal numbers
  find each other, the table reveals nothing without the key.
- Erasure destroys the learner's wrapped key: the ciphertext becomes noise
  (crypto-shredding), and nothing else has to change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


@dataclass(frozen=True, slots=True)
class Sealed:
    """Ciphertext with the nonce it needs (both stored)."""

    nonce: bytes
    ciphertext: bytes


class PersonalDataCipher:
    """Seals and opens personal data; computes the identity lookup index."""

    def __init__(self, data_key: bytes) -> None:
        if len(data_key) != KEY_BYTES:
            msg = "the data key must be 32 bytes (base64 in CREDITBANK_DATA_KEY)"
            raise ValueError(msg)
        self._use(
            _derive(data_key, b"creditbank/learner-key-wrapping/v1"),
            _derive(data_key, b"creditbank/identity-index/v1"),
        )

    def _use(self, wrapping_key: bytes, index_key: bytes) -> None:
        self._wrapping_key = wrapping_key
        self._wrapping = AESGCM(wrapping_key)
        self._index_key = index_key

    @classmethod
    def _from_derived(cls, wrapping_key: bytes, index_key: bytes) -> PersonalDataCipher:
        cipher = cls.__new__(cls)
        cipher._use(wrapping_key, index_key)  # noqa: SLF001 - our own class
        return cipher

    def __reduce__(self) -> tuple[object, tuple[bytes, bytes]]:
        """Pickled with the derived keys (not the data key), only to hand a bulk deposit's worker
        process its cipher over the pipe to it (:mod:`creditbank.accounts.pipeline`)."""
        return PersonalDataCipher._from_derived, (self._wrapping_key, self._index_key)

    def __repr__(self) -> str:
        return "PersonalDataCipher(...)"  # never the keys

    @classmethod
    def from_base64(cls, text: str) -> PersonalDataCipher:
        return cls(base64.b64decode(text, validate=True))

    def index(self, value: str) -> str:
        """The HMAC lookup index of an identity number (hex)."""
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()

    def new_learner_key(self, account: str) -> tuple[bytes, Sealed]:
        """A fresh learner key, and that key wrapped for storage."""
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        return key, Sealed(nonce, self._wrapping.encrypt(nonce, key, account.encode()))

    def unwrap(self, account: str, wrapped: Sealed) -> bytes:
        return self._wrapping.decrypt(wrapped.nonce, wrapped.ciphertext, account.encode())

    @staticmethod
    def seal(key: bytes, account: str, data: dict[str, str]) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        plaintext = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        return Sealed(nonce, AESGCM(key).encrypt(nonce, plaintext, account.encode()))

    @staticmethod
    def open(key: bytes, account: str, sealed: Sealed) -> dict[str, str]:
        plaintext = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, account.encode())
        data: dict[str, str] = json.loads(plaintext)
        return data
