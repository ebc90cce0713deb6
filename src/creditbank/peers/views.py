"""Read models of the trust list: the administrators' list and detail (with the checkpoints
seen and the evidence of forks), and the bank's public trust list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.clock import today
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.peers import store
from creditbank.peers.checkpoints import peer_settings
from creditbank.peers.commands import ListForks, ListPeers, ShowPeer, ShowTrustList
from creditbank.peers.model import Fork, ForkEvidence, Peer, TrustedPeer
from creditbank.peers.tables import PeerCheckpointRow, PeerForkRow, PeerRow
from creditbank.usecases import handler

SHOWN_CHECKPOINTS = 20
SHOWN_FORKS = 100


@dataclass(frozen=True, slots=True)
class SeenCheckpoint:
    """A checkpoint of a peer's log this bank has seen."""

    size: int
    root_hash: bytes
    source: str
    seen_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class PeerDetail:
    """A peer with the newest checkpoints seen and the forks found in its log."""

    peer: Peer
    checkpoints: tuple[SeenCheckpoint, ...]
    forks: tuple[Fork, ...]


@dataclass(frozen=True, slots=True)
class TrustList:
    """What the bank publishes of its trust: its own log and witness, its peers in force."""

    origin: str
    log_key: str
    url: str
    witness_url: str
    witness_key: str
    on: date
    peers: tuple[TrustedPeer, ...]


def _forks(uow: UnitOfWork, *where: ColumnElement[bool]) -> tuple[Fork, ...]:
    rows = uow.session.execute(
        select(PeerForkRow, PeerRow.origin)
        .join(PeerRow, PeerRow.id == PeerForkRow.peer_id)
        .where(*where)
        .order_by(PeerForkRow.id.desc())
        .limit(SHOWN_FORKS)
    ).all()
    return tuple(
        Fork(row.id, ForkEvidence(origin, row.seen_note, row.new_note, row.reason), row.found_at)
        for row, origin in rows
    )


@handler
def list_peers(query: ListPeers, *, principal: Principal, uow: UnitOfWork) -> list[Peer]:
    require(principal, Action.READ_PEERS, None)
    return store.list_peers(uow=uow, status=query.status)


@handler
def show_peer(query: ShowPeer, *, principal: Principal, uow: UnitOfWork) -> PeerDetail:
    require(principal, Action.READ_PEERS, None)
    peer = store.get_peer(uow=uow, peer=query.peer)
    rows = uow.session.scalars(
        select(PeerCheckpointRow)
        .where(PeerCheckpointRow.peer_id == peer.peer.id)
        .order_by(PeerCheckpointRow.tree_size.desc())
        .limit(SHOWN_CHECKPOINTS)
    )
    checkpoints = tuple(
        SeenCheckpoint(row.tree_size, bytes(row.root_hash), row.source, row.seen_at, row.note)
        for row in rows
    )
    return PeerDetail(peer, checkpoints, _forks(uow, PeerForkRow.peer_id == peer.peer.id))


@handler
def list_forks(query: ListForks, *, principal: Principal, uow: UnitOfWork) -> tuple[Fork, ...]:  # noqa: ARG001
    require(principal, Action.READ_PEERS, None)
    return _forks(uow)


@handler
def show_trust_list(
    query: ShowTrustList,  # noqa: ARG001 - a query without fields
    *,
    principal: Principal | LearnerPrincipal | None,  # noqa: ARG001 - public
    uow: UnitOfWork,
) -> TrustList:
    """Public: whoever follows this bank learns whom it trusts and how to reach its witness."""
    settings = peer_settings(uow)
    on = today()
    peers = tuple(
        peer
        for peer in (store.trusted(row) for row in store.approved_rows(uow))
        if peer.agreement.in_force(on)
    )
    url = settings.public_url.rstrip("/")
    return TrustList(
        origin=ledger.log_origin(uow=uow),
        log_key=ledger.log_verifier_key(uow=uow),
        url=url,
        witness_url=f"{url}/witness",
        witness_key=settings.witness.verifier_key(),
        on=on,
        peers=peers,
    )
