"""Peer banks on both databases: the trust list's four eyes (logged, verified by ``log
verify``), accepting a peer's checkpoint (k cosignatures, consistent with all seen; forks and
too few cosignatures refused, naming why, storing nothing), and this bank's witness of its
peers' logs (tlog-witness: first checkpoint, growth with a proof, 409 on a stale size, a fork
kept as evidence)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update

from creditbank.access.policy import Principal
from creditbank.bootstrap import ledger_readers
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import keys, notes
from creditbank.ledger.keys import Witness, load_log_keys
from creditbank.ledger.service import LOG_KEYS
from creditbank.ledger.verify import verify_log
from creditbank.ledger.witness import WitnessRefusal
from creditbank.ledger.witnessing import WITNESS_SOURCES, witnesses_to_ask
from creditbank.peers import api as peers
from creditbank.peers import checkpoints, trust, views
from creditbank.peers.commands import (
    AddPeer,
    ApprovePeer,
    ListPeers,
    RemovePeer,
    ShowPeer,
    ShowTrustList,
)
from creditbank.peers.tables import PeerCheckpointRow, PeerForkRow, PeerRow
from tests.peer_logs import PeerLog, add_command_fields, cosigned


@dataclass
class Admins:
    first: Principal
    second: Principal


def _admins(uow: UnitOfWork) -> Admins:
    for email in ("a1@bank.example", "a2@bank.example"):
        institutions.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
    return Admins(
        institutions.principal_for(uow=uow, email="a1@bank.example"),
        institutions.principal_for(uow=uow, email="a2@bank.example"),
    )


def _approved(uow: UnitOfWork, admins: Admins, log: PeerLog, **changes: object) -> int:
    added = trust.add_peer(
        AddPeer(**add_command_fields(log, **changes)),  # type: ignore[arg-type]
        principal=admins.first,
        uow=uow,
    )
    trust.approve_peer(ApprovePeer(str(added.peer.peer.id)), principal=admins.second, uow=uow)
    return added.peer.peer.id


def _own_witness(uow: UnitOfWork) -> notes.CosignatureSigner:
    return checkpoints.peer_settings(uow).witness


def _refused(code: str, run: object) -> peers.PeerError:
    with pytest.raises(peers.PeerError) as refused:
        run()  # type: ignore[operator]
    assert refused.value.code == code, refused.value.render()
    return refused.value


def test_four_eyes_add_approve_remove_each_logged(database: Database) -> None:
    log = PeerLog("bank-a.example/log").grow(3)
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        added = trust.add_peer(
            AddPeer(**add_command_fields(log)),  # type: ignore[arg-type]
            principal=admins.first,
            uow=uow,
        )
        peer_id = str(added.peer.peer.id)
        assert added.peer.peer.status is peers.PeerStatus.PROPOSED
        assert added.receipt.kind.value == "peer.proposed"
        refusal = _refused(
            "peer_four_eyes",
            lambda: trust.approve_peer(ApprovePeer(peer_id), principal=admins.first, uow=uow),
        )
        assert "four eyes" in refusal.render()
        _refused("unknown_peer", lambda: peers.trusted_peer(uow=uow, origin=log.origin))
        approved = trust.approve_peer(ApprovePeer(peer_id), principal=admins.second, uow=uow)
        assert approved.peer.peer.status is peers.PeerStatus.APPROVED
        assert approved.receipt.kind.value == "peer.approved"
        _refused(
            "peer_status_conflict",
            lambda: trust.approve_peer(ApprovePeer(peer_id), principal=admins.second, uow=uow),
        )
        trusted = peers.trusted_peer(uow=uow, origin=log.origin, on=date(2026, 12, 7))
        assert trusted.log_key == log.verifier_key
        assert trusted.agreement.recognises(framework="CQF", item_kind="course", institution="SHOU")
        assert not trusted.agreement.recognises(
            framework="CQF", item_kind="qualification", institution="SHOU"
        )
        _refused(
            "invalid_peer",
            lambda: trust.remove_peer(RemovePeer(peer_id, " "), principal=admins.first, uow=uow),
        )
        removed = trust.remove_peer(
            RemovePeer(log.origin, "its key leaked"), principal=admins.first, uow=uow
        )
        assert removed.receipt.kind.value == "peer.removed"
        assert [e.kind.value for e in removed.peer.events] == ["proposed", "approved", "removed"]
        assert removed.peer.events[-1].reason == "its key leaked"
        _refused("unknown_peer", lambda: peers.trusted_peer(uow=uow, origin=log.origin))
        # the origin may be proposed again once removed
        again = trust.add_peer(
            AddPeer(**add_command_fields(log)),  # type: ignore[arg-type]
            principal=admins.second,
            uow=uow,
        )
        assert again.peer.peer.id != added.peer.peer.id
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        assert report.ok, [p.render() for p in report.problems]
        assert report.facts_checked >= 4


def test_log_verify_finds_a_peer_changed_after_the_fact(database: Database) -> None:
    log = PeerLog("bank-b.example/log")
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        peer_id = _approved(uow, admins, log)
        uow.session.execute(
            update(PeerRow).where(PeerRow.id == peer_id).values(institutions="SHOU,FAKE")
        )
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        assert not report.ok
        assert any("peer" in p.render() for p in report.problems), report.problems


def test_a_peer_is_refused_with_every_problem_named(database: Database) -> None:
    log = PeerLog("bank-c.example/log")
    other = PeerLog("bank-d.example/log")
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        fields = add_command_fields(
            log,
            log_key=other.verifier_key,  # named after another origin
            witness_key=log.verifier_key,  # a log key, not a cosignature key
            did="web:bank-c",
            url="ftp://bank-c.example",
            item_kinds=("course", "spaceship"),
            valid_until=date(2025, 1, 1),
        )
        refusal = _refused(
            "invalid_peer",
            lambda: trust.add_peer(AddPeer(**fields), principal=admins.first, uow=uow),  # type: ignore[arg-type]
        )
        text = refusal.render()
        for words in ("log key is named", "witness key", "DID", "http(s) URL", "spaceship", "ends"):
            assert words in text, text
        assert views.list_peers(ListPeers(), principal=admins.first, uow=uow) == []


def test_accepting_needs_k_cosignatures_of_trusted_witnesses(database: Database) -> None:
    log = PeerLog("bank-e.example/log").grow(5)
    third = PeerLog("bank-f.example/log")
    stranger = PeerLog("stranger.example/log")
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, log)
        _approved(uow, admins, third)
        own = _own_witness(uow)
        bare = log.note()
        refusal = _refused(
            "too_few_cosignatures",
            lambda: peers.accept_checkpoint(uow=uow, origin=log.origin, note=bare),
        )
        assert "carries 0 valid cosignatures" in refusal.render()
        assert "needs 1" in refusal.render()
        # the peer's own witness and a stranger's vouch for nothing
        self_cosigned = cosigned(bare, log.witness, stranger.witness)
        _refused(
            "too_few_cosignatures",
            lambda: peers.accept_checkpoint(uow=uow, origin=log.origin, note=self_cosigned),
        )
        two = cosigned(bare, own, third.witness)
        refusal = _refused(
            "too_few_cosignatures",
            lambda: peers.accept_checkpoint(uow=uow, origin=log.origin, note=two, required=3),
        )
        assert "carries 2 valid cosignatures" in refusal.render()
        assert uow.session.scalar(select(func.count(PeerCheckpointRow.id))) == 0
        accepted = peers.accept_checkpoint(uow=uow, origin=log.origin, note=two, required=2)
        assert (accepted.size, accepted.root_hash, accepted.cosignatures) == (5, log.root(5), 2)
        # a note not signed by the peer's log key, or of an unknown origin
        forged = cosigned(notes.sign(log.checkpoint().body(), [stranger.signer]), own)
        _refused(
            "invalid_checkpoint",
            lambda: peers.accept_checkpoint(uow=uow, origin=log.origin, note=forged),
        )
        _refused(
            "unknown_peer",
            lambda: peers.accept_checkpoint(
                uow=uow, origin=stranger.origin, note=cosigned(stranger.note(), own)
            ),
        )


def test_accepting_checks_consistency_with_every_checkpoint_seen(database: Database) -> None:
    log = PeerLog("bank-g.example/log").grow(4)
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, log)
        own = _own_witness(uow)
        fetch = log.fetcher()

        def accept(size: int) -> peers.AcceptedCheckpoint:
            note = cosigned(log.note(size), own)
            return peers.accept_checkpoint(uow=uow, origin=log.origin, note=note, fetch_proof=fetch)

        accept(4)
        assert fetch.asked == []  # the first checkpoint: nothing to be consistent with
        log.grow(7)
        accept(11)
        assert fetch.asked == [(4, 11)]
        accept(7)  # an older one: between the two seen
        assert fetch.asked[1:] == [(4, 7), (7, 11)]
        accept(11)  # seen already: nothing fetched, nothing stored twice
        assert len(fetch.asked) == 3
        sizes = uow.session.scalars(
            select(PeerCheckpointRow.tree_size).order_by(PeerCheckpointRow.tree_size)
        )
        assert list(sizes) == [4, 7, 11]


def test_a_fork_is_refused_with_both_checkpoints_and_kept(database: Database) -> None:
    log = PeerLog("bank-h.example/log").grow(6)
    forked = log.forked(at=4).grow(1)  # 6 leaves, another history from leaf 4
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, log)
        own = _own_witness(uow)
        seen = cosigned(log.note(6), own)
        peers.accept_checkpoint(uow=uow, origin=log.origin, note=seen, fetch_proof=log.fetcher())
    # the same size with another root
    other = cosigned(forked.note(6), own)
    with pytest.raises(peers.CheckpointFork) as same_size, database.unit_of_work() as uow:
        peers.accept_checkpoint(
            uow=uow, origin=log.origin, note=other, fetch_proof=forked.fetcher()
        )
    assert same_size.value.code == "checkpoint_fork"
    assert same_size.value.evidence.seen == seen
    assert same_size.value.evidence.new == other
    assert same_size.value.extensions == {"seen_checkpoint": seen, "new_checkpoint": other}
    assert "different roots" in same_size.value.render()
    # a larger tree whose proof (from the forked log) does not connect
    forked.grow(3)
    larger = cosigned(forked.note(9), own)
    with pytest.raises(peers.CheckpointFork) as no_proof, database.unit_of_work() as uow:
        peers.accept_checkpoint(
            uow=uow, origin=log.origin, note=larger, fetch_proof=forked.fetcher()
        )
    assert "does not grow into tree 9" in no_proof.value.render()

    def unavailable(_peer: object, first: int, second: int) -> list[bytes]:
        raise peers.ProofUnavailable(f"no proof {first}-{second}")

    with pytest.raises(peers.CheckpointFork) as missing, database.unit_of_work() as uow:
        peers.accept_checkpoint(uow=uow, origin=log.origin, note=larger, fetch_proof=unavailable)
    assert "no consistency proof from tree 6 to tree 9" in missing.value.render()
    peers.keep_fork(database, same_size.value)
    peers.keep_fork(database, same_size.value)  # the same evidence is kept once
    peers.keep_fork(database, no_proof.value)
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(PeerForkRow.id))) == 2
        assert uow.session.scalar(select(func.count(PeerCheckpointRow.id))) == 1
        detail = views.show_peer(ShowPeer(log.origin), principal=admins.first, uow=uow)
        assert {fork.evidence.new for fork in detail.forks} == {other, larger}
        assert detail.peer.forks == 2


def _request(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + note).encode()


def test_the_witness_cosigns_peers_logs_append_only(database: Database) -> None:
    log = PeerLog("bank-i.example/log").grow(3)
    stranger = PeerLog("stranger.example/log").grow(1)
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, log)
        own = _own_witness(uow)

    def witness(body: bytes) -> bytes:
        with database.unit_of_work() as uow:
            return checkpoints.witness_checkpoint(uow=uow, request_body=body)

    line = witness(_request(0, [], log.note(3))).decode()
    assert notes.verify_cosignature(log.checkpoint(3), line, own.verifier()) > 0
    log.grow(5)
    with pytest.raises(WitnessRefusal) as stale:
        witness(_request(0, [], log.note(8)))
    assert (stale.value.status, stale.value.known_size) == (409, 3)
    line = witness(_request(3, log.proof(3, 8), log.note(8))).decode()
    notes.verify_cosignature(log.checkpoint(8), line, own.verifier())
    with pytest.raises(WitnessRefusal) as unknown:
        witness(_request(0, [], stranger.note()))
    assert unknown.value.status == 404
    forged = notes.sign(log.checkpoint(8).body(), [stranger.signer])
    with pytest.raises(WitnessRefusal) as unsigned:
        witness(_request(8, [], forged))
    assert unsigned.value.status == 403
    forked = log.forked(at=5).grow(3)
    with pytest.raises(peers.CheckpointFork) as fork:
        witness(_request(8, [], forked.note(8)))
    assert "different roots" in fork.value.render()
    with pytest.raises(peers.CheckpointFork):
        witness(_request(8, forked.proof(8, 9), forked.note(9)))
    with database.unit_of_work() as uow:
        sizes = list(
            uow.session.scalars(
                select(PeerCheckpointRow.tree_size).order_by(PeerCheckpointRow.tree_size)
            )
        )
    assert sizes == [3, 8]


def test_the_trust_list_names_the_peers_in_force(database: Database) -> None:
    now = PeerLog("bank-j.example/log")
    ended = PeerLog("bank-k.example/log")
    proposed = PeerLog("bank-l.example/log")
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, now)
        _approved(uow, admins, ended, valid_from="2020-01-01", valid_until="2021-01-01")
        trust.add_peer(
            AddPeer(**add_command_fields(proposed)),  # type: ignore[arg-type]
            principal=admins.first,
            uow=uow,
        )
        listed = views.show_trust_list(ShowTrustList(), principal=None, uow=uow)
        assert [p.origin for p in listed.peers] == [now.origin]
        assert listed.witness_key == _own_witness(uow).verifier_key()
        assert listed.witness_url.endswith("/witness")
        _refused("unknown_peer", lambda: peers.trusted_peer(uow=uow, origin=ended.origin))


def test_the_bank_asks_its_approved_peers_witnesses_each_once(database: Database) -> None:
    """Besides the configured witnesses, the bank asks the witness of each approved peer in force
    to cosign its checkpoints (wired as a witness source); a key configured too is asked once, a
    removed peer's witness no more."""
    first, second = PeerLog("peer-w1.example/log"), PeerLog("peer-w2.example/log")
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        _approved(uow, admins, first)
        _approved(uow, admins, second)
        fields = add_command_fields(first)
        configured = Witness(verifier_key=str(fields["witness_key"]), url="https://elsewhere/w")
        uow.session.info[LOG_KEYS] = load_log_keys(
            origin=keys.DEVELOPMENT_ORIGIN, private_key=None, witnesses=(configured,)
        )
        uow.session.info[WITNESS_SOURCES] = (checkpoints.peer_witnesses,)
        asked = witnesses_to_ask(uow)
        second_fields = add_command_fields(second)
        assert [(w.verifier_key, w.url) for w in asked] == [
            (configured.verifier_key, "https://elsewhere/w"),  # configured first, once
            (second_fields["witness_key"], second_fields["witness_url"]),
        ]
        trust.remove_peer(RemovePeer(second.origin, "left"), principal=admins.first, uow=uow)
        assert [w.verifier_key for w in witnesses_to_ask(uow)] == [configured.verifier_key]
