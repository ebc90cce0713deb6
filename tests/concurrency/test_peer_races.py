"""Races on the trust list of peer banks: parallel approvals of one proposed peer (by the
administrator who did not propose it), and approvals against removals, give one success and
409 ``peer-status-conflict`` problems; the peer's history holds one event of the winner's kind
and the log one entry of it, on SQLite and PostgreSQL, over two server processes."""

from __future__ import annotations

from itertools import count

from sqlalchemy import select

from creditbank.ledger.tables import LogEntryRow
from creditbank.peers.tables import PeerEventRow, PeerRow
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, losers_are_conflicts, race
from tests.peer_logs import PeerLog, peer_fields

_serial = count(1)


def proposed(world: World) -> int:
    """A new peer proposed by the first administrator: its id."""
    log = PeerLog(f"race-{next(_serial)}.example/log")
    with world.banks.client(world.admin1) as client:
        answer = client.post("/api/v1/peers", json=peer_fields(log))
    assert answer.status_code == 201, answer.text
    peer_id: int = answer.json()["id"]
    return peer_id


def history(world: World, peer_id: int) -> tuple[list[str], int]:
    """The peer's events, and how many log entries it has."""
    with world.banks.live.database.unit_of_work() as uow:
        events = list(
            uow.session.scalars(
                select(PeerEventRow.kind)
                .where(PeerEventRow.peer_id == peer_id)
                .order_by(PeerEventRow.id)
            )
        )
        public_id = uow.session.scalar(select(PeerRow.public_id).where(PeerRow.id == peer_id))
        entries = len(
            uow.session.scalars(
                select(LogEntryRow.id).where(LogEntryRow.record_id == public_id)
            ).all()
        )
    return events, entries


def test_parallel_approvals_approve_once_and_log_once(world: World) -> None:
    for _ in range(ROUNDS):
        peer_id = proposed(world)
        answers = race(
            "peer approve",
            world.banks,
            [Call(world.admin2, "POST", f"/api/v1/peers/{peer_id}/approve") for _ in range(RACERS)],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "peer-status-conflict")
        assert history(world, peer_id) == (["proposed", "approved"], 2)
        winner = next(a for a in answers if a.status_code == 200).json()
        assert winner["receipt"]["kind"] == "peer.approved"


def test_approval_against_removal_has_one_winner(world: World) -> None:
    for round_ in range(ROUNDS):
        peer_id = proposed(world)
        calls = [
            Call(world.admin2, "POST", f"/api/v1/peers/{peer_id}/approve")
            if i % 2
            else Call(
                world.admin1, "POST", f"/api/v1/peers/{peer_id}/remove", {"reason": f"r{round_}"}
            )
            for i in range(RACERS)
        ]
        answers = race("peer approve vs remove", world.banks, calls)
        won = [i for i, a in enumerate(answers) if a.status_code == 200]
        # a removal may follow a won approval (approved peers may be removed): at most one of each
        statuses = [answers[i].json()["status"] for i in won]
        assert statuses.count("approved") <= 1, statuses
        assert statuses.count("removed") == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "peer-status-conflict")
        events, entries = history(world, peer_id)
        assert events in (["proposed", "removed"], ["proposed", "approved", "removed"]), events
        assert entries == len(events)
