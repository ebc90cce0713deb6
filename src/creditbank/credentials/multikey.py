"""Ed25519 public keys as Multikey text (``z6Mk…``), ``did:key`` and ``did:web`` identifiers.

A Multikey public key is the multicodec prefix ``0xed 0x01`` followed by the
32 key bytes, written base58-btc with the multibase prefix ``z``. ``did:key``
identifiers are that text after ``did:key:``; ``did:web`` identifiers name a
host (port percent-encoded) and an optional path, which resolve to
``https://HOST/PATH/did.json`` (or ``/.well-known/did.json`` without a path).
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import base58

ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_KEY_BYTES = 32


class KeyFormatError(ValueError):
    """Text that should name an Ed25519 public key does not."""


def encode_public_key(raw: bytes) -> str:
    """The Multikey text of a raw 32-byte Ed25519 public key."""
    if len(raw) != ED25519_KEY_BYTES:
        msg = "an Ed25519 public key is 32 bytes"
        raise KeyFormatError(msg)
    return "z" + base58.b58encode(ED25519_PUBLIC_PREFIX + raw).decode("ascii")


def decode_public_key(text: str) -> bytes:
    """The raw key bytes of Multikey text ``z6Mk…``; :class:`KeyFormatError` if it is not one."""
    if not text.startswith("z"):
        msg = f"{text!r} is not base58-btc multibase (it must start with 'z')"
        raise KeyFormatError(msg)
    try:
        data = base58.b58decode(text[1:])
    except ValueError as error:
        msg = f"{text!r} is not valid base58-btc"
        raise KeyFormatError(msg) from error
    if not data.startswith(ED25519_PUBLIC_PREFIX) or len(data) != 2 + ED25519_KEY_BYTES:
        msg = f"{text!r} is not an Ed25519 public key (multicodec 0xed01, 32 bytes)"
        raise KeyFormatError(msg)
    return data[2:]


def did_key(raw: bytes) -> str:
    """The ``did:key`` identifier of a raw Ed25519 public key."""
    return "did:key:" + encode_public_key(raw)


def did_key_method(raw: bytes) -> str:
    """The verification method id of a ``did:key`` (``did:key:z…#z…``)."""
    text = encode_public_key(raw)
    return f"did:key:{text}#{text}"


def did_key_public_key(did: str) -> bytes:
    """The key bytes a ``did:key`` (or one of its method ids) names."""
    if not did.startswith("did:key:"):
        msg = f"{did!r} is not a did:key"
        raise KeyFormatError(msg)
    body, _, fragment = did.removeprefix("did:key:").partition("#")
    if fragment and fragment != body:
        msg = f"{did!r}: a did:key's only method is #{body}"
        raise KeyFormatError(msg)
    return decode_public_key(body)


def did_web(host: str, *path: str) -> str:
    """The ``did:web`` of ``host`` (``name`` or ``name:port``) and an optional path."""
    parts = [quote(host, safe=""), *(quote(part, safe="") for part in path)]
    return "did:web:" + ":".join(parts)


def did_web_parts(did: str) -> tuple[str, list[str]]:
    """The host and the path segments of a ``did:web``."""
    if not did.startswith("did:web:"):
        msg = f"{did!r} is not a did:web"
        raise KeyFormatError(msg)
    host, *path = did.removeprefix("did:web:").split("#", 1)[0].split(":")
    return unquote(host), [unquote(part) for part in path]
