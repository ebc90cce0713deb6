"""Who may keep the trust list of peer banks (handlers of ``creditbank.peers``): bank
administrators propose, approve and remove peers; administrators and auditors read the list,
a peer and the evidence of forks. The public trust list and the witness are ``OPEN``; a test
here shows they answer with no principal at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.institutions.tables import UserRow
from creditbank.ledger.witness import WitnessRefusal
from creditbank.peers import store, trust, views, witnessing
from creditbank.peers.commands import (
    AcceptCheckpoint,
    AddPeer,
    ApprovePeer,
    ListForks,
    ListPeers,
    RemovePeer,
    ShowPeer,
    ShowTrustList,
    WitnessCheckpoint,
)
from creditbank.peers.model import Agreement, PeerStatus, TrustedPeer
from tests.access.matrix import BANK_WIDE, READERS, Door, let_through
from tests.peer_logs import PeerLog, add_command_fields

_LOG = PeerLog("door.example/log").grow(2)


def _proposed(uow: UnitOfWork) -> str:
    """A peer proposed by the bank's first user (so that the administrator tried may approve)."""
    user_id = uow.session.scalar(select(UserRow.id).order_by(UserRow.id).limit(1))
    assert user_id is not None
    fields = add_command_fields(_LOG)
    peer = TrustedPeer(
        id=0,
        origin=_LOG.origin,
        log_key=_LOG.verifier_key,
        did=str(fields["did"]),
        url=str(fields["url"]),
        witness_url=str(fields["witness_url"]),
        witness_key=str(fields["witness_key"]),
        agreement=Agreement(("CQF",), ("course",), ("SHOU",), fields["valid_from"]),  # type: ignore[arg-type]
        status=PeerStatus.PROPOSED,
    )
    added, _ = store.add_peer(uow=uow, peer=peer, user_id=user_id)
    return str(added.peer.id)


DOORS = [
    Door(
        "propose a peer",
        trust.add_peer,
        lambda _: AddPeer(**add_command_fields(PeerLog("new.example/log"))),  # type: ignore[arg-type]
        BANK_WIDE,
    ),
    Door("approve a peer", trust.approve_peer, lambda uow: ApprovePeer(_proposed(uow)), BANK_WIDE),
    Door(
        "remove a peer",
        trust.remove_peer,
        lambda uow: RemovePeer(_proposed(uow), "no longer a partner"),
        BANK_WIDE,
    ),
    Door("list the peers", views.list_peers, lambda _: ListPeers(), READERS),
    Door("show a peer", views.show_peer, lambda uow: ShowPeer(_proposed(uow)), READERS),
    Door("list the forks", views.list_forks, lambda _: ListForks(), READERS),
    Door(
        "check a peer's checkpoint",
        witnessing.accept_peer_checkpoint,
        lambda uow: AcceptCheckpoint(_proposed(uow), _LOG.note()),
        BANK_WIDE,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_the_trust_list_and_the_witness_answer_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        listed = views.show_trust_list(ShowTrustList(), principal=None, uow=uow)
        assert listed.peers == ()
        with pytest.raises(WitnessRefusal) as unknown:  # reached: the log is not a peer's
            witnessing.witness_checkpoint(
                WitnessCheckpoint(b"old 0\n\n" + _LOG.note().encode()), principal=None, uow=uow
            )
        assert unknown.value.status == 404
        uow.session.rollback()
