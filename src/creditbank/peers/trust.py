"""Handlers of the trust list: proposing, approving and removing a peer bank.

Bank administrators only. Adding takes four eyes: one administrator proposes, ANOTHER approves
(the store refuses the proposer), as conversion rules are approved, because trusting a peer
lets its records into this bank. Removing takes one administrator, with a reason: it only
ever makes the bank accept less, and a peer whose key leaked or whose log forked must be cut
off at once, not when a second administrator is at hand. Every step is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import Action, Principal, require
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger import notes
from creditbank.ledger.api import Receipt
from creditbank.messages import Message, msg
from creditbank.peers import store
from creditbank.peers.commands import AddPeer, ApprovePeer, RemovePeer
from creditbank.peers.model import (
    MAX_KEY,
    MAX_REASON,
    Peer,
    PeerError,
    PeerStatus,
    TrustedPeer,
    check_agreement,
    check_peer_fields,
)
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class PeerChange:
    """A peer after a step, and the step's receipt in the log."""

    peer: Peer
    receipt: Receipt


def _keys(command: AddPeer, problems: list[Message]) -> None:
    origin = command.origin.strip()
    try:
        if len(command.log_key) > MAX_KEY:
            raise notes.MalformedKeyError("too long")
        verifier = notes.Verifier.from_verifier_key(command.log_key.strip())
        if verifier.name != origin:
            problems.append(
                msg(
                    "the log key is named {name}, not after the peer's origin {origin}",
                    name=verifier.name,
                    origin=origin,
                )
            )
    except notes.NoteError:
        problems.append(msg("the log key must be a signed-note verifier key (name+hash+base64)"))
    try:
        if len(command.witness_key) > MAX_KEY:
            raise notes.MalformedKeyError("too long")
        notes.CosignatureVerifier.from_verifier_key(command.witness_key.strip())
    except notes.NoteError:
        problems.append(
            msg("the witness key must be a cosignature verifier key (name+hash+base64, type 4)")
        )


@handler
def add_peer(command: AddPeer, *, principal: Principal, uow: UnitOfWork) -> PeerChange:
    """Propose a peer bank; it is trusted once another administrator approves it."""
    require(principal, Action.MANAGE_PEERS, None)
    origin = command.origin.strip()
    problems = check_peer_fields(
        origin=origin,
        did=command.did.strip(),
        url=command.url.strip(),
        witness_url=command.witness_url.strip(),
        own_origin=ledger.log_origin(uow=uow),
    )
    _keys(command, problems)
    try:
        agreement = check_agreement(
            frameworks=command.frameworks,
            item_kinds=command.item_kinds,
            institutions=command.institutions,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            known_item_kinds=[kind.value for kind in catalog.ItemKind],
        )
    except PeerError as error:
        problems.extend(error.problems)
        agreement = None
    if problems or agreement is None:
        raise PeerError("invalid_peer", msg("the peer bank cannot be added"), problems)
    peer = TrustedPeer(
        id=0,
        origin=origin,
        log_key=command.log_key.strip(),
        did=command.did.strip(),
        url=command.url.strip().rstrip("/"),
        witness_url=command.witness_url.strip(),
        witness_key=command.witness_key.strip(),
        agreement=agreement,
        status=PeerStatus.PROPOSED,
    )
    added, receipt = store.add_peer(uow=uow, peer=peer, user_id=principal.user_id)
    return PeerChange(added, receipt)


@handler
def approve_peer(command: ApprovePeer, *, principal: Principal, uow: UnitOfWork) -> PeerChange:
    """Approve a proposed peer: another administrator than its proposer (four eyes)."""
    require(principal, Action.MANAGE_PEERS, None)
    peer, receipt = store.change_status(
        uow=uow,
        peer=command.peer,
        to=PeerStatus.APPROVED,
        allowed_from=(PeerStatus.PROPOSED,),
        user_id=principal.user_id,
        four_eyes=True,
    )
    return PeerChange(peer, receipt)


@handler
def remove_peer(command: RemovePeer, *, principal: Principal, uow: UnitOfWork) -> PeerChange:
    """Take a peer off the trust list (one administrator, with a reason): its checkpoints and
    records are no longer accepted from now on."""
    require(principal, Action.MANAGE_PEERS, None)
    reason = command.reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise PeerError(
            "invalid_peer",
            msg(
                "give the reason for removing the peer bank (at most {n} characters)", n=MAX_REASON
            ),
        )
    peer, receipt = store.change_status(
        uow=uow,
        peer=command.peer,
        to=PeerStatus.REMOVED,
        allowed_from=(PeerStatus.PROPOSED, PeerStatus.APPROVED),
        user_id=principal.user_id,
        reason=reason,
    )
    return PeerChange(peer, receipt)
