"""Races on an accreditation application's steps, on SQLite and PostgreSQL, over two server
processes: parallel applications of one learner for one unit, decisions, confirmations (and returns), additions of evidence and appeals
of one application give one success and 409 ``application-status-conflict`` (or
``appeal-used``) problems, and its history holds one event of the step; a confirmed
accreditation deposits one outcome. Steps that may be repeated (assigning, recording marks)
stay consistent: one event and one row per success, the last one in force."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.accreditation.tables import ApplicationEventRow, ApplicationRow, MarkRow
from creditbank.ledger.tables import LogEntryRow
from tests import accreditation_world as acc
from tests.concurrency.conftest import RACERS, ROUNDS, Banks, Call, losers_are_conflicts, race

_serial = count(300)
PASSING = {"portfolio": 80, "interview": 70}
FAILING = {"portfolio": 40, "interview": 40}


@dataclass(frozen=True)
class Centre:
    banks: Banks
    world: acc.World
    tokens: dict[str, str]

    def steps(self, application: str) -> list[str]:
        """The steps recorded on ``application``, in order."""
        with self.banks.live.database.unit_of_work() as uow:
            return list(
                uow.session.scalars(
                    select(ApplicationEventRow.step)
                    .join(ApplicationRow, ApplicationRow.id == ApplicationEventRow.application_id)
                    .where(ApplicationRow.public_id == application)
                    .order_by(ApplicationEventRow.id)
                )
            )

    def take(self, who: str, application: str, step: str, body: dict[str, Any]) -> Any:
        """One step, unraced (setting up a round)."""
        with self.banks.client(self.tokens[who]) as client:
            answer = client.post(f"/api/v1/accreditations/{application}/{step}", json=body)
        assert answer.status_code in {200, 201}, answer.text
        return answer.json()

    def evidence(self) -> list[dict[str, str]]:
        with self.banks.live.database.unit_of_work() as uow:
            return [{"sha256": acc.upload(uow, next(_serial)), "name": "工作证明"}]

    def learner(self) -> str:
        with self.banks.live.database.unit_of_work() as uow:
            return acc.learner(uow, self.world.cipher, next(_serial), consent=True)

    def application(self, account: str) -> dict[str, Any]:
        return {
            "account_number": account,
            "centre": acc.CENTRE,
            "standard": acc.STANDARD,
            "unit": acc.UNIT,
            "setting": "informal",
            "statement": "在地铁站做了三年站务员，负责客运服务与投诉处理。",
            "evidence": self.evidence(),
        }

    def apply(self) -> str:
        with self.banks.client(self.tokens[acc.REGISTRAR]) as client:
            filed = client.post("/api/v1/accreditations", json=self.application(self.learner()))
        assert filed.status_code == 201, filed.text
        return str(filed.json()["id"])

    def assigned(self) -> str:
        application = self.apply()
        self.take(acc.OFFICER_1, application, "assign", {"assessor": acc.ASSESSOR_A})
        return application

    def decided(self, marks: dict[str, int], decision: str) -> str:
        application = self.assigned()
        self.take(acc.ASSESSOR_A, application, "scores", {"marks": marks})
        self.take(acc.ASSESSOR_A, application, "decide", {"decision": decision})
        return application


@pytest.fixture(scope="session")
def centre(banks: Banks) -> Centre:
    with banks.live.database.unit_of_work() as uow:
        world = acc.build(uow, banks.live.cipher)
    return Centre(banks, world, {email: banks.token(email) for email in world.users})


def officers(centre: Centre) -> list[str]:
    return [centre.tokens[(acc.OFFICER_1, acc.OFFICER_2)[i % 2]] for i in range(RACERS)]


def won(answers: list[httpx2.Response]) -> list[int]:
    return [i for i, answer in enumerate(answers) if answer.status_code == 200]


def test_parallel_applications_for_one_unit_file_one(centre: Centre) -> None:
    for _ in range(ROUNDS):
        account = centre.learner()
        answers = race(
            "accreditation apply",
            centre.banks,
            [
                Call(
                    centre.tokens[acc.REGISTRAR],
                    "POST",
                    "/api/v1/accreditations",
                    centre.application(account),
                )
                for _ in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "application-status-conflict", ok=201)
        with centre.banks.live.database.unit_of_work() as uow:
            filed = uow.session.scalar(
                select(func.count())
                .select_from(ApplicationRow)
                .join(LearnerRow, LearnerRow.id == ApplicationRow.learner_id)
                .where(LearnerRow.account_number == account)
            )
        assert filed == 1


def test_parallel_decisions_record_one(centre: Centre) -> None:
    for _ in range(ROUNDS):
        application = centre.assigned()
        centre.take(acc.ASSESSOR_A, application, "scores", {"marks": PASSING})
        decisions = ("accredited", "not_accredited")
        answers = race(
            "accreditation decide",
            centre.banks,
            [
                Call(
                    centre.tokens[acc.ASSESSOR_A],
                    "POST",
                    f"/api/v1/accreditations/{application}/decide",
                    {"decision": decisions[i % 2], "reasons": "面谈记录"},
                )
                for i in range(RACERS)
            ],
        )
        assert len(won(answers)) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "application-status-conflict")
        assert centre.steps(application) == ["submit", "assign", "score", "decide"]
        assert len(answers[won(answers)[0]].json()["decisions"]) == 1


def test_parallel_confirmations_and_returns_have_one_winner(centre: Centre) -> None:
    for _ in range(ROUNDS):
        application = centre.decided(PASSING, "accredited")
        answers = race(
            "accreditation confirm vs return",
            centre.banks,
            [
                Call(
                    token,
                    "POST",
                    f"/api/v1/accreditations/{application}/confirm",
                    {"agree": True} if i % 2 else {"agree": False, "reason": "补充面谈记录"},
                )
                for i, token in enumerate(officers(centre))
            ],
        )
        assert len(won(answers)) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "application-status-conflict")
        winner = answers[won(answers)[0]].json()
        confirmed = won(answers)[0] % 2 == 1
        assert winner["state"] == ("accredited" if confirmed else "assigned")
        steps = centre.steps(application)
        assert steps == [
            "submit",
            "assign",
            "score",
            "decide",
            "confirm" if confirmed else "return",
        ]
        with centre.banks.live.database.unit_of_work() as uow:
            outcomes = uow.session.scalar(
                select(func.count()).where(
                    OutcomeRow.record_id.like(f"accreditation/{application}/%")
                )
            )
            logged = uow.session.scalar(
                select(func.count()).where(
                    LogEntryRow.kind == "accreditation.decided",
                    LogEntryRow.record_id.like(f"%{application}%"),
                )
            )
        assert outcomes == (1 if confirmed else 0)
        assert logged == (1 if confirmed else 0)


def test_parallel_appeals_appeal_once(centre: Centre) -> None:
    for _ in range(ROUNDS):
        application = centre.decided(FAILING, "not_accredited")
        centre.take(acc.OFFICER_1, application, "confirm", {})
        answers = race(
            "accreditation appeal",
            centre.banks,
            [
                Call(
                    centre.tokens[acc.REGISTRAR],
                    "POST",
                    f"/api/v1/accreditations/{application}/appeal",
                    {"reason": f"面谈时未考虑夜班处置经历 {i}"},
                )
                for i in range(RACERS)
            ],
        )
        assert len(won(answers)) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "appeal-used", "application-status-conflict")
        assert centre.steps(application)[-1:] == ["appeal"]
        assert centre.steps(application).count("appeal") == 1


def test_parallel_additions_of_evidence_return_it_once(centre: Centre) -> None:
    for _ in range(ROUNDS):
        application = centre.assigned()
        centre.take(
            acc.ASSESSOR_A,
            application,
            "decide",
            {"decision": "more_evidence", "reasons": "缺少单位证明"},
        )
        centre.take(acc.OFFICER_1, application, "confirm", {})
        answers = race(
            "accreditation evidence",
            centre.banks,
            [
                Call(
                    centre.tokens[acc.REGISTRAR],
                    "POST",
                    f"/api/v1/accreditations/{application}/evidence",
                    {"evidence": centre.evidence(), "note": "补充材料"},
                )
                for _ in range(RACERS)
            ],
        )
        assert len(won(answers)) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "application-status-conflict")
        assert centre.steps(application).count("add_evidence") == 1
        assert len(answers[won(answers)[0]].json()["evidence"]) == 2  # the first file and one more


def test_parallel_assignments_and_marks_stay_consistent(centre: Centre) -> None:
    """Assigning and recording marks may be repeated: each success is one event (and one set of
    marks), and what is in force is the last one's."""
    for _ in range(ROUNDS):
        application = centre.apply()
        assessors = (acc.ASSESSOR_A, acc.ASSESSOR_B)
        answers = race(
            "accreditation assign",
            centre.banks,
            [
                Call(
                    token,
                    "POST",
                    f"/api/v1/accreditations/{application}/assign",
                    {"assessor": assessors[i % 2]},
                )
                for i, token in enumerate(officers(centre))
            ],
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        assert centre.steps(application) == ["submit"] + ["assign"] * RACERS
        with centre.banks.live.database.unit_of_work() as uow:
            last = uow.session.scalars(
                select(ApplicationEventRow.assessor_user_id)
                .join(ApplicationRow, ApplicationRow.id == ApplicationEventRow.application_id)
                .where(ApplicationRow.public_id == application)
                .order_by(ApplicationEventRow.id.desc())
                .limit(1)
            ).one()
        assessor = next(email for email in assessors if centre.world.users[email] == last)
        answers = race(
            "accreditation score",
            centre.banks,
            [
                Call(
                    centre.tokens[assessor],
                    "POST",
                    f"/api/v1/accreditations/{application}/scores",
                    {"marks": {"portfolio": 60 + i, "interview": 70}},
                )
                for i in range(RACERS)
            ],
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        assert centre.steps(application).count("score") == RACERS
        with centre.banks.live.database.unit_of_work() as uow:
            marks = uow.session.scalar(
                select(func.count())
                .select_from(MarkRow)
                .join(ApplicationRow, ApplicationRow.id == MarkRow.application_id)
                .where(ApplicationRow.public_id == application)
            )
        assert marks == RACERS
