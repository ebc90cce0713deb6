"""Handlers of following peers' logs: this bank's witness (``POST /witness/add-checkpoint``)
and an administrator's check of a peer's checkpoint.

The witness is public, as a witness is: the request itself is the proof (a checkpoint signed
by a trusted peer's log key and a consistency proof); nothing personal is read or written.
"""

from __future__ import annotations

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.db import UnitOfWork
from creditbank.peers import checkpoints, store
from creditbank.peers.checkpoints import FetchProof
from creditbank.peers.commands import AcceptCheckpoint, WitnessCheckpoint
from creditbank.peers.model import AcceptedCheckpoint
from creditbank.usecases import handler


@handler
def witness_checkpoint(
    command: WitnessCheckpoint,
    *,
    principal: Principal | LearnerPrincipal | None,  # noqa: ARG001 - public
    uow: UnitOfWork,
) -> bytes:
    """Cosign a peer's checkpoint that grows append-only from the largest one seen: the
    witness's ``cosignature/v1`` line (a refusal: ``WitnessRefusal`` or ``CheckpointFork``)."""
    return checkpoints.witness_checkpoint(uow=uow, request_body=command.body)


@handler
def accept_peer_checkpoint(
    command: AcceptCheckpoint,
    *,
    principal: Principal,
    uow: UnitOfWork,
    fetch_proof: FetchProof | None = None,
) -> AcceptedCheckpoint:
    """Accept a peer's cosigned checkpoint (bank administrators): refused, naming why, when it
    has too few cosignatures or forks the peer's log (the evidence is kept)."""
    require(principal, Action.MANAGE_PEERS, None)
    origin = store.peer_row(uow, command.peer).origin
    return checkpoints.accept_checkpoint(
        uow=uow, origin=origin, note=command.note, fetch_proof=fetch_proof
    )
