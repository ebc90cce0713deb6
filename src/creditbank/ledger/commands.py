"""The use cases of the ledger, one frozen dataclass each.

Reading the log (checkpoints, entries, proofs, receipts) is public, as a transparency log
must be. Verifying it against the business records and asking witnesses to cosign are the
bank's own acts, taken at the console.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShowCheckpoint:
    """The newest checkpoint with the witnesses' cosignatures."""


@dataclass(frozen=True, slots=True)
class ShowLogKey:
    """The log's verifier key in signed-note form."""


@dataclass(frozen=True, slots=True)
class ListEntries:
    """Entries ``start`` to ``end - 1`` of the log."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ProveInclusion:
    """An inclusion proof of a leaf, given by ``index`` or by ``leaf_hash`` (base64): one."""

    tree_size: int
    index: int | None = None
    leaf_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ProveConsistency:
    """A consistency proof that the tree of ``second`` entries extends that of ``first``."""

    first: int
    second: int


@dataclass(frozen=True, slots=True)
class ShowReceipts:
    """Every log entry of a record, each with its inclusion proof."""

    record_id: str


@dataclass(frozen=True, slots=True)
class VerifyLog:
    """Recompute the log from storage and check it, its checkpoints and the facts it records;
    with ``saved_checkpoint`` (a signed note saved earlier), check the log against it too."""

    saved_checkpoint: str | None = None


@dataclass(frozen=True, slots=True)
class AskWitnesses:
    """Ask the configured witnesses to cosign the newest checkpoint."""
