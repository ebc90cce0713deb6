"""Races on 1+X assessment sessions, on SQLite and PostgreSQL, over two server processes:
parallel registrations of one learner for one session make one registration (201) and 409
``session-conflict`` problems, never a 500 from the (session, learner) unique index."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from creditbank import clock
from creditbank.xcerts.tables import RegistrationRow, ResultRow
from tests import xcerts_world
from tests.concurrency.conftest import RACERS, ROUNDS, Banks, Call, losers_are_conflicts, race

_serial = count(15_000)


@pytest.fixture(scope="session")
def centre(banks: Banks) -> str:
    """The 1+X world of ``tests/xcerts_world.py`` (its bank-wide users renamed: other worlds
    of the suite's shared bank have an ``admin@bank.example``); the centre registrar's token."""
    with pytest.MonkeyPatch.context() as patch, banks.live.database.unit_of_work() as uow:
        patch.setattr(xcerts_world, "ADMIN", "xcerts.admin@bank.example")
        patch.setattr(xcerts_world, "AUDITOR", "xcerts.audit@bank.example")
        xcerts_world.build(uow, banks.live.cipher)
    return banks.token(xcerts_world.CENTRE_REGISTRAR)


def test_parallel_registrations_of_one_learner_make_one(banks: Banks, centre: str) -> None:
    for round_ in range(ROUNDS):
        with banks.client(centre) as client:  # one session of a level a day: a day per round
            scheduled = client.post(
                "/api/v1/xcerts/BIM/sessions",
                json={
                    "centre": xcerts_world.CENTRE,
                    "level": "beginner",
                    "held_on": (clock.today() - timedelta(days=10 + round_)).isoformat(),
                },
            )
        assert scheduled.status_code == 201, scheduled.text
        session_id = scheduled.json()["id"]
        with banks.live.database.unit_of_work() as uow:
            person = xcerts_world.learner(uow, banks.live.cipher, next(_serial))
        answers = race(
            "xcert candidate registration",
            banks,
            [
                Call(
                    centre,
                    "POST",
                    f"/api/v1/sessions/{session_id}/candidates",
                    {"account_number": person.account, "fee_exempt": i % 2 == 0},
                )
                for i in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "session-conflict", ok=201)
        with banks.live.database.unit_of_work() as uow:
            registered = uow.session.scalar(
                select(func.count()).where(RegistrationRow.session_id == session_id)
            )
        assert registered == 1


def results_file(people: list[xcerts_world.Person]) -> bytes:
    lines = ["id_number,name,theory,practice"]
    lines += [
        f"{person.id_number},{person.name},{70 + i},{50 + 10 * i}"
        for i, person in enumerate(people)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_parallel_uploads_of_one_results_file_record_it_once(banks: Banks, centre: str) -> None:
    provider = banks.token(xcerts_world.PROVIDER_REGISTRAR)
    for round_ in range(ROUNDS):
        with banks.client(centre) as client:
            scheduled = client.post(
                "/api/v1/xcerts/BIM/sessions",
                json={
                    "centre": xcerts_world.CENTRE,
                    "level": "intermediate",
                    "held_on": (clock.today() - timedelta(days=10 + round_)).isoformat(),
                },
            )
            assert scheduled.status_code == 201, scheduled.text
            session_id = scheduled.json()["id"]
            with banks.live.database.unit_of_work() as uow:
                people = [
                    xcerts_world.learner(uow, banks.live.cipher, next(_serial)) for _ in range(3)
                ]
            for person in people:
                made = client.post(
                    f"/api/v1/sessions/{session_id}/candidates",
                    json={"account_number": person.account},
                )
                assert made.status_code == 201, made.text
        content = results_file(people)
        answers = race(
            "xcert results upload",
            banks,
            [
                Call(
                    provider,
                    "POST",
                    f"/api/v1/sessions/{session_id}/results",
                    form={"assessor": xcerts_world.ASSESSOR},
                    files={"file": ("results.csv", content, "text/csv")},
                )
                for _ in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        for answer in answers:  # refused whole: recorded meanwhile (409) or already (422)
            if answer.status_code != 201:
                assert answer.status_code in {409, 422}, answer.text
                assert answer.json()["type"] in {
                    "/problems/session-conflict",
                    "/problems/results-rejected",
                }, answer.text
        with banks.live.database.unit_of_work() as uow:
            recorded = uow.session.scalar(
                select(func.count())
                .select_from(ResultRow)
                .join(RegistrationRow, RegistrationRow.id == ResultRow.registration_id)
                .where(RegistrationRow.session_id == session_id)
            )
        assert recorded == len(people)
