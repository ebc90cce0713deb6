"""Bitstring Status Lists: bit order, the encodedList round trip, size, random indexes, errors.

Bit ``i`` counts from the most significant bit of the first byte (W3C Bitstring
Status List v1.0); ``encodedList`` is GZIP then multibase base64url without
padding; a list holds at least 131,072 entries; ``free_index`` never hands out a
taken index.
"""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.credentials import statuslist
from creditbank.credentials.statuslist import StatusListError

ENTRIES = statuslist.MIN_ENTRIES


def test_minimum_size_is_131072_entries() -> None:
    assert statuslist.MIN_ENTRIES == 131_072
    bits = statuslist.empty()
    assert len(bits) == 16 * 1024
    assert not any(bits)


@pytest.mark.parametrize("entries", [0, 8, 1024, statuslist.MIN_ENTRIES - 8])
def test_smaller_lists_are_refused(entries: int) -> None:
    with pytest.raises(StatusListError, match="at least 131072"):
        statuslist.empty(entries)


def test_entries_must_be_whole_bytes() -> None:
    with pytest.raises(StatusListError, match="multiple of 8"):
        statuslist.empty(statuslist.MIN_ENTRIES + 3)


def test_larger_lists_are_allowed() -> None:
    assert len(statuslist.empty(statuslist.MIN_ENTRIES * 2)) == statuslist.MIN_ENTRIES // 4


def test_index_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    bits = statuslist.empty()
    statuslist.set_bit(bits, 0)
    assert bits[0] == 0x80
    assert not any(bits[1:])


def test_bit_order_within_and_across_bytes() -> None:
    bits = statuslist.empty()
    statuslist.set_bit(bits, 7)
    assert bits[0] == 0x01
    statuslist.set_bit(bits, 9)
    assert bits[1] == 0x40
    statuslist.set_bit(bits, ENTRIES - 1)
    assert bits[-1] == 0x01
    assert [i for i in range(16) if statuslist.get_bit(bits, i)] == [7, 9]
    assert statuslist.get_bit(bits, ENTRIES - 1)


def test_clearing_a_bit_leaves_its_neighbours() -> None:
    bits = statuslist.empty()
    for index in (0, 1, 2):
        statuslist.set_bit(bits, index)
    statuslist.set_bit(bits, 1, value=False)
    assert bits[0] == 0xA0
    assert statuslist.get_bit(bits, 0)
    assert not statuslist.get_bit(bits, 1)
    assert statuslist.get_bit(bits, 2)


@pytest.mark.parametrize("index", [-1, ENTRIES, ENTRIES + 8])
def test_index_outside_the_list_is_refused(index: int) -> None:
    bits = statuslist.empty()
    with pytest.raises(StatusListError, match="outside the list"):
        statuslist.set_bit(bits, index)
    with pytest.raises(StatusListError, match="outside the list"):
        statuslist.get_bit(bits, index)


def test_encoding_is_gzip_then_multibase_base64url_without_padding() -> None:
    bits = statuslist.empty()
    statuslist.set_bit(bits, 5)
    text = statuslist.encode(bits)

    assert text.startswith("u")
    assert "=" not in text
    assert "+" not in text
    assert "/" not in text
    body = text[1:]
    packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert gzip.decompress(packed) == bytes(bits)


def test_encoding_is_deterministic() -> None:
    bits = statuslist.empty()
    statuslist.set_bit(bits, 42)
    assert statuslist.encode(bits) == statuslist.encode(bytes(bits))


def test_empty_list_compresses_small() -> None:
    assert len(statuslist.encode(statuslist.empty())) < 200


@settings(max_examples=50)
@given(st.sets(st.integers(min_value=0, max_value=ENTRIES - 1), max_size=200))
def test_round_trip(indexes: set[int]) -> None:
    bits = statuslist.empty()
    for index in indexes:
        statuslist.set_bit(bits, index)

    decoded = statuslist.decode(statuslist.encode(bits))

    assert decoded == bytes(bits)
    assert {i for i in range(ENTRIES) if decoded[i // 8] & (0x80 >> (i % 8))} == indexes
    assert all(statuslist.get_bit(decoded, index) for index in indexes)


def test_decode_refuses_text_without_the_multibase_prefix() -> None:
    text = statuslist.encode(statuslist.empty())
    with pytest.raises(StatusListError, match="starting with 'u'"):
        statuslist.decode(text[1:])


@pytest.mark.parametrize(
    "text",
    [
        "u!!!not-base64!!!",
        "u" + base64.urlsafe_b64encode(b"plain bytes, not gzip").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(b"\x00" * 64)[:-6]).decode().rstrip("="),
    ],
    ids=["not base64", "not gzip", "truncated gzip"],
)
def test_decode_names_what_is_wrong(text: str) -> None:
    with pytest.raises(StatusListError, match="not GZIP-compressed base64url"):
        statuslist.decode(text)


def test_free_index_avoids_taken_indexes() -> None:
    taken = set(range(0, 64, 2))
    picks = {statuslist.free_index(64, taken) for _ in range(200)}
    assert picks
    assert all(index % 2 == 1 for index in picks)


@settings(max_examples=50)
@given(st.sets(st.integers(min_value=0, max_value=255), max_size=128))
def test_free_index_is_never_taken(taken: set[int]) -> None:
    index = statuslist.free_index(256, taken)
    assert 0 <= index < 256
    assert index not in taken


def test_free_index_gives_up_on_a_full_list() -> None:
    with pytest.raises(StatusListError, match="too full"):
        statuslist.free_index(16, set(range(16)))


def test_free_index_is_random() -> None:
    picks = {statuslist.free_index(ENTRIES, set()) for _ in range(20)}
    assert len(picks) > 1
