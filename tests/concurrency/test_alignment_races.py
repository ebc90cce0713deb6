"""Races on alignments to skills: parallel first drafts of one subject (its row made once, every
draft a version of its own, one left open), parallel approvals of one version (one success and
409 ``alignment-status-conflict`` problems; one event, one log entry, the set in force that
version's skills) and approvals against rejections (one winner), on SQLite and PostgreSQL, over
two server processes."""

from __future__ import annotations

from itertools import count

from sqlalchemy import func, select

from creditbank.alignments.tables import (
    AlignedSkillRow,
    AlignmentEventRow,
    AlignmentRow,
)
from tests import alignments_world
from tests.concurrency.conftest import RACERS, Call, World, losers_are_conflicts, race

_serial = count(1)
ROUNDS = 2
"""Rounds of each race here (the suite's other races run 4): 8 threads each, a fresh version or
subject every round; what each round proves is the same."""
SKILLS = [alignments_world.BIM, alignments_world.TEAMWORK]


def _skills_imported(world: World) -> None:
    with world.banks.live.database.unit_of_work() as uow:
        alignments_world.import_skills_world(uow)


def _submitted(world: World) -> int:
    """A new version of BIM-X's alignment at any level, submitted by BIMTEO's registrar."""
    _skills_imported(world)
    with world.banks.client(world.teo) as client:
        drafted = client.post(
            "/api/v1/alignments", json={"item": alignments_world.ITEM, "skills": SKILLS}
        )
        assert drafted.status_code == 201, drafted.text
        found: int = drafted.json()["id"]
        assert client.post(f"/api/v1/alignments/{found}/submit").status_code == 200
    return found


def _history(world: World, alignment_id: int) -> list[str]:
    with world.banks.live.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(AlignmentEventRow.kind)
                .where(AlignmentEventRow.alignment_id == alignment_id)
                .order_by(AlignmentEventRow.id)
            )
        )


def _admins(world: World) -> list[str]:
    return [(world.admin1, world.admin2)[i % 2] for i in range(RACERS)]


def test_parallel_first_drafts_of_a_subject_make_it_once(world: World) -> None:
    _skills_imported(world)
    levels = ["beginner", "intermediate", "advanced", None]
    for level in levels[:ROUNDS]:
        item = "BIMTEO:BIM-X"
        body = {"item": item, "skills": SKILLS, "level": level, "note": f"race {next(_serial)}"}
        answers = race(
            "alignment first draft",
            world.banks,
            [Call(world.teo, "POST", "/api/v1/alignments", body) for _ in range(RACERS)],
        )
        assert [a.status_code for a in answers] == [201] * RACERS, [a.text for a in answers]
        versions = sorted(a.json()["version"] for a in answers)
        assert versions == list(range(versions[0], versions[0] + RACERS))
        ids = [a.json()["id"] for a in answers]
        with world.banks.live.database.unit_of_work() as uow:
            subjects = set(
                uow.session.scalars(select(AlignmentRow.subject_id).where(AlignmentRow.id.in_(ids)))
            )
            withdrawn = uow.session.scalar(
                select(func.count())
                .select_from(AlignmentEventRow)
                .where(
                    AlignmentEventRow.alignment_id.in_(ids), AlignmentEventRow.kind == "withdrawn"
                )
            )
        assert len(subjects) == 1  # the subject's row made once
        assert withdrawn == RACERS - 1  # every draft but the last withdrawn by the next


def test_parallel_approvals_approve_once_and_log_once(world: World) -> None:
    for _ in range(ROUNDS):
        alignment_id = _submitted(world)
        answers = race(
            "alignment approve",
            world.banks,
            [
                Call(token, "POST", f"/api/v1/alignments/{alignment_id}/approve", {"reason": "ok"})
                for token in _admins(world)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "alignment-status-conflict")
        assert _history(world, alignment_id) == ["submitted", "approved"]
        winner = next(a for a in answers if a.status_code == 200).json()
        assert winner["receipt"]["kind"] == "skill_alignment.approved"
        with world.banks.live.database.unit_of_work() as uow:
            in_force = set(
                uow.session.scalars(
                    select(AlignedSkillRow.alignment_id)
                    .join(AlignmentRow, AlignmentRow.id == AlignedSkillRow.alignment_id)
                    .where(AlignmentRow.level_id.is_(None))
                )
            )
            rows = uow.session.scalar(
                select(func.count())
                .select_from(AlignedSkillRow)
                .where(AlignedSkillRow.alignment_id == alignment_id)
            )
        assert in_force == {alignment_id}
        assert rows == len(SKILLS)


def test_approval_against_rejection_has_one_winner(world: World) -> None:
    for _ in range(ROUNDS):
        alignment_id = _submitted(world)
        path = f"/api/v1/alignments/{alignment_id}"
        calls = [
            Call(token, "POST", f"{path}/approve", {"reason": "ok"})
            if i % 2
            else Call(token, "POST", f"{path}/reject", {"reason": "no"})
            for i, token in enumerate(_admins(world))
        ]
        answers = race("alignment approve vs reject", world.banks, calls)
        won = [i for i, a in enumerate(answers) if a.status_code == 200]
        assert len(won) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "alignment-status-conflict")
        decided = "approved" if won[0] % 2 else "rejected"
        assert _history(world, alignment_id) == ["submitted", decided]
