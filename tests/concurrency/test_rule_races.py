"""Races on a conversion rule's review: parallel submissions, approvals, rejections,
approvals against rejections and retirements of one rule version give one success and 409
``rule-status-conflict`` problems; the rule's history holds one event of the winner's kind and
the log one entry, on SQLite and PostgreSQL, over two server processes."""

from __future__ import annotations

from itertools import count

from sqlalchemy import select

from creditbank.conversion import api as conversion
from creditbank.conversion.tables import RuleEventRow
from tests import conversion_world
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, losers_are_conflicts, race

_serial = count(1)


def drafted(world: World) -> int:
    """A new rule's first version, drafted by SHVC's registrar: its id."""
    draft = conversion_world.x_certificate_rule(f"RACE-{next(_serial)}")
    with world.banks.live.database.unit_of_work() as uow:
        return conversion.draft_rule(
            uow=uow, institution="SHVC", draft=draft, user_id=world.users.shvc
        ).id


def submitted(world: World) -> int:
    rule_id = drafted(world)
    with world.banks.live.database.unit_of_work() as uow:
        conversion.submit_rule(uow=uow, rule_id=rule_id, user_id=world.users.shvc)
    return rule_id


def approved(world: World) -> int:
    rule_id = submitted(world)
    with world.banks.live.database.unit_of_work() as uow:
        conversion.approve_rule(uow=uow, rule_id=rule_id, user_id=world.users.admin1)
    return rule_id


def history(world: World, rule_id: int) -> list[str]:
    with world.banks.live.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(RuleEventRow.kind)
                .where(RuleEventRow.rule_id == rule_id)
                .order_by(RuleEventRow.id)
            )
        )


def admins(world: World) -> list[str]:
    return [(world.admin1, world.admin2)[i % 2] for i in range(RACERS)]


def test_parallel_submissions_submit_once(world: World) -> None:
    for _ in range(ROUNDS):
        rule_id = drafted(world)
        answers = race(
            "rule submit",
            world.banks,
            [Call(world.shvc, "POST", f"/api/v1/rules/{rule_id}/submit") for _ in range(RACERS)],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "rule-status-conflict")
        assert history(world, rule_id) == ["submitted"]


def test_parallel_approvals_approve_once_and_log_once(world: World) -> None:
    for _ in range(ROUNDS):
        rule_id = submitted(world)
        answers = race(
            "rule approve",
            world.banks,
            [
                Call(token, "POST", f"/api/v1/rules/{rule_id}/approve", {"reason": "ok"})
                for token in admins(world)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "rule-status-conflict")
        assert history(world, rule_id) == ["submitted", "approved"]
        winner = next(a for a in answers if a.status_code == 200).json()
        assert winner["receipt"]["kind"] == "conversion_rule.approved"


def test_parallel_rejections_reject_once(world: World) -> None:
    for _ in range(ROUNDS):
        rule_id = submitted(world)
        answers = race(
            "rule reject",
            world.banks,
            [
                Call(token, "POST", f"/api/v1/rules/{rule_id}/reject", {"reason": "too broad"})
                for token in admins(world)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "rule-status-conflict")
        assert history(world, rule_id) == ["submitted", "rejected"]


def test_approval_against_rejection_has_one_winner(world: World) -> None:
    for _ in range(ROUNDS):
        rule_id = submitted(world)
        calls = [
            Call(token, "POST", f"/api/v1/rules/{rule_id}/approve", {"reason": "ok"})
            if i % 2
            else Call(token, "POST", f"/api/v1/rules/{rule_id}/reject", {"reason": "no"})
            for i, token in enumerate(admins(world))
        ]
        answers = race("rule approve vs reject", world.banks, calls)
        won = [i for i, a in enumerate(answers) if a.status_code == 200]
        assert len(won) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "rule-status-conflict")
        decided = "approved" if won[0] % 2 else "rejected"
        assert history(world, rule_id) == ["submitted", decided]
        assert answers[won[0]].json()["status"] == decided


def test_parallel_retirements_retire_once(world: World) -> None:
    for round_ in range(ROUNDS):
        rule_id = approved(world)
        answers = race(
            "rule retire",
            world.banks,
            [
                Call(
                    world.shvc,
                    "POST",
                    f"/api/v1/rules/{rule_id}/retire",
                    {"effective_on": f"2027-0{1 + i % 9}-01", "reason": f"replaced {round_}"},
                )
                for i in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "rule-status-conflict")
        assert history(world, rule_id) == ["submitted", "approved", "retired"]
        winner = next(a for a in answers if a.status_code == 200).json()
        assert winner["receipt"]["kind"] == "conversion_rule.retired"


def rule_body(code: str) -> dict[str, object]:
    return {
        "institution": "SHVC",
        "programme": conversion_world.DIPLOMA,
        "code": code,
        "name": "BIM 中级证书免修",
        "sources": [
            {
                "item": "BIMTEO:BIM-X",
                "level": {"framework": "1X", "level": "intermediate"},
                "at_least": True,
            }
        ],
        "targets": [{"kind": "component", "component": "BIM-101"}],
        "valid_from": "2025-09-01",
    }


def test_parallel_drafts_of_one_code_take_turns(world: World) -> None:
    """A new draft withdraws the open one of its code: drafted in parallel, each gets its own
    version, and one draft stays open."""
    for _ in range(ROUNDS):
        code = f"RACE-DRAFT-{next(_serial)}"
        answers = race(
            "rule draft",
            world.banks,
            [Call(world.shvc, "POST", "/api/v1/rules", rule_body(code)) for _ in range(RACERS)],
        )
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
        assert sorted(a.json()["version"] for a in answers) == list(range(1, RACERS + 1))
        with world.banks.live.database.unit_of_work() as uow:
            versions = conversion.list_rules(uow=uow, programme=conversion_world.DIPLOMA)
        mine = [version for version in versions if version.draft.code == code]
        assert [v.status.value for v in mine] == ["withdrawn"] * (RACERS - 1) + ["draft"]
