"""Accreditation over HTTP, on SQLite and PostgreSQL: an application from submission to an
accredited outcome that then feeds a conversion; assessors refused when uncertified or
conflicted; four eyes; appeals to a different assessor; more evidence; the centre's queue;
bad input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from creditbank.accreditation import applications, certifications, decisions
from creditbank.accreditation.model import AccreditationError
from creditbank.accreditation.tables import (
    ApplicationRow,
    ConfirmationRow,
    DecisionRow,
    MarkRow,
)
from creditbank.bootstrap import ledger_readers
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.conversion import api as conversion
from creditbank.conversion.model import Component, RuleDraft, SourceSpec, Target, TargetKind
from creditbank.institutions import service as institutions
from creditbank.ledger.verify import verify_log
from tests import accreditation_world as world
from tests.bulk_files import id_number
from tests.conftest import LiveBank

_serial = count(100)


@dataclass
class Bank:
    live: LiveBank
    world: world.World
    clients: dict[str, httpx2.Client]

    def __getitem__(self, email: str) -> httpx2.Client:
        return self.clients[email]


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> Iterator[Bank]:
    with live_bank.database.unit_of_work() as uow:
        built = world.build(uow, live_bank.cipher)
    clients = {}
    for email in built.users:
        with live_bank.database.unit_of_work() as uow:
            secret = institutions.create_token(uow=uow, email=email).secret
        clients[email] = httpx2.Client(
            base_url=live_bank.url,
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
            timeout=30,
        )
    yield Bank(live_bank, built, clients)
    for client in clients.values():
        client.close()


def learner(bank: Bank, *, consent: bool = True, serial: int | None = None) -> str:
    with bank.live.database.unit_of_work() as uow:
        return world.learner(uow, bank.world.cipher, serial or next(_serial), consent=consent)


def evidence(bank: Bank) -> str:
    with bank.live.database.unit_of_work() as uow:
        return world.upload(uow, next(_serial))


def application_body(bank: Bank, account: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_number": account,
        "centre": world.CENTRE,
        "standard": world.STANDARD,
        "unit": world.UNIT,
        "setting": "informal",
        "statement": "在地铁站做了三年站务员，负责客运服务与投诉处理。",
        "evidence": [{"sha256": evidence(bank), "name": "单位出具的工作证明"}],
    }
    body.update(changes)
    return body


def apply(bank: Bank, account: str | None = None, **changes: Any) -> dict[str, Any]:
    response = bank[world.REGISTRAR].post(
        "/api/v1/accreditations", json=application_body(bank, account or learner(bank), **changes)
    )
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


def step(bank: Bank, who: str, application: str, name: str, body: dict[str, Any]) -> Any:
    response = bank[who].post(f"/api/v1/accreditations/{application}/{name}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assessed(bank: Bank, marks: dict[str, int], assessor: str = world.ASSESSOR_A) -> str:
    """An application assigned to ``assessor`` and marked: its id."""
    application = apply(bank)["id"]
    step(bank, world.OFFICER_1, application, "assign", {"assessor": assessor})
    step(bank, assessor, application, "scores", {"marks": marks, "comment": "面谈记录已存档"})
    return str(application)


def problem(response: httpx2.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    return body


def test_informal_learning_is_accredited_logged_and_feeds_a_conversion(bank: Bank) -> None:
    account = learner(bank)
    filed = apply(bank, account)
    assert filed["state"] == "submitted"
    assert filed["setting"] == "informal"
    assert filed["unit"]["scheme"]["summary"] == "portfolio 40 / interview 60, pass 60"
    assert (
        filed["due_on"]
        == (date.fromisoformat(filed["submitted_at"][:10]) + timedelta(7)).isoformat()
    )
    application = filed["id"]

    assigned = step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_A})
    assert (assigned["state"], assigned["assessor"]) == ("assigned", world.ASSESSOR_A)
    marked = step(
        bank,
        world.ASSESSOR_A,
        application,
        "scores",
        {"marks": {"portfolio": 80, "interview": 70}},
    )
    assert marked["state"] == "scored"
    assert marked["marks"]["result"]["weighted"] == "74.00"  # 0.4 * 80 + 0.6 * 70
    assert marked["marks"]["result"]["passed"] is True
    decided = step(
        bank,
        world.ASSESSOR_A,
        application,
        "decide",
        {"decision": "accredited", "reasons": "工作证明与面谈一致"},
    )
    assert decided["state"] == "decided"
    assert decided["outcome"] is None  # nothing takes effect before the second person confirms

    confirmed = step(bank, world.OFFICER_2, application, "confirm", {"agree": True})
    assert confirmed["state"] == "accredited"
    assert confirmed["receipt"]["kind"] == "accreditation.decided"
    [decision] = confirmed["decisions"]
    assert decision["credits"] == "4.0"
    assert decision["level"] == "4"
    assert decision["confirmation"]["by"] == world.OFFICER_2
    assert [e["step"] for e in confirmed["events"]] == [
        "submit",
        "assign",
        "score",
        "decide",
        "confirm",
    ]

    outcome = bank[world.ADMIN].get(f"/api/v1/outcomes/{confirmed['outcome']}").json()
    assert outcome["account_number"] == account
    assert outcome["institution"] == world.CENTRE
    assert outcome["item_code"] == world.UNIT
    assert outcome["credits"] == "4.0"
    assert outcome["score"] == "74.00"
    assert outcome["setting"] == "informal"
    transcript = bank[world.ADMIN].get(f"/api/v1/accounts/{account}/outcomes").json()
    assert [o["id"] for o in transcript["outcomes"]] == [confirmed["outcome"]]

    # the accredited unit counts toward a programme like any other outcome
    with bank.live.database.unit_of_work() as uow:
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=world.COLLEGE,
                code="RAIL-DIP",
                kind=ItemKind.QUALIFICATION,
                name="城市轨道交通运营管理（高职）",
                framework="LOFOUC",
                levels=("5",),
            ),
            on=world.ON,
        )
        conversion.create_programme(
            uow=uow,
            spec=conversion.ProgrammeSpec(
                code="RAIL-DIP",
                institution=world.COLLEGE,
                item="RAIL-DIP",
                name="城市轨道交通运营管理",
                total_credits=Decimal(60),
                components=(Component("SERVICE", "客运服务", Decimal(4), mandatory=True),),
            ),
            by=world.REGISTRAR,
        )
        registrar = bank.world.users[world.REGISTRAR]
        rule = conversion.draft_rule(
            uow=uow,
            institution=world.COLLEGE,
            draft=RuleDraft(
                code="UNIT-SERVICE",
                programme="RAIL-DIP",
                name="认证单元免修客运服务",
                sources=(SourceSpec(item=f"{world.CENTRE}:{world.UNIT}"),),
                targets=(Target(TargetKind.COMPONENT, component="SERVICE"),),
                valid_from=date(2025, 9, 1),
            ),
            user_id=registrar,
        )
        conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=registrar)
        conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=bank.world.users[world.ADMIN])
    progress = (
        bank[world.ADMIN]
        .get(f"/api/v1/accounts/{account}/progress", params={"programme": "RAIL-DIP"})
        .json()
    )
    [grant] = progress["plan"]["grants"]
    assert grant["target"]["component"] == "SERVICE"
    assert grant["sources"] == [confirmed["outcome"]]


def test_an_uncertified_or_conflicted_assessor_is_refused(bank: Bank) -> None:
    application = apply(bank)["id"]
    officer = bank[world.OFFICER_1]
    url = f"/api/v1/accreditations/{application}/assign"
    body = problem(
        officer.post(url, json={"assessor": world.ASSESSOR_D}), 422, "assessor-not-certified"
    )
    assert world.ASSESSOR_D in body["detail"]
    assert world.UNIT in body["detail"]
    problem(officer.post(url, json={"assessor": world.REGISTRAR}), 422, "assessor-not-certified")

    # an assessor on the staff of the institution where the learning took place
    taught = apply(bank, taught_by=world.COLLEGE)["id"]
    body = problem(
        officer.post(
            f"/api/v1/accreditations/{taught}/assign", json={"assessor": world.ASSESSOR_C}
        ),
        422,
        "assessor-conflict",
    )
    assert "CQRT, which taught the learner" in " ".join(body["problems"])

    # the assessor is the learner: same identity number, a different login
    own = apply(bank, learner(bank, serial=world.SELF_SERIAL))["id"]
    body = problem(
        officer.post(
            f"/api/v1/accreditations/{own}/assign", json={"assessor": world.ASSESSOR_SELF}
        ),
        422,
        "assessor-conflict",
    )
    assert body["problems"] == ["the assessor is the learner"]

    # a certification that has expired by the day of assignment
    with bank.live.database.unit_of_work() as uow:
        certifications.certify(
            uow=uow,
            cipher=bank.world.cipher,
            email=world.ASSESSOR_D,
            kind="assessor",
            item_ref=f"{world.CENTRE}:{world.UNIT}",
            level=None,
            id_number=id_number(8000),
            valid_from=date(2020, 1, 1),
            valid_until=date(2022, 12, 31),
            training="2020 年培训",
            by=world.OFFICER_1,
        )
    problem(officer.post(url, json={"assessor": world.ASSESSOR_D}), 422, "assessor-not-certified")
    # none of it changed the application
    still = officer.get(f"/api/v1/accreditations/{application}").json()
    assert (still["state"], still["assessor"], len(still["events"])) == ("submitted", None, 1)


def confirm_as_the_assessor(bank: Bank, application: str, assessor: str) -> None:
    """Insert a confirmation by the decision's own assessor, past the service."""
    user_id = bank.world.users[assessor]
    with bank.live.database.unit_of_work() as uow:
        decision = uow.session.scalars(
            select(DecisionRow).where(
                DecisionRow.application_id
                == select(ApplicationRow.id)
                .where(ApplicationRow.public_id == application)
                .scalar_subquery()
            )
        ).one()
        uow.session.add(
            ConfirmationRow(
                decision_id=decision.id,
                assessor_user_id=user_id,
                by_user_id=user_id,
                agreed=True,
                reason="",
                at=datetime.now(UTC),
            )
        )
        uow.session.flush()


def test_only_the_assigned_assessor_scores_and_the_same_person_cannot_confirm(
    bank: Bank,
) -> None:
    application = apply(bank)["id"]
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_A})
    marks = {"marks": {"portfolio": 90, "interview": 90}}
    url = f"/api/v1/accreditations/{application}"
    problem(bank[world.ASSESSOR_B].post(f"{url}/scores", json=marks), 403, "not-the-assessor")
    problem(bank[world.OFFICER_1].post(f"{url}/scores", json=marks), 403, "forbidden")
    step(bank, world.ASSESSOR_A, application, "scores", marks)
    step(bank, world.ASSESSOR_A, application, "decide", {"decision": "accredited"})
    # the assessor may not confirm: the policy refuses their role ...
    problem(bank[world.ASSESSOR_A].post(f"{url}/confirm", json={}), 403, "forbidden")
    # ... the service refuses the person whatever the role ...
    with pytest.raises(AccreditationError) as refused, bank.live.database.unit_of_work() as uow:
        decisions.confirm(
            uow=uow,
            public_id=application,
            agree=True,
            reason="",
            by=world.ASSESSOR_A,
            by_user_id=bank.world.users[world.ASSESSOR_A],
        )
    assert refused.value.code == "assessor_confirms"
    # ... and the database refuses the row
    with pytest.raises(IntegrityError):
        confirm_as_the_assessor(bank, application, world.ASSESSOR_A)
    assert bank[world.OFFICER_1].get(url).json()["state"] == "decided"
    # the second person returns it; the assessor decides again; then it is confirmed
    returned = step(
        bank, world.OFFICER_1, application, "confirm", {"agree": False, "reason": "补充面谈记录"}
    )
    assert (returned["state"], returned["assessor"]) == ("assigned", world.ASSESSOR_A)
    assert returned["decisions"][0]["confirmation"]["agreed"] is False
    # reassigned after the return, another assessor decides on their own marks, not A's
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_B})
    body = problem(
        bank[world.ASSESSOR_B].post(f"{url}/decide", json={"decision": "accredited"}),
        422,
        "invalid-decision",
    )
    assert body["problems"] == ["record the marks before deciding to accredit"]
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_A})
    step(bank, world.ASSESSOR_A, application, "decide", {"decision": "accredited", "credits": 2})
    done = step(bank, world.OFFICER_2, application, "confirm", {})
    assert done["state"] == "accredited"
    assert done["decisions"][-1]["credits"] == "2.0"


def test_not_accredited_then_one_appeal_to_a_different_assessor(bank: Bank) -> None:
    application = assessed(bank, {"portfolio": 70, "interview": 40})  # 28 + 24 = 52
    marked = bank[world.ASSESSOR_A].get(f"/api/v1/accreditations/{application}").json()
    assert marked["marks"]["result"]["passed"] is False
    assert marked["marks"]["result"]["reasons"] == [
        "the weighted mark 52 is below the pass mark 60"
    ]
    url = f"/api/v1/accreditations/{application}"
    body = problem(
        bank[world.ASSESSOR_A].post(f"{url}/decide", json={"decision": "accredited"}),
        422,
        "invalid-decision",
    )
    assert body["problems"] == ["the marks do not pass, so the learning cannot be accredited"]
    step(bank, world.ASSESSOR_A, application, "decide", {"decision": "not_accredited"})
    refused = step(bank, world.OFFICER_2, application, "confirm", {})
    assert refused["state"] == "not_accredited"
    assert refused["receipt"]["kind"] == "accreditation.decided"
    assert refused["outcome"] is None

    appealed = step(
        bank, world.REGISTRAR, application, "appeal", {"reason": "面谈时未考虑夜班处置经历"}
    )
    assert (appealed["state"], appealed["round"], appealed["assessor"]) == ("appealed", 2, None)
    assert appealed["marks"] is None  # the new round has none yet
    body = problem(
        bank[world.OFFICER_1].post(f"{url}/assign", json={"assessor": world.ASSESSOR_A}),
        422,
        "assessor-conflict",
    )
    assert body["problems"] == ["an appeal goes to an assessor who has not decided on it before"]
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_B})
    step(
        bank, world.ASSESSOR_B, application, "scores", {"marks": {"portfolio": 75, "interview": 70}}
    )
    step(bank, world.ASSESSOR_B, application, "decide", {"decision": "accredited"})
    accredited = step(bank, world.OFFICER_1, application, "confirm", {})
    assert accredited["state"] == "accredited"
    assert [d["round"] for d in accredited["decisions"]] == [1, 2]
    assert accredited["outcome"] is not None
    problem(
        bank[world.REGISTRAR].post(f"{url}/appeal", json={"reason": "再次申诉"}), 409, "appeal-used"
    )


def test_more_evidence_goes_back_to_the_applicant_and_returns_to_the_assessor(
    bank: Bank,
) -> None:
    application = apply(bank)["id"]
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_A})
    url = f"/api/v1/accreditations/{application}"
    body = problem(
        bank[world.ASSESSOR_A].post(f"{url}/decide", json={"decision": "more_evidence"}),
        422,
        "invalid-decision",
    )
    assert body["problems"] == ["say what evidence is missing"]
    step(
        bank,
        world.ASSESSOR_A,
        application,
        "decide",
        {"decision": "more_evidence", "reasons": "请补充近一年的考核记录"},
    )
    waiting = step(bank, world.OFFICER_2, application, "confirm", {})
    assert waiting["state"] == "more_evidence"
    assert waiting["receipt"] is None  # not a decision of record
    added = step(
        bank,
        world.REGISTRAR,
        application,
        "evidence",
        {"evidence": [{"sha256": evidence(bank), "name": "年度考核记录"}], "note": "已补充"},
    )
    assert (added["state"], added["assessor"]) == ("assigned", world.ASSESSOR_A)
    assert [e["name"] for e in added["evidence"]] == ["单位出具的工作证明", "年度考核记录"]


def test_bad_applications_and_steps_are_refused_and_change_nothing(bank: Bank) -> None:
    registrar = bank[world.REGISTRAR]
    account = learner(bank)
    body = problem(
        registrar.post(
            "/api/v1/accreditations",
            json=application_body(bank, account, setting="hobby", statement=" ", evidence=[]),
        ),
        422,
        "invalid-application",
    )
    assert body["problems"] == [
        "the learning setting is one of formal, non-formal, informal, not hobby",
        "say in a statement what was learned, where and how",
        "an application needs at least one evidence file",
    ]
    unknown = "ab" * 32
    body = problem(
        registrar.post(
            "/api/v1/accreditations",
            json=application_body(bank, account, evidence=[{"sha256": unknown, "name": "x"}]),
        ),
        422,
        "invalid-application",
    )
    assert body["problems"] == [f"evidence[0]: no evidence file {unknown} was uploaded here"]
    problem(
        registrar.post("/api/v1/accreditations", json=application_body(bank, account, unit="NOPE")),
        404,
        "unit-not-found",
    )
    problem(
        registrar.post(
            "/api/v1/accreditations", json=application_body(bank, account, centre=world.COLLEGE)
        ),
        422,
        "invalid-application",
    )
    # without the learner's consent the college may not apply for them
    problem(
        registrar.post(
            "/api/v1/accreditations", json=application_body(bank, learner(bank, consent=False))
        ),
        403,
        "forbidden",
    )
    assert bank[world.ADMIN].get(f"/api/v1/accounts/{account}/outcomes").json()["outcomes"] == []
    with bank.live.database.unit_of_work() as uow:
        assert applications.list_applications(uow=uow, account_number=account) == []

    first = apply(bank, account)["id"]
    body = problem(
        registrar.post("/api/v1/accreditations", json=application_body(bank, account)),
        409,
        "application-status-conflict",
    )
    assert first in body["detail"]
    url = f"/api/v1/accreditations/{first}"
    body = problem(
        bank[world.OFFICER_1].post(f"{url}/confirm", json={}), 409, "application-status-conflict"
    )
    assert body["detail"] == "the application is submitted; to confirm it must be decided"
    step(bank, world.OFFICER_1, first, "assign", {"assessor": world.ASSESSOR_A})
    body = problem(
        bank[world.ASSESSOR_A].post(
            f"{url}/scores", json={"marks": {"portfolio": 80, "practice": 70}}
        ),
        422,
        "invalid-scores",
    )
    assert body["problems"] == [
        "the scheme has no component practice (it has portfolio, interview)",
        "a mark for interview is missing",
    ]
    body = problem(
        bank[world.ASSESSOR_A].post(
            f"{url}/scores", json={"marks": {"portfolio": 80, "interview": 101}}
        ),
        422,
        "invalid-scores",
    )
    assert body["problems"] == ["interview: a mark is between 0 and 100, not 101"]
    with bank.live.database.unit_of_work() as uow:
        marks = uow.session.scalars(
            select(MarkRow).join(ApplicationRow).where(ApplicationRow.public_id == first)
        ).all()
    assert marks == []


def test_who_may_read_an_application_and_the_queue(bank: Bank) -> None:
    application = apply(bank)["id"]
    url = f"/api/v1/accreditations/{application}"
    for who in (world.OFFICER_1, world.REGISTRAR, world.ADMIN, world.AUDITOR):
        assert bank[who].get(url).status_code == 200, who
    problem(bank[world.ASSESSOR_B].get(url), 403, "forbidden")
    step(bank, world.OFFICER_1, application, "assign", {"assessor": world.ASSESSOR_B})
    assert bank[world.ASSESSOR_B].get(url).status_code == 200
    problem(bank[world.ASSESSOR_A].get(url), 403, "forbidden")
    problem(bank[world.REGISTRAR].get(f"/api/v1/centres/{world.CENTRE}/queue"), 403, "forbidden")


def test_a_stalled_application_shows_up_first_in_the_centres_queue(bank: Bank) -> None:
    fresh = apply(bank)["id"]
    stale = apply(bank)["id"]
    with bank.live.database.unit_of_work() as uow:  # submitted ten days ago: due three days ago
        ten_days_ago = datetime.now(UTC) - timedelta(days=10)
        uow.session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.public_id == stale)
            .values(state_since=ten_days_ago, due_on=ten_days_ago.date() + timedelta(days=7))
        )
    response = bank[world.OFFICER_1].get(f"/api/v1/centres/{world.CENTRE}/queue")
    assert response.status_code == 200, response.text
    queue = response.json()
    entries = {entry["id"]: entry for entry in queue}
    assert queue[0]["id"] == stale
    assert entries[stale]["stalled"] is True
    assert entries[fresh]["stalled"] is False
    assert all(entry["state"] not in {"accredited", "not_accredited"} for entry in queue)


def change_decisions(bank: Bank) -> None:
    with bank.live.database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DecisionRow))
        uow.session.execute(text("UPDATE accreditation_decisions SET credits = 9"))


def test_facts_are_append_only_and_the_log_verifies(bank: Bank) -> None:
    # a decision of its own, so that the test does not depend on which tests ran before it
    application = assessed(bank, {"portfolio": 90, "interview": 90})
    step(bank, world.ASSESSOR_A, application, "decide", {"decision": "accredited"})
    with pytest.raises(DBAPIError):
        change_decisions(bank)
    readers, unlogged = ledger_readers()
    with bank.live.database.unit_of_work() as uow:
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    assert report.problems == []
    assert report.facts_checked > 0
