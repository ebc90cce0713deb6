"""Bitstring Status Lists (W3C VC Bitstring Status List v1.0): the bits and their encoding.

A list is a string of bits, one per issued credential; bit ``i`` counts from the
most significant bit of the first byte. Published, it is GZIP-compressed and
written as multibase base64url without padding (prefix ``u``). A list holds at
least 131,072 entries (16 KiB), so that a set bit says little about who it is;
the bank also hands out indexes at random (:func:`free_index`), so an index
says nothing about the learner or the order of issue.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Container

MIN_ENTRIES = 131_072
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)


class StatusListError(ValueError):
    """An encoded list or an index that cannot be read."""


def empty(entries: int = MIN_ENTRIES) -> bytearray:
    """A list of ``entries`` bits, all clear."""
    if entries < MIN_ENTRIES or entries % 8:
        msg = f"a status list holds a multiple of 8 entries, at least {MIN_ENTRIES}"
        raise StatusListError(msg)
    return bytearray(entries // 8)


def set_bit(bits: bytearray, index: int, *, value: bool = True) -> None:
    """Set (or clear) bit ``index``."""
    _check(bits, index)
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Whether bit ``index`` is set."""
    _check(bits, index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _check(bits: bytes | bytearray, index: int) -> None:
    if not 0 <= index < len(bits) * 8:
        msg = f"index {index} is outside the list (0 to {len(bits) * 8 - 1})"
        raise StatusListError(msg)


def encode(bits: bytes | bytearray) -> str:
    """The ``encodedList`` text of ``bits`` (GZIP, then multibase base64url, no padding)."""
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(text: str) -> bytes:
    """The bits of an ``encodedList``; :class:`StatusListError` when it is not one."""
    if not text.startswith("u"):
        msg = "an encodedList is multibase base64url text (starting with 'u')"
        raise StatusListError(msg)
    body = text[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as error:
        msg = "the encodedList is not GZIP-compressed base64url"
        raise StatusListError(msg) from error


def free_index(entries: int, taken: Container[int]) -> int:
    """A random index not in ``taken`` (the list must not be nearly full; callers roll over)."""
    for _ in range(64):
        index = secrets.randbelow(entries)
        if index not in taken:
            return index
    msg = "the status list is too full to pick an index at random"
    raise StatusListError(msg)
