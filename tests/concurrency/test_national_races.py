"""Races on the national platform: the same batch, and batches that overlap, sent at once from
real threads to two server processes on one database: every sender is answered 201, each
reference is held once, and the references the answers call new add up to the distinct ones.
And parallel approvals of joining one alliance: one joins (logged once), the others 409. On
SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
from itertools import count
from typing import Any

from sqlalchemy import func, select

from creditbank.ledger import notes
from creditbank.ledger.tables import LogEntryRow
from creditbank.national.model import make_batch, signed_text
from creditbank.national.tables import NationalReferenceRow
from tests.concurrency.conftest import (
    RACERS,
    ROUNDS,
    Call,
    World,
    losers_are_conflicts,
    race,
)
from tests.peer_logs import PeerLog, peer_fields

_serial = count(1)


def trusted_peer(world: World) -> PeerLog:
    """A new regional bank, proposed by one administrator and approved by the other."""
    log = PeerLog(f"regional-{next(_serial)}.example/log")
    with world.banks.client(world.admin1) as client:
        answer = client.post("/api/v1/peers", json=peer_fields(log))
        assert answer.status_code == 201, answer.text
        peer_id = answer.json()["id"]
    with world.banks.client(world.admin2) as client:
        answer = client.post(f"/api/v1/peers/{peer_id}/approve")
        assert answer.status_code == 200, answer.text
    return log


def batch(log: PeerLog, leaves: range, tag: str) -> dict[str, Any]:
    references = [
        {
            "origin": log.origin,
            "leaf_index": n,
            "leaf_hash": base64.b64encode(
                hashlib.sha256(f"{log.origin} {n}".encode()).digest()
            ).decode(),
            "item": {"owner": "SHOU", "code": "SH-101", "kind": "course"},
            "level": {"framework": "CQF", "version": 1, "code": "4"},
            "credits": "3.0",
            "year": 2025,
        }
        for n in leaves
    ]
    made: dict[str, Any] = {
        **make_batch(sender=log.origin, sent_at=f"2026-12-07T09:{tag}Z", references=[]),
        "references": references,
    }
    made["signature"] = notes.sign(signed_text(made), [log.signer])
    return made


def held(world: World, origin: str) -> int:
    with world.banks.live.database.unit_of_work() as uow:
        return int(
            uow.session.scalar(
                select(func.count(NationalReferenceRow.id)).where(
                    NationalReferenceRow.origin == origin
                )
            )
            or 0
        )


def test_the_same_batch_at_once_is_held_once(world: World) -> None:
    for round_ in range(ROUNDS):
        log = trusted_peer(world)
        body = batch(log, range(20), f"{round_:02d}:00")
        answers = race(
            "national batch",
            world.banks,
            [Call(None, "POST", "/api/v1/national/batches", body) for _ in range(RACERS)],
        )
        assert [a.status_code for a in answers] == [201] * RACERS, [a.text for a in answers]
        assert sum(a.json()["new_references"] for a in answers) == 20
        assert held(world, log.origin) == 20


def test_overlapping_batches_at_once_count_each_reference_once(world: World) -> None:
    for round_ in range(ROUNDS):
        log = trusted_peer(world)
        first = batch(log, range(15), f"{round_:02d}:01")
        second = batch(log, range(10, 30), f"{round_:02d}:02")
        calls = [
            Call(None, "POST", "/api/v1/national/batches", first if i % 2 else second)
            for i in range(RACERS)
        ]
        answers = race("national overlapping batches", world.banks, calls)
        assert [a.status_code for a in answers] == [201] * RACERS, [a.text for a in answers]
        assert sum(a.json()["new_references"] for a in answers) == 30
        assert held(world, log.origin) == 30
        assert json.loads(answers[0].text)["sender_kind"] == "bank"


def test_parallel_approvals_join_an_alliance_once(world: World) -> None:
    for round_ in range(ROUNDS):
        with world.banks.client(world.admin1) as client:
            proposed = client.post(
                "/api/v1/alliances",
                json={
                    "code": f"RACE-{next(_serial)}-{round_}",
                    "name": "联盟",
                    "members": ["bank-a.example/log"],
                    "frameworks": ["CQF"],
                    "valid_from": "2026-01-01",
                },
            )
            assert proposed.status_code == 201, proposed.text
        alliance = proposed.json()["id"]
        answers = race(
            "alliance approve",
            world.banks,
            [
                Call(world.admin2, "POST", f"/api/v1/alliances/{alliance}/approve")
                for _ in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "alliance-status-conflict")
        with world.banks.live.database.unit_of_work() as uow:
            logged = uow.session.scalars(
                select(LogEntryRow.kind).where(LogEntryRow.record_id == f"alliance-{alliance}")
            ).all()
        assert logged == ["alliance.joined"]
