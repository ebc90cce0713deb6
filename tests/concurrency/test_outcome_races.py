"""Races on an outcome's lifecycle: parallel verifications, revocations and corrections of one
outcome give one success and 409 problems, and the outcome's history holds one event of the
winner's kind, on SQLite and PostgreSQL, over two server processes."""

from __future__ import annotations

from itertools import count

from sqlalchemy import func, select

from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from tests import conversion_world
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, losers_are_conflicts, race

_serial = count(1)


def outcome(world: World) -> str:
    """A new learner's new BIM-101 outcome: its public id."""
    serial = next(_serial)
    with world.banks.live.database.unit_of_work() as uow:
        account = conversion_world.learner(uow, 5000 + serial)
        return conversion_world.deposit(
            uow, account, institution="SHVC", item="BIM-101", level="4", record=f"OR-{serial}"
        )


def events(world: World, public_id: str) -> list[str]:
    with world.banks.live.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(OutcomeEventRow.kind)
                .join(OutcomeRow, OutcomeRow.id == OutcomeEventRow.outcome_id)
                .where(OutcomeRow.public_id == public_id)
            )
        )


def test_parallel_verifications_record_one(world: World) -> None:
    for _ in range(ROUNDS):
        public_id = outcome(world)
        tokens = (world.admin1, world.admin2)
        answers = race(
            "outcome verify",
            world.banks,
            [
                Call(tokens[i % 2], "POST", f"/api/v1/outcomes/{public_id}/verification")
                for i in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "outcome-status-conflict")
        assert events(world, public_id) == ["verified"]


def test_parallel_revocations_record_one(world: World) -> None:
    for round_ in range(ROUNDS):
        public_id = outcome(world)
        answers = race(
            "outcome revoke",
            world.banks,
            [
                Call(
                    world.shvc,
                    "POST",
                    f"/api/v1/outcomes/{public_id}/revocation",
                    {"reason": f"forged ({round_}.{i})"},
                )
                for i in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "outcome-status-conflict")
        assert events(world, public_id) == ["revoked"]
        winner = next(a for a in answers if a.status_code == 200).json()
        assert [e["reason"] for e in winner["history"]] == [winner["history"][0]["reason"]]


def correction(record_id: str) -> dict[str, object]:
    return {
        "record_id": record_id,
        "item_code": "BIM-101",
        "level": "4",
        "score": "90",
        "assessed_on": "2025-06-30",
        "setting": "formal",
        "reason": "score mistyped",
    }


def test_parallel_corrections_with_different_records_make_one_replacement(world: World) -> None:
    for _ in range(ROUNDS):
        public_id = outcome(world)
        records = [f"{public_id}-fix-{i}" for i in range(RACERS)]
        answers = race(
            "outcome supersede (different corrections)",
            world.banks,
            [
                Call(world.shvc, "POST", f"/api/v1/outcomes/{public_id}/supersession", body)
                for body in map(correction, records)
            ],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "outcome-status-conflict", ok=201)
        assert events(world, public_id) == ["superseded"]
        with world.banks.live.database.unit_of_work() as uow:
            made = uow.session.scalar(select(func.count()).where(OutcomeRow.record_id.in_(records)))
        assert made == 1  # the losers' corrections left no outcome behind


def test_the_same_correction_sent_in_parallel_is_made_once(world: World) -> None:
    for _ in range(ROUNDS):
        public_id = outcome(world)
        body = correction(f"{public_id}-fix")
        answers = race(
            "outcome supersede (same correction)",
            world.banks,
            [
                Call(world.shvc, "POST", f"/api/v1/outcomes/{public_id}/supersession", body)
                for _ in range(RACERS)
            ],
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * (RACERS - 1) + [201], [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1  # all answer the one replacement
        assert events(world, public_id) == ["superseded"]


def test_revocation_against_correction_has_one_winner(world: World) -> None:
    for round_ in range(ROUNDS):
        public_id = outcome(world)
        calls = [
            Call(world.shvc, "POST", f"/api/v1/outcomes/{public_id}/revocation", {"reason": "x"})
            if i % 2
            else Call(
                world.shvc,
                "POST",
                f"/api/v1/outcomes/{public_id}/supersession",
                correction(f"{public_id}-r{round_}-{i}"),
            )
            for i in range(RACERS)
        ]
        answers = race("outcome revoke vs supersede", world.banks, calls)
        won = [a for a in answers if a.status_code in {200, 201}]
        assert len(won) == 1, [a.text for a in answers]
        for answer in answers:
            if answer not in won:
                assert answer.status_code == 409, answer.text
                assert answer.json()["type"] == "/problems/outcome-status-conflict"
        kind = "revoked" if won[0].status_code == 200 else "superseded"
        assert events(world, public_id) == [kind]
