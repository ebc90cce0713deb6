"""Parallel deposits of one record (``POST /api/v1/outcomes`` with the same ``record_id``): the
same facts answer 201 once and 200 (the same outcome) for the others, other facts a 409
``record-conflict``; never a 500, one outcome stored and one deposit in the log, on SQLite
and PostgreSQL, over two server processes."""

from __future__ import annotations

from itertools import count
from typing import Any

from sqlalchemy import func, select

from creditbank.accounts.tables import OutcomeRow
from creditbank.ledger.tables import LogEntryRow
from tests import conversion_world
from tests.bulk_files import csv_bytes, row
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, losers_are_conflicts, race

_serial = count(1)


def account(world: World) -> str:
    with world.banks.live.database.unit_of_work() as uow:
        return conversion_world.learner(uow, 7000 + next(_serial))


def record(account_number: str, record_id: str, score: str = "85") -> dict[str, Any]:
    return {
        "institution": "SHVC",
        "account_number": account_number,
        "record_id": record_id,
        "item_code": "BIM-101",
        "level": "4",
        "score": score,
        "assessed_on": "2025-06-30",
        "setting": "formal",
    }


def stored(world: World, record_id: str) -> tuple[int, int]:
    """How many outcomes carry ``record_id``, and how many deposits of them the log holds."""
    with world.banks.live.database.unit_of_work() as uow:
        ids = list(
            uow.session.scalars(
                select(OutcomeRow.public_id).where(OutcomeRow.record_id == record_id)
            )
        )
        logged = uow.session.scalar(
            select(func.count()).where(
                LogEntryRow.kind == "outcome.deposited", LogEntryRow.record_id.in_(ids)
            )
        )
    return len(ids), logged or 0


def test_the_same_record_sent_in_parallel_is_stored_once(world: World) -> None:
    for round_ in range(ROUNDS):
        body = record(account(world), f"DEP-SAME-{round_}-{next(_serial)}")
        answers = race(
            "deposit (same facts)",
            world.banks,
            [Call(world.shvc, "POST", "/api/v1/outcomes", body) for _ in range(RACERS)],
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * (RACERS - 1) + [201], [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        assert stored(world, body["record_id"]) == (1, 1)


def test_other_facts_under_the_same_record_are_refused(world: World) -> None:
    for round_ in range(ROUNDS):
        number = account(world)
        record_id = f"DEP-OTHER-{round_}-{next(_serial)}"
        bodies = [record(number, record_id, score=("85", "60")[i % 2]) for i in range(RACERS)]
        answers = race(
            "deposit (other facts)",
            world.banks,
            [Call(world.shvc, "POST", "/api/v1/outcomes", body) for body in bodies],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        winner = next(i for i, a in enumerate(answers) if a.status_code == 201)
        for body, answer in zip(bodies, answers, strict=True):
            if body["score"] == bodies[winner]["score"]:
                assert answer.status_code in {200, 201}, answer.text
                assert answer.json()["id"] == answers[winner].json()["id"]
            else:
                assert answer.status_code == 409, answer.text
                assert answer.json()["type"] == "/problems/record-conflict"
                assert "was deposited with other facts" in answer.json()["detail"]
        assert stored(world, record_id) == (1, 1)


def test_parallel_uploads_of_one_batch_deposit_each_record_once(world: World) -> None:
    for _ in range(ROUNDS):
        first = next(_serial) * 10 + 17_000
        rows = [
            row(serial, item_code="BIM-101", credits="4", record_id=f"BATCH-{serial}")
            for serial in range(first, first + 5)
        ]
        content = csv_bytes(rows)
        answers = race(
            "deposit batch (same file)",
            world.banks,
            [
                Call(
                    world.shvc,
                    "POST",
                    "/api/v1/deposits/batches",
                    form={"institution": "SHVC"},
                    files={"file": ("batch.csv", content, "text/csv")},
                )
                for _ in range(RACERS)
            ],
        )
        made = [a.json() for a in answers if a.status_code == 201]
        assert [batch["deposited"] for batch in made].count(len(rows)) == 1, [
            a.text for a in answers
        ]
        for batch in made:  # the others came after it: the same records, unchanged
            assert batch["deposited"] in {0, len(rows)}, batch
        losers_are_conflicts(answers, "record-conflict", ok=201)
        for record_id in (r["record_id"] for r in rows):
            assert stored(world, record_id) == (1, 1)
