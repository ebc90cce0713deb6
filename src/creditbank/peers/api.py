"""What other areas use of peer banks: who is trusted, and accepting a peer's checkpoint.

``trusted_peer`` answers the approved peer of a log origin whose agreement is in force (else
``unknown_peer``); ``accept_checkpoint`` accepts a trusted peer's checkpoint that carries
enough cosignatures of trusted witnesses and is consistent with every checkpoint of that peer
seen (else a :class:`PeerError` naming why; a fork is a :class:`CheckpointFork` carrying both
checkpoints). Fork evidence is kept apart from the refused unit of work: :func:`keep_fork`.
"""

from __future__ import annotations

from creditbank.db import Database, UnitOfWork
from creditbank.peers.checkpoints import (
    CheckpointFork,
    FetchProof,
    ProofUnavailable,
    accept_checkpoint,
    http_fetch_proof,
    peer_settings,
    trusted_peer,
    trusted_peer_at,
    trusted_witnesses,
)
from creditbank.peers.checkpoints import keep_fork as _keep_fork
from creditbank.peers.model import (
    AcceptedCheckpoint,
    Agreement,
    ForkEvidence,
    PeerError,
    PeerStatus,
    TrustedPeer,
)


def witness_keys_for(*, uow: UnitOfWork, peer: TrustedPeer) -> tuple[str, ...]:
    """The cosignature verifier keys of the witnesses trusted for ``peer``'s checkpoints (this
    bank's own and its other approved peers'), and so the keys a receipt of ``peer`` needs."""
    return tuple(witness.verifier_key() for witness in trusted_witnesses(uow, peer))


def cosignatures_required(*, uow: UnitOfWork) -> int:
    """How many of those must have cosigned a peer's checkpoint (the setting)."""
    return peer_settings(uow).cosignatures_required


def keep_fork(database: Database, error: CheckpointFork) -> None:
    """Keep the evidence of ``error`` in a unit of work of its own (call it after the unit of
    work that found the fork was rolled back)."""
    with database.unit_of_work() as uow:
        _keep_fork(uow, error.evidence)


__all__ = [
    "AcceptedCheckpoint",
    "Agreement",
    "CheckpointFork",
    "FetchProof",
    "ForkEvidence",
    "PeerError",
    "PeerStatus",
    "ProofUnavailable",
    "TrustedPeer",
    "accept_checkpoint",
    "cosignatures_required",
    "http_fetch_proof",
    "keep_fork",
    "trusted_peer",
    "trusted_peer_at",
    "witness_keys_for",
]
