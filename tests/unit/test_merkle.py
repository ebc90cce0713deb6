"""The ledger's Merkle tree: RFC 9162 test vectors, a cross-check with pymerkle, invariants."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pymerkle  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    NodeGetter,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_needed,
    root_at,
    root_of,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors" / "rfc9162"

# The eight leaves of the RFC 6962 / transparency-dev/merkle test tree, from which the happy-path
# vectors (numbered folders) were made.
TEST_TREE_ENTRIES = [
    bytes.fromhex(value)
    for value in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

Nodes = dict[tuple[int, int], bytes]


def _cases(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _case_id(path: Path) -> str:
    return path.relative_to(VECTORS).with_suffix("").as_posix()


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def _b64(value: str) -> bytes:
    # Go's encoding/json writes []byte as standard base64; a nil proof is written as null.
    return base64.b64decode(value, validate=True)


def _b64_list(values: list[str] | None) -> list[bytes]:
    return [_b64(value) for value in values or []]


@lru_cache(maxsize=64)
def _tree(
    size: int, salt: bytes = b""
) -> tuple[list[bytes], Nodes, list[list[tuple[int, int, bytes]]]]:
    """Leaf hashes, every stored node and what each append reported, for ``size`` leaves."""
    frontier = Frontier.empty()
    leaves = [leaf_hash(b"entry %d" % number + salt) for number in range(size)]
    nodes: Nodes = {}
    reports = []
    for value in leaves:
        completed = frontier.append(value)
        reports.append(completed)
        nodes.update(((level, index), hashed) for level, index, hashed in completed)
    return leaves, nodes, reports


def _getter(nodes: Nodes) -> NodeGetter:
    def node(level: int, index: int) -> bytes:
        return nodes[level, index]

    return node


# --- hashing -----------------------------------------------------------------------------------


def test_hashes_are_domain_separated_sha256() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert root_of([]) == EMPTY_ROOT
    assert Frontier.empty().root() == EMPTY_ROOT
    assert root_at(0, _getter({})) == EMPTY_ROOT


def test_root_of_the_rfc_6962_test_tree() -> None:
    leaves = [leaf_hash(entry) for entry in TEST_TREE_ENTRIES]
    assert root_of(leaves).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )
    # MTH by its definition: split at the largest power of two below n.
    assert root_of(leaves[:3]) == node_hash(node_hash(leaves[0], leaves[1]), leaves[2])


# --- transparency-dev/merkle test vectors -------------------------------------------------------


def test_the_vectors_are_all_there() -> None:
    assert (VECTORS / "SOURCE_COMMIT").read_text(encoding="utf-8").strip() == (
        "417fb0c314750d94e53942e9f92e79b6d35915db"
    )
    assert len(_cases("inclusion")) == 98
    assert len(_cases("consistency")) == 98


@pytest.mark.parametrize("path", _cases("inclusion"), ids=_case_id)
def test_inclusion_vector(path: Path) -> None:
    case = _load(path)
    arguments = (
        _b64(case["leafHash"]),
        case["leafIdx"],
        case["treeSize"],
        _b64_list(case["proof"]),
        _b64(case["root"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*arguments)
    else:
        verify_inclusion(*arguments)


@pytest.mark.parametrize("path", _cases("consistency"), ids=_case_id)
def test_consistency_vector(path: Path) -> None:
    case = _load(path)
    arguments = (
        case["size1"],
        case["size2"],
        _b64_list(case["proof"]),
        _b64(case["root1"]),
        _b64(case["root2"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*arguments)
    else:
        verify_consistency(*arguments)


def test_we_build_the_happy_path_vectors() -> None:
    frontier = Frontier.empty()
    nodes: Nodes = {}
    for entry in TEST_TREE_ENTRIES:
        nodes.update(((lv, ix), h) for lv, ix, h in frontier.append(leaf_hash(entry)))
    node = _getter(nodes)
    for path in (VECTORS / "inclusion").glob("*/happy-path.json"):
        case = _load(path)
        assert root_at(case["treeSize"], node) == _b64(case["root"])
        assert inclusion_proof(case["leafIdx"], case["treeSize"], node) == _b64_list(case["proof"])
    for path in (VECTORS / "consistency").glob("*/happy-path.json"):
        case = _load(path)
        assert root_at(case["size1"], node) == _b64(case["root1"])
        assert root_at(case["size2"], node) == _b64(case["root2"])
        assert consistency_proof(case["size1"], case["size2"], node) == _b64_list(case["proof"])


# --- cross-check with pymerkle ------------------------------------------------------------------


def _pymerkle_consistency_as_rfc(first: int, proof: Any) -> list[bytes]:
    """pymerkle's consistency proof rewritten in RFC 9162's shape.

    pymerkle (7.0.0) splits differently where the old tree ends exactly on a split: RFC 9162
    takes the left subtree L whole and the right subtree's hash R, while pymerkle goes right and
    walks R down to its first leaf, so its path starts with that leaf and R's left edge (marked
    0 in ``subset``), then L (marked 1). Folding those first hashes with pymerkle's ``rule``
    gives R back. Apart from that both are bottom-up lists of the same subtree hashes, and RFC
    9162 leaves out L when the old tree is a power of two (the verifier has it as the old root).
    """
    path: list[bytes] = list(proof.path)
    below = 0
    while proof.subset[below] == 0:
        below += 1
    if below:
        right = path[0]
        for bit, value in zip(proof.rule, path[1:below], strict=False):
            right = node_hash(right, value) if bit == 0 else node_hash(value, right)
        path = [path[below], right, *path[below + 1 :]]
    if first & (first - 1) == 0:
        path = path[1:]
    return path


def test_cross_check_with_pymerkle() -> None:
    """Roots and proofs against pymerkle 7.0.0 (sha256, security prefixes on: its default) for
    every tree size from 1 to 300.

    Inclusion: pymerkle's path is the leaf hash followed by exactly RFC 9162's audit path, so
    ours must equal its tail, and pymerkle's verifier must accept ours. Consistency: the shapes
    differ (see ``_pymerkle_consistency_as_rfc``); pymerkle's proof, rewritten in RFC 9162's
    shape, must equal ours (so our verifier accepts it), and pymerkle's verifier must accept its
    proof against our roots. The other way round is not possible: our proof carries R as one
    hash, and pymerkle wants the hashes inside it.
    """
    assert pymerkle.__version__ == "7.0.0"
    top = 300
    entries = [b"entry %d" % number for number in range(top)]
    theirs = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in entries:
        theirs.append_entry(entry)
    leaves, nodes, _ = _tree(top)  # our frontier over the same entries
    node = _getter(nodes)
    # pymerkle hashes a leaf as SHA-256(0x00 || entry) with no other encoding; its indexes
    # count from one.
    assert theirs.get_leaf(1) == hashlib.sha256(b"\x00" + entries[0]).digest() == leaves[0]
    roots = [EMPTY_ROOT] + [root_at(size, node) for size in range(1, top + 1)]
    for size in range(1, top + 1):
        assert theirs.get_root(size) == roots[size] == root_of(leaves[:size])
        for index in sorted({0, size // 3, size // 2, size - 1}):
            ours = inclusion_proof(index, size, node)
            proof = theirs.prove_inclusion(index + 1, size)
            assert proof.path == [leaves[index], *ours]
            verify_inclusion(leaves[index], index, size, ours, roots[size])
            mine = pymerkle.InclusionProof("sha256", True, size, index + 1, proof.rule, proof.path)  # noqa: FBT003
            mine.path = [leaves[index], *ours]
            pymerkle.verify_inclusion(leaves[index], roots[size], mine, index=index + 1, size=size)
        for first in sorted({1, size // 3, size // 2, size - 1, size} - {0}):
            ours = consistency_proof(first, size, node)
            proof = theirs.prove_consistency(first, size)
            pymerkle.verify_consistency(
                roots[first], roots[size], proof, prior_size=first, later_size=size
            )
            if first == size:
                assert ours == []
                assert proof.path == [roots[size]]
                continue
            assert _pymerkle_consistency_as_rfc(first, proof) == ours
            verify_consistency(first, size, ours, roots[first], roots[size])


# --- invariants ---------------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)
salts = st.binary(max_size=4)


@given(size=st.integers(min_value=0, max_value=300), salt=salts)
def test_frontier_root_is_the_merkle_tree_hash(size: int, salt: bytes) -> None:
    leaves, nodes, _ = _tree(size, salt)
    node = _getter(nodes)
    expected = root_of(leaves)
    frontier = Frontier.load(size, node)
    assert frontier.size == size
    assert frontier.root() == expected == root_at(size, node)
    if size:
        assert expected == subtree_hash(0, size, node)


@given(data=st.data(), size=sizes, salt=salts)
def test_inclusion_proofs_from_stored_nodes_verify(
    data: st.DataObject, size: int, salt: bytes
) -> None:
    leaves, nodes, _ = _tree(size, salt)
    node = _getter(nodes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, node)
    verify_inclusion(leaves[index], index, size, proof, root_of(leaves))


@given(data=st.data(), second=sizes, salt=salts)
def test_consistency_proofs_from_stored_nodes_verify(
    data: st.DataObject, second: int, salt: bytes
) -> None:
    leaves, nodes, _ = _tree(second, salt)
    node = _getter(nodes)
    first = data.draw(st.integers(min_value=1, max_value=second))
    proof = consistency_proof(first, second, node)
    verify_consistency(first, second, proof, root_of(leaves[:first]), root_of(leaves))


def _flip(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


@given(data=st.data(), size=st.integers(min_value=2, max_value=300))
def test_tampered_inclusion_proofs_fail(data: st.DataObject, size: int) -> None:
    top = 300
    leaves, nodes, _ = _tree(top)
    node = _getter(nodes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, node)
    root = root_at(size, node)
    position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, _flip(proof, position, bit), root)
    other_index = data.draw(
        st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index)
    )
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], other_index, size, proof, root)
    # A changed size is checked against the root of that size, as a checkpoint would pair them:
    # against the original root it can pass where both sizes give the path the same shape
    # (leaf 0 of sizes 3 and 4, say), since the size is bound to the root by the signature.
    other_size = data.draw(
        st.integers(min_value=index + 1, max_value=top).filter(lambda s: s != size)
    )
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, other_size, proof, root_at(other_size, node))
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, [*proof, proof[0]], root)
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, proof[:-1], root)


@given(data=st.data(), second=st.integers(min_value=2, max_value=300))
def test_tampered_consistency_proofs_fail(data: st.DataObject, second: int) -> None:
    top = 300
    _, nodes, _ = _tree(top)
    node = _getter(nodes)
    first = data.draw(st.integers(min_value=1, max_value=second - 1))
    proof = consistency_proof(first, second, node)
    first_root, second_root = root_at(first, node), root_at(second, node)
    position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    with pytest.raises(ProofError):
        verify_consistency(first, second, _flip(proof, position, bit), first_root, second_root)
    other_first = data.draw(st.integers(min_value=1, max_value=second).filter(lambda s: s != first))
    with pytest.raises(ProofError):
        verify_consistency(other_first, second, proof, root_at(other_first, node), second_root)
    other_second = data.draw(
        st.integers(min_value=first, max_value=top).filter(lambda s: s != second)
    )
    with pytest.raises(ProofError):
        verify_consistency(first, other_second, proof, first_root, root_at(other_second, node))
    with pytest.raises(ProofError):
        verify_consistency(first, second, proof, second_root, first_root)
    with pytest.raises(ProofError):
        verify_consistency(first, second, proof[:-1], first_root, second_root)


def _run_recorded(
    nodes: Nodes, build: Callable[[NodeGetter], object]
) -> tuple[object, list[tuple[int, int]]]:
    asked: list[tuple[int, int]] = []

    def node(level: int, index: int) -> bytes:
        asked.append((level, index))
        return nodes[level, index]

    return build(node), list(dict.fromkeys(asked))


@given(data=st.data(), size=sizes)
def test_nodes_needed_is_what_the_second_run_uses(data: st.DataObject, size: int) -> None:
    _, nodes, _ = _tree(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    first = data.draw(st.integers(min_value=0, max_value=size))
    builds: list[Callable[[NodeGetter], object]] = [
        lambda node: inclusion_proof(index, size, node),
        lambda node: consistency_proof(first, size, node),
        lambda node: root_at(size, node),
        lambda node: Frontier.load(size, node).root(),
    ]
    for build in builds:
        needed = nodes_needed(build)
        fetched = {coordinate: nodes[coordinate] for coordinate in needed}
        result, used = _run_recorded(fetched, build)
        assert used == needed
        assert result == build(_getter(nodes))
    assert nodes_needed(lambda node: Frontier.load(size, node)) == Frontier.coordinates(size)


@given(size=st.integers(min_value=1, max_value=2**62), data=st.data())
def test_proofs_ask_for_logarithmically_many_nodes(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    first = data.draw(st.integers(min_value=0, max_value=size))
    bound = 2 * size.bit_length() + 1
    assert len(nodes_needed(lambda node: inclusion_proof(index, size, node))) <= bound
    assert len(nodes_needed(lambda node: consistency_proof(first, size, node))) <= bound
    assert len(nodes_needed(lambda node: root_at(size, node))) == size.bit_count()


@given(data=st.data(), top=sizes, salt=salts)
def test_a_loaded_frontier_continues_like_the_original(
    data: st.DataObject, top: int, salt: bytes
) -> None:
    leaves, nodes, reports = _tree(top, salt)
    size = data.draw(st.integers(min_value=0, max_value=top))
    frontier = Frontier.load(size, _getter(nodes))
    assert frontier.root() == root_of(leaves[:size])
    for number in range(size, top):
        assert frontier.append(leaves[number]) == reports[number]
        assert frontier.size == number + 1
    assert frontier.root() == root_of(leaves)


def test_append_reports_each_completed_subtree() -> None:
    leaves, _, reports = _tree(8)
    assert reports[0] == [(0, 0, leaves[0])]
    assert reports[6] == [(0, 6, leaves[6])]
    assert [coordinate[:2] for coordinate in reports[7]] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert reports[7][-1][2] == root_of(leaves)
    assert Frontier.coordinates(13) == [(3, 0), (2, 2), (0, 12)]


# --- errors -------------------------------------------------------------------------------------


def test_an_index_at_or_beyond_the_size_is_refused() -> None:
    _, nodes, _ = _tree(5)
    leaf = leaf_hash(b"x")
    with pytest.raises(ProofError, match=r"leaf index 5 is not below the tree size 5"):
        inclusion_proof(5, 5, _getter(nodes))
    with pytest.raises(ProofError, match=r"leaf index 7 is not below the tree size 5"):
        verify_inclusion(leaf, 7, 5, [], EMPTY_ROOT)
    with pytest.raises(ProofError, match=r"leaf index -1 is negative"):
        verify_inclusion(leaf, -1, 5, [], EMPTY_ROOT)


def test_inclusion_in_the_empty_tree_is_refused() -> None:
    with pytest.raises(ProofError, match=r"a tree of size 0 has no leaves"):
        inclusion_proof(0, 0, _getter({}))
    with pytest.raises(ProofError, match=r"a tree of size 0 has no leaves"):
        verify_inclusion(leaf_hash(b"x"), 0, 0, [], EMPTY_ROOT)


def test_a_first_size_beyond_the_second_is_refused() -> None:
    _, nodes, _ = _tree(5)
    message = r"first tree size 5 is larger than second tree size 3"
    with pytest.raises(ProofError, match=message):
        consistency_proof(5, 3, _getter(nodes))
    with pytest.raises(ProofError, match=message):
        verify_consistency(5, 3, [], EMPTY_ROOT, EMPTY_ROOT)


def test_a_proof_of_the_wrong_length_is_refused() -> None:
    leaves, nodes, _ = _tree(8)
    node = _getter(nodes)
    proof = inclusion_proof(2, 8, node)
    with pytest.raises(ProofError, match=r"proof has 2 hashes, expected 3"):
        verify_inclusion(leaves[2], 2, 8, proof[:2], root_of(leaves))
    with pytest.raises(ProofError, match=r"proof has 4 hashes, expected 3"):
        verify_inclusion(leaves[2], 2, 8, [*proof, proof[0]], root_of(leaves))
    consistency = consistency_proof(3, 8, node)
    with pytest.raises(ProofError, match=r"proof has 3 hashes, expected 4"):
        verify_consistency(3, 8, consistency[1:], root_at(3, node), root_of(leaves))
    with pytest.raises(ProofError, match=r"proof hash 1 is 31 bytes, expected 32"):
        verify_inclusion(leaves[2], 2, 8, [proof[0], proof[1][1:], proof[2]], root_of(leaves))
    with pytest.raises(ProofError, match=r"leaf hash is 3 bytes, expected 32"):
        verify_inclusion(b"abc", 2, 8, proof, root_of(leaves))


def test_a_wrong_root_is_named() -> None:
    leaves, nodes, _ = _tree(8)
    node = _getter(nodes)
    with pytest.raises(ProofError, match=r"the proof leads to root [0-9a-f]{16}…, not to the"):
        verify_inclusion(leaves[2], 2, 8, inclusion_proof(2, 8, node), root_at(7, node))
    with pytest.raises(ProofError, match=r"the proof leads to first root"):
        verify_consistency(3, 8, consistency_proof(3, 8, node), EMPTY_ROOT, root_of(leaves))
    with pytest.raises(ProofError, match=r"the proof leads to second root"):
        verify_consistency(3, 8, consistency_proof(3, 8, node), root_at(3, node), EMPTY_ROOT)


def test_trees_of_equal_size() -> None:
    _, nodes, _ = _tree(4)
    root = root_at(4, _getter(nodes))
    assert consistency_proof(4, 4, _getter(nodes)) == []
    verify_consistency(4, 4, [], root, root)
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError, match=r"need an empty proof, but the proof has 1 hashes"):
        verify_consistency(4, 4, [root], root, root)
    with pytest.raises(ProofError, match=r"trees of equal size 4 have different roots"):
        verify_consistency(4, 4, [], root, EMPTY_ROOT)
    with pytest.raises(ProofError, match=r"the root of the empty tree is"):
        verify_consistency(0, 0, [], root, root)


def test_a_proof_from_the_empty_tree_proves_nothing() -> None:
    _, nodes, _ = _tree(4)
    node = _getter(nodes)
    assert consistency_proof(0, 4, node) == []
    with pytest.raises(ProofError, match=r"from the empty tree proves nothing"):
        verify_consistency(0, 4, [], EMPTY_ROOT, root_at(4, node))


def test_subtree_hash_refuses_a_range_no_tree_has() -> None:
    _, nodes, _ = _tree(8)
    with pytest.raises(ValueError, match=r"not a subtree of any Merkle tree"):
        subtree_hash(1, 3, _getter(nodes))
    with pytest.raises(ValueError, match=r"is not a range of leaves"):
        subtree_hash(4, 3, _getter(nodes))
    assert subtree_hash(4, 7, _getter(nodes)) == node_hash(nodes[1, 2], nodes[0, 6])
    assert subtree_hash(3, 3, _getter(nodes)) == EMPTY_ROOT


def test_a_frontier_refuses_a_leaf_that_is_not_a_hash() -> None:
    with pytest.raises(ValueError, match=r"leaf hash is 5 bytes, expected 32"):
        Frontier.empty().append(b"entry")
