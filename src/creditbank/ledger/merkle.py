"""The Merkle tree of the ledger, as RFC 9162 (Certificate Transparency 2.0) section 2.1 defines it.

Pure functions over hashes, standard library only: leaf and node hashing, the Merkle tree hash
(MTH), inclusion and consistency proofs and their verification, and the frontier that appends one
leaf at a time. Storage keeps the hash of every complete subtree, addressed ``(level, index)``:
the node at level ``l`` and index ``i`` covers leaves ``[i * 2**l, (i + 1) * 2**l)``, level 0
being the leaf hashes. Everything here reads those nodes through a ``NodeGetter``, so the same
code serves an in-memory dict in tests and a database query in the service; ``nodes_needed``
tells storage in advance which nodes a computation will ask for, so it can fetch them at once.

Leaf indexes count from zero. A proof is a list of 32-byte SHA-256 hashes, bottom-up, exactly as
RFC 9162 sections 2.1.3.1 and 2.1.4.1 build them, so any RFC 9162 or RFC 6962 verifier accepts
it; ``verify_inclusion`` and ``verify_consistency`` follow sections 2.1.3.2 and 2.1.4.2 and pass
the transparency-dev/merkle test vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeAlias

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "NodeGetter",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_needed",
    "root_at",
    "root_of",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in every hash of the tree (SHA-256)."""

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""The root of the empty tree: SHA-256 of no input (RFC 9162 section 2.1.1)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

NodeGetter: TypeAlias = Callable[[int, int], bytes]
"""``node(level, index)``: the hash of the complete subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``."""

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof is malformed or does not verify; the message says what failed."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || entry)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(width: int) -> int:
    """The largest power of two strictly below ``width`` (width >= 2): where RFC 9162 splits."""
    return 1 << ((width - 1).bit_length() - 1)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the roots of adjacent complete subtrees, largest (leftmost) first, into one MTH."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = _sha256(_NODE_PREFIX + left + result).digest()
    return result


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a whole list of leaf hashes (RFC 9162 section 2.1.1)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # A stack of complete-subtree roots, as Frontier keeps, without reporting each node.
    stack: list[bytes] = []
    for count, current in enumerate(leaf_hashes):
        merged = current
        size = count
        while size & 1:
            merged = _sha256(_NODE_PREFIX + stack.pop() + merged).digest()
            size >>= 1
        stack.append(merged)
    return _fold(stack)


def _pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees, largest first, that make up leaves ``[start, end)``.

    Only ranges whose start is aligned to the power of two at or above their width are
    accepted: those are the subtrees RFC 9162's recursion produces, and for them the MTH is
    the right fold of these pieces.
    """
    width = end - start
    if start < 0 or width < 0:
        msg = f"leaf range [{start}, {end}) is not a range of leaves"
        raise ValueError(msg)
    if width > 1 and start % (1 << (width - 1).bit_length()):
        msg = f"leaf range [{start}, {end}) is not a subtree of any Merkle tree"
        raise ValueError(msg)
    pieces: list[tuple[int, int]] = []
    position = start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            pieces.append((level, position >> level))
            position += 1 << level
    return pieces


def subtree_hash(start: int, end: int, node: NodeGetter) -> bytes:
    """The MTH of leaves ``[start, end)``, from at most log2(width) + 1 complete-subtree nodes.

    The range must be one RFC 9162's recursion produces (its start a multiple of the power of
    two at or above its width); an empty range has the empty root.
    """
    pieces = _pieces(start, end)
    if not pieces:
        return EMPTY_ROOT
    return _fold([node(level, index) for level, index in pieces])


def root_at(tree_size: int, node: NodeGetter) -> bytes:
    """The root of the tree of the first ``tree_size`` leaves."""
    if tree_size < 0:
        msg = f"tree size {tree_size} is negative"
        raise ProofError(msg)
    return subtree_hash(0, tree_size, node)


def _check_index(index: int, tree_size: int) -> None:
    if tree_size <= 0:
        msg = f"a tree of size {tree_size} has no leaves, so it includes no leaf"
        raise ProofError(msg)
    if index < 0:
        msg = f"leaf index {index} is negative"
        raise ProofError(msg)
    if index >= tree_size:
        msg = f"leaf index {index} is not below the tree size {tree_size}"
        raise ProofError(msg)


def _check_sizes(first: int, second: int) -> None:
    if first < 0:
        msg = f"first tree size {first} is negative"
        raise ProofError(msg)
    if first > second:
        msg = f"first tree size {first} is larger than second tree size {second}"
        raise ProofError(msg)


def inclusion_proof(index: int, tree_size: int, node: NodeGetter) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``tree_size`` leaves (RFC 9162 2.1.3.1).

    Sibling hashes bottom-up, at most one of them an incomplete subtree (on the right edge).
    """
    _check_index(index, tree_size)
    siblings: list[bytes] = []
    start, end = 0, tree_size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            siblings.append(subtree_hash(middle, end, node))
            end = middle
        else:
            siblings.append(subtree_hash(start, middle, node))
            start = middle
    siblings.reverse()
    return siblings


def consistency_proof(first: int, second: int, node: NodeGetter) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of that of ``second`` leaves.

    RFC 9162 section 2.1.4.1, bottom-up. Equal sizes and an empty first tree need no hashes and
    give ``[]``; note that ``verify_consistency`` refuses a proof from the empty tree, which
    proves nothing, so a caller whose first tree is empty has nothing to verify.
    """
    _check_sizes(first, second)
    if first in {0, second}:
        return []
    hashes: list[bytes] = []
    start, old, width = 0, first, second
    whole_old_tree = True  # RFC 9162's b: the old tree is the subtree we stand on
    while old != width:
        middle = _split(width)
        if old <= middle:
            hashes.append(subtree_hash(start + middle, start + width, node))
            width = middle
        else:
            hashes.append(subtree_hash(start, start + middle, node))
            start += middle
            old -= middle
            width -= middle
            whole_old_tree = False
    if not whole_old_tree:
        hashes.append(subtree_hash(start, start + width, node))
    hashes.reverse()
    return hashes


def _check_hashes(proof: Sequence[bytes]) -> None:
    for position, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            msg = f"proof hash {position} is {len(value)} bytes, expected {HASH_SIZE}"
            raise ProofError(msg)


def _inclusion_length(index: int, tree_size: int) -> tuple[int, int]:
    """How many of a path's hashes lie below where the paths to ``index`` and to the last leaf
    meet (inner), and how many above, on the tree's right border (border)."""
    inner = (index ^ (tree_size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


_SHOWN = 8  # bytes of a hash shown in a message


def _short(value: bytes) -> str:
    return value[:_SHOWN].hex() + ("…" if len(value) > _SHOWN else "")


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` leaves whose root
    is ``root`` (RFC 9162 section 2.1.3.2); raise ProofError saying what failed."""
    _check_index(index, tree_size)
    if len(leaf_hash) != HASH_SIZE:
        msg = f"leaf hash is {len(leaf_hash)} bytes, expected {HASH_SIZE}"
        raise ProofError(msg)
    inner, border = _inclusion_length(index, tree_size)
    if len(proof) != inner + border:
        msg = f"proof has {len(proof)} hashes, expected {inner + border}"
        raise ProofError(msg)
    _check_hashes(proof)
    fn, sn = index, tree_size - 1
    result = leaf_hash
    for sibling in proof:
        if fn & 1 or fn == sn:
            result = _sha256(_NODE_PREFIX + sibling + result).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            result = _sha256(_NODE_PREFIX + result + sibling).digest()
        fn >>= 1
        sn >>= 1
    if result != root:
        msg = f"the proof leads to root {_short(result)}, not to the expected root {_short(root)}"
        raise ProofError(msg)


def _consistency_length(first: int, second: int) -> int:
    inner, border = _inclusion_length(first - 1, second)
    shift = (first & -first).bit_length() - 1  # trailing zero bits of first
    seeded = first != 1 << shift  # unless first is a power of two, the proof starts with a seed
    return int(seeded) + inner - shift + border


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Check that the tree of ``first`` leaves with ``first_root`` is a prefix of the tree of
    ``second`` leaves with ``second_root`` (RFC 9162 section 2.1.4.2); raise ProofError.

    Equal sizes need an empty proof and equal roots (the empty tree's root being EMPTY_ROOT).
    A proof from the empty tree to a larger one is refused, as RFC 9162 requires 0 < first and
    transparency-dev/merkle does: every tree extends the empty tree, so it would prove nothing.
    """
    _check_sizes(first, second)
    if first == second:
        if proof:
            msg = f"trees of equal size need an empty proof, but the proof has {len(proof)} hashes"
            raise ProofError(msg)
        if first == 0 and first_root != EMPTY_ROOT:
            msg = f"the root of the empty tree is {_short(EMPTY_ROOT)}, not {_short(first_root)}"
            raise ProofError(msg)
        if first_root != second_root:
            msg = f"trees of equal size {first} have different roots"
            raise ProofError(msg)
        return
    if first == 0:
        msg = "a consistency proof from the empty tree proves nothing: every tree extends it"
        raise ProofError(msg)
    expected = _consistency_length(first, second)
    if len(proof) != expected:
        msg = f"proof has {len(proof)} hashes, expected {expected}"
        raise ProofError(msg)
    _check_hashes(proof)
    first_computed, second_computed = _consistency_roots(first, second, proof, first_root)
    if first_computed != first_root:
        msg = f"the proof leads to first root {_short(first_computed)}, not {_short(first_root)}"
        raise ProofError(msg)
    if second_computed != second_root:
        msg = f"the proof leads to second root {_short(second_computed)}, not {_short(second_root)}"
        raise ProofError(msg)


def _consistency_roots(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes
) -> tuple[bytes, bytes]:
    """Both roots a well-sized consistency proof leads to (RFC 9162 2.1.4.2, steps 2 to 6)."""
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first_computed = second_computed = path[0]
    for value in path[1:]:
        if fn & 1 or fn == sn:
            first_computed = _sha256(_NODE_PREFIX + value + first_computed).digest()
            second_computed = _sha256(_NODE_PREFIX + value + second_computed).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            second_computed = _sha256(_NODE_PREFIX + second_computed + value).digest()
        fn >>= 1
        sn >>= 1
    return first_computed, second_computed


_PLACEHOLDER = bytes(HASH_SIZE)


def nodes_needed(build: Callable[[NodeGetter], object]) -> list[tuple[int, int]]:
    """The ``(level, index)`` nodes ``build`` asks for, in order of first request, each once.

    ``build`` is run once with a getter that records each request and answers a placeholder
    hash, so which nodes it asks for must not depend on their values (true of every function
    here). Storage fetches the nodes in one query and runs ``build`` again over a dict of them.
    """
    asked: dict[tuple[int, int], None] = {}

    def record(level: int, index: int) -> bytes:
        asked[level, index] = None
        return _PLACEHOLDER

    build(record)
    return list(asked)


class Frontier:
    """The right edge of a tree: the roots of its complete subtrees, largest first (one per set
    bit of size)."""

    __slots__ = ("_hashes", "size")

    size: int

    def __init__(self, size: int, hashes: list[bytes]) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            msg = f"a tree of size {size} has {max(size, 0).bit_count()} complete subtree roots"
            raise ValueError(msg)
        self.size = size
        self._hashes = hashes

    @classmethod
    def empty(cls) -> Frontier:
        """The frontier of the empty tree."""
        return cls(0, [])

    @classmethod
    def load(cls, size: int, node: NodeGetter) -> Frontier:
        """The frontier of the tree of ``size`` leaves, read from stored nodes."""
        return cls(size, [node(level, index) for level, index in cls.coordinates(size)])

    @staticmethod
    def coordinates(size: int) -> list[tuple[int, int]]:
        """The ``(level, index)`` of the frontier's nodes, largest first."""
        return [
            (level, (size >> level) - 1)
            for level in range(size.bit_length() - 1, -1, -1)
            if size >> level & 1
        ]

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The roots of the complete subtrees, largest first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf; return every complete subtree this completed as ``(level, index, hash)``:
        the leaf itself first, then each parent it completed, up to the largest."""
        if len(leaf_hash) != HASH_SIZE:
            msg = f"leaf hash is {len(leaf_hash)} bytes, expected {HASH_SIZE}"
            raise ValueError(msg)
        size = self.size
        completed = [(0, size, leaf_hash)]
        hashes = self._hashes
        current = leaf_hash
        level = 0
        while size & 1:
            current = _sha256(_NODE_PREFIX + hashes.pop() + current).digest()
            size >>= 1
            level += 1
            completed.append((level, size, current))
        hashes.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """The MTH of the tree so far (EMPTY_ROOT for the empty tree)."""
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self.size}, root={self.root().hex()})"
