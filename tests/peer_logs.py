"""A peer bank's log for tests: real RFC 9162 trees, real signed checkpoints, real proofs.

:class:`PeerLog` keeps its leaves in memory, signs checkpoints with a key of its own (a C2SP
signed note), proves consistency between two of its sizes, and can be forked (another leaf at
a size already published). :func:`cosigned` appends witnesses' cosignature lines to a note.
:func:`peer_fields` is what an administrator types to add it to a bank's trust list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from creditbank.ledger import merkle, notes


@dataclass
class PeerLog:
    """The log of a peer bank named ``origin``."""

    origin: str
    leaves: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        private, self.verifier_key = notes.generate_key(self.origin)
        self.signer = notes.Signer.from_private_key(private)
        witness_private, _ = notes.generate_key(f"{self.origin}/witness")
        self.witness = notes.CosignatureSigner.from_private_key(witness_private)

    def grow(self, count: int, tag: str = "") -> PeerLog:
        for _ in range(count):
            entry = f"{self.origin} entry {len(self.leaves)} {tag}".encode()
            self.leaves.append(merkle.leaf_hash(entry))
        return self

    def _node(self, level: int, index: int) -> bytes:
        width = 1 << level
        return merkle.root_of(self.leaves[index * width : (index + 1) * width])

    def root(self, size: int) -> bytes:
        return merkle.root_of(self.leaves[:size])

    def checkpoint(self, size: int | None = None) -> notes.Checkpoint:
        size = len(self.leaves) if size is None else size
        return notes.Checkpoint(self.origin, size, self.root(size))

    def note(self, size: int | None = None) -> str:
        """The signed checkpoint of ``size`` leaves (all by default)."""
        return notes.sign(self.checkpoint(size).body(), [self.signer])

    def proof(self, first: int, second: int) -> list[bytes]:
        return merkle.consistency_proof(first, second, self._node)

    def forked(self, at: int) -> PeerLog:
        """Another log with the same key and origin, equal to this one's first ``at`` leaves,
        then different."""
        other = PeerLog.__new__(PeerLog)
        other.origin, other.verifier_key, other.signer = self.origin, self.verifier_key, self.signer
        other.witness = self.witness
        other.leaves = list(self.leaves[:at])
        other.leaves.append(hashlib.sha256(b"another history").digest())
        return other

    def fetcher(self) -> FetchFromLog:
        return FetchFromLog(self)


@dataclass
class FetchFromLog:
    """A ``FetchProof`` that answers from ``log`` and counts what it was asked."""

    log: PeerLog
    asked: list[tuple[int, int]] = field(default_factory=list)

    def __call__(self, _peer: object, first: int, second: int) -> Sequence[bytes]:
        self.asked.append((first, second))
        return self.log.proof(first, second)


def cosigned(note: str, *witnesses: notes.CosignatureSigner) -> str:
    """``note`` with a cosignature line of each of ``witnesses`` appended."""
    text = note[: note.index("\n\n") + 1]
    checkpoint = notes.Checkpoint.parse(text)
    return note + "".join(notes.cosign(checkpoint, witness) for witness in witnesses)


def peer_fields(log: PeerLog, **changes: object) -> dict[str, object]:
    """The fields of a peer bank of ``log`` (an API body; ``changes`` override)."""
    host = log.origin.split("/")[0]
    fields: dict[str, object] = {
        "origin": log.origin,
        "log_key": log.verifier_key,
        "did": f"did:web:{host}",
        "url": f"https://{host}",
        "witness_url": f"https://{host}/witness",
        "witness_key": log.witness.verifier_key(),
        "frameworks": ["CQF"],
        "item_kinds": ["course", "x_certificate"],
        "institutions": ["SHOU"],
        "valid_from": "2026-01-01",
        "valid_until": None,
    }
    fields.update(changes)
    return fields


def add_command_fields(log: PeerLog, **changes: object) -> dict[str, object]:
    """:func:`peer_fields` as ``AddPeer``'s keyword arguments (tuples and dates)."""
    fields = peer_fields(log, **changes)
    for name in ("frameworks", "item_kinds", "institutions"):
        fields[name] = tuple(fields[name])  # type: ignore[arg-type]
    for name in ("valid_from", "valid_until"):
        value = fields[name]
        fields[name] = date.fromisoformat(value) if isinstance(value, str) else value
    return fields
