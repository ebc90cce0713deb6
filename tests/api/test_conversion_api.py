"""Credit conversion over HTTP, on both databases: rules and their four-eyes approval, progress,
conversion requests (idempotent, one winner under concurrency), confirmation into transferred
credit, and what a revoked source does to the conversions built on it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count
from threading import Barrier
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from creditbank.accounts.tables import LearnerRow
from creditbank.bootstrap import ledger_readers
from creditbank.conversion.tables import ConversionRow, RuleEventRow, RuleRow
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger.verify import verify_log
from tests import conversion_world as world
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"
_serial = count(100)


@dataclass
class Bank:
    live: LiveBank
    users: world.Users
    shvc: httpx2.Client
    teo: httpx2.Client
    admin1: httpx2.Client
    admin2: httpx2.Client
    auditor: httpx2.Client
    spec: dict[str, Any]

    def clients(self) -> list[httpx2.Client]:
        return [self.shvc, self.teo, self.admin1, self.admin2, self.auditor]


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=30,
    )


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> Iterator[Bank]:
    with live_bank.database.unit_of_work() as uow:
        users = world.build(uow)
        institutions.add_user(uow=uow, email="audit@bank.example", role=Role.AUDITOR)
    found = Bank(
        live_bank,
        users,
        client_for(live_bank, world.SHVC_REGISTRAR),
        client_for(live_bank, world.TEO_REGISTRAR),
        client_for(live_bank, world.ADMINS[0]),
        client_for(live_bank, world.ADMINS[1]),
        client_for(live_bank, "audit@bank.example"),
        {},
    )
    found.spec = found.auditor.get("/openapi.json").json()
    yield found
    for client in found.clients():
        client.close()


def documented(bank: Bank, method: str, template: str, response: httpx2.Response) -> None:
    """The status is declared for the endpoint in /openapi.json, with the problem schema."""
    declared = bank.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def rule_body(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "institution": "SHVC",
        "programme": world.DIPLOMA,
        "code": code,
        "name": "BIM 中级证书免修",
        "sources": [
            {
                "item": "BIMTEO:BIM-X",
                "level": {"framework": "1X", "level": "intermediate"},
                "at_least": True,
            }
        ],
        "targets": [
            {"kind": "component", "component": "BIM-101"},
            {"kind": "component", "component": "BIM-102"},
        ],
        "valid_from": "2025-09-01",
        **changes,
    }


def approve_over_http(bank: Bank, body: dict[str, Any]) -> dict[str, Any]:
    drafted = bank.shvc.post("/api/v1/rules", json=body)
    assert drafted.status_code == 201, drafted.text
    rule_id = drafted.json()["id"]
    bank.shvc.post(f"/api/v1/rules/{rule_id}/submit").raise_for_status()
    approved = bank.admin1.post(f"/api/v1/rules/{rule_id}/approve", json={"reason": "ok"})
    assert approved.status_code == 200, approved.text
    body_: dict[str, Any] = approved.json()
    return body_


def holder(bank: Bank, level: str = "intermediate") -> str:
    with bank.live.database.unit_of_work() as uow:
        return world.x_certificate_holder(uow, next(_serial), level)


def test_a_rule_goes_from_draft_to_approved_with_a_ledger_entry(bank: Bank) -> None:
    drafted = bank.shvc.post("/api/v1/rules", json=rule_body("LIFE-1"))
    documented(bank, "post", "/api/v1/rules", drafted)
    assert drafted.status_code == 201
    rule = drafted.json()
    assert (rule["status"], rule["version"], rule["author"]) == ("draft", 1, world.SHVC_REGISTRAR)
    assert rule["sources"] == [
        {"item": "BIMTEO:BIM-X", "kind": None, "level": "1X:intermediate", "at_least": True}
    ]
    # a draft cannot be approved before it is submitted
    early = bank.admin1.post(f"/api/v1/rules/{rule['id']}/approve")
    documented(bank, "post", "/api/v1/rules/{rule_id}/approve", early)
    assert early.status_code == 409
    assert early.json()["type"] == "/problems/rule-status-conflict"
    submitted = bank.shvc.post(f"/api/v1/rules/{rule['id']}/submit")
    assert submitted.json()["status"] == "submitted"
    # another institution's registrar may not approve, nor submit SHVC's rules
    assert bank.teo.post(f"/api/v1/rules/{rule['id']}/approve").status_code == 403
    approved = bank.admin1.post(f"/api/v1/rules/{rule['id']}/approve", json={"reason": "ok"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["receipt"]["kind"] == "conversion_rule.approved"
    assert [e["kind"] for e in approved.json()["history"]] == ["submitted", "approved"]
    listed = bank.auditor.get(
        "/api/v1/rules", params={"institution": "SHVC", "status": "approved"}
    ).json()
    assert rule["id"] in [found["id"] for found in listed]
    # an approved version is immutable: a change is version 2
    again = bank.shvc.post("/api/v1/rules", json=rule_body("LIFE-1", name="v2"))
    assert (again.status_code, again.json()["version"]) == (201, 2)


def test_the_author_may_not_approve_their_own_rule(bank: Bank) -> None:
    body = rule_body("FOUR-EYES")
    drafted = bank.admin1.post("/api/v1/rules", json=body)  # an administrator drafts for SHVC
    assert drafted.status_code == 201, drafted.text
    rule_id = drafted.json()["id"]
    bank.admin1.post(f"/api/v1/rules/{rule_id}/submit").raise_for_status()
    refused = bank.admin1.post(f"/api/v1/rules/{rule_id}/approve")
    documented(bank, "post", "/api/v1/rules/{rule_id}/approve", refused)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/four-eyes"
    assert bank.admin1.get(f"/api/v1/rules/{rule_id}").json()["status"] == "submitted"
    rejected = bank.admin2.post(f"/api/v1/rules/{rule_id}/reject", json={"reason": "too broad"})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["history"][-1]["reason"] == "too broad"


def test_the_database_refuses_an_approval_by_the_author_and_any_edit(bank: Bank) -> None:
    """Four eyes and immutability hold even for a writer that skips the service."""
    approved = approve_over_http(bank, rule_body("DB-GUARD"))
    database = bank.live.database

    def add_event(author: int, kind: str, by: int) -> None:
        with database.unit_of_work() as uow:
            uow.session.add(
                RuleEventRow(
                    rule_id=approved["id"],
                    author_user_id=author,
                    kind=kind,
                    by_user_id=by,
                    reason="by hand",
                    at=date(2026, 1, 1),
                )
            )
            uow.session.flush()

    with pytest.raises(IntegrityError):  # the author rejects their own version
        add_event(bank.users.shvc, "rejected", bank.users.shvc)
    with pytest.raises(IntegrityError):  # the author column must be the version's real author
        add_event(bank.users.teo, "retired", bank.users.shvc)
    with pytest.raises(DBAPIError, match="append-only"), database.unit_of_work() as uow:
        uow.session.execute(
            update(RuleRow).where(RuleRow.id == approved["id"]).values(name="edited")
        )


def test_a_bad_rule_names_every_problem_and_stores_nothing(bank: Bank) -> None:
    with bank.live.database.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(RuleRow))
    bad = rule_body(
        "bad code!",
        sources=[{"item": "BIMTEO:NO-SUCH", "level": {"framework": "1X", "level": "expert"}}],
        targets=[{"kind": "component", "component": "NOPE"}, {"kind": "elective"}],
        valid_until="2020-01-01",
    )
    refused = bank.shvc.post("/api/v1/rules", json=bad)
    documented(bank, "post", "/api/v1/rules", refused)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/invalid-rule"
    text = " ".join(problem["problems"])
    for expected in ("bad code!", "NO-SUCH", "expert", "NOPE", "elective", "valid_until"):
        assert expected in text, expected
    with bank.live.database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(RuleRow)) == before


def test_progress_shows_what_counts_what_could_and_the_plan(bank: Bank) -> None:
    approve_over_http(bank, rule_body("PROGRESS"))
    account = holder(bank)
    with bank.live.database.unit_of_work() as uow:
        world.deposit(
            uow,
            account,
            institution="SHVC",
            item="DRAW-100",
            level="4",
            record=f"DRAW-{account}",
            earned=Decimal(2),
        )
    response = bank.admin1.get(
        f"/api/v1/accounts/{account}/progress", params={"programme": world.DIPLOMA}
    )
    documented(bank, "get", "/api/v1/accounts/{number}/progress", response)
    progress = response.json()
    assert [m["component"] for m in progress["met"]] == ["DRAW-100"]
    assert progress["credits_held"] == "2.0"
    planned = {grant["target"]["component"]: grant for grant in progress["plan"]["grants"]}
    # BIM-X would exempt BIM-101 (4) and BIM-102 (3), but one source item yields at most 6
    assert set(planned) == {"BIM-101"}
    assert planned["BIM-101"]["granted"] == "4.0"
    assert "BIM-101" in planned["BIM-101"]["reason"]
    assert "per_source_item" in progress["plan"]["passed_over"][0]["reason"]
    assert progress["credits_with_plan"] == "6.0"
    assert [c["code"] for c in progress["missing"]] == ["BIM-102"]
    assert progress["complete_with_plan"] is False
    assert any(check["applicable"] for check in progress["what_if"])
    # a what-if applies nothing: no conversion is stored for the learner, and asking again
    # plans the same
    with bank.live.database.unit_of_work() as uow:
        stored = uow.session.scalar(
            select(func.count())
            .select_from(ConversionRow)
            .join(LearnerRow, LearnerRow.id == ConversionRow.learner_id)
            .where(LearnerRow.account_number == account)
        )
    assert stored == 0
    again = bank.admin1.get(
        f"/api/v1/accounts/{account}/progress", params={"programme": world.DIPLOMA}
    )
    assert again.json()["plan"] == progress["plan"]
    # SHVC's registrar needs the learner's consent to read the whole record
    refused = bank.shvc.get(
        f"/api/v1/accounts/{account}/progress", params={"programme": world.DIPLOMA}
    )
    assert refused.status_code == 403
    assert "consent" in refused.json()["detail"]


def test_a_conversion_request_is_idempotent_and_counts_a_source_once(bank: Bank) -> None:
    approve_over_http(bank, rule_body("IDEMPOTENT"))
    account = holder(bank)
    body = {"account_number": account, "programme": world.DIPLOMA}
    key = {"Idempotency-Key": f"req-{account}"}
    first = bank.admin1.post("/api/v1/conversions", json=body, headers=key)
    documented(bank, "post", "/api/v1/conversions", first)
    assert first.status_code == 201, first.text
    retry = bank.admin1.post("/api/v1/conversions", json=body, headers=key)
    assert (retry.status_code, retry.json()["id"]) == (201, first.json()["id"])
    changed = bank.admin1.post(
        "/api/v1/conversions", json={**body, "on": "2026-10-01"}, headers=key
    )
    documented(bank, "post", "/api/v1/conversions", changed)
    assert (changed.status_code, changed.json()["type"]) == (
        422,
        "/problems/idempotency-key-reused",
    )
    second = bank.admin1.post("/api/v1/conversions", json=body)
    documented(bank, "post", "/api/v1/conversions", second)
    assert second.status_code == 409
    assert second.json()["type"] == "/problems/conversion-conflict"
    assert first.json()["id"] in " ".join(second.json()["problems"])  # names what blocks it
    with bank.live.database.unit_of_work() as uow:
        stored = uow.session.scalar(
            select(func.count())
            .select_from(ConversionRow)
            .where(ConversionRow.public_id == first.json()["id"])
        )
    assert stored == 1


def test_a_dry_run_stores_nothing(bank: Bank) -> None:
    approve_over_http(bank, rule_body("DRY"))
    account = holder(bank)
    with bank.live.database.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(ConversionRow))
    proposal = bank.admin1.post(
        "/api/v1/conversions",
        json={"account_number": account, "programme": world.DIPLOMA},
        params={"dry_run": "true"},
    )
    assert proposal.status_code == 200, proposal.text
    assert proposal.json()["total"] == "4.0"
    with bank.live.database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ConversionRow)) == before


def test_confirming_deposits_transferred_credit_linked_to_its_sources(bank: Bank) -> None:
    approve_over_http(bank, rule_body("CONFIRM"))
    account = holder(bank)
    created = bank.admin1.post(
        "/api/v1/conversions", json={"account_number": account, "programme": world.DIPLOMA}
    ).json()
    assert created["status"] == "pending"
    assert all(grant["transferred"] is None for grant in created["grants"])
    # BIMTEO's registrar does not decide on SHVC's programme
    assert bank.teo.post(f"/api/v1/conversions/{created['id']}/confirm").status_code == 403
    confirmed = bank.shvc.post(f"/api/v1/conversions/{created['id']}/confirm")
    documented(bank, "post", "/api/v1/conversions/{public_id}/confirm", confirmed)
    assert confirmed.status_code == 200, confirmed.text
    answer = confirmed.json()
    assert answer["status"] == "confirmed"
    assert answer["receipt"]["kind"] == "conversion.confirmed"
    transferred = {grant["transferred"] for grant in answer["grants"]}
    assert None not in transferred
    transcript = bank.admin1.get(f"/api/v1/accounts/{account}/outcomes").json()["outcomes"]
    made = {o["id"]: o for o in transcript if o["id"] in transferred}
    # transferred credit toward the programme, never the course BIM-101 as if the learner sat it
    assert [(o["item_code"], o["item_kind"], o["credits"]) for o in made.values()] == [
        (f"TC.{world.DIPLOMA}", "transferred_credit", "4.0")
    ]
    assert [o["record_id"] for o in made.values()] == [f"conversion/{created['id']}/0"]
    (transfer,) = [o["transfer"] for o in made.values()]
    (grant,) = answer["grants"]
    assert transfer["conversion"] == created["id"]
    assert transfer["programme"] == world.DIPLOMA
    assert (transfer["component"], transfer["rule"]) == ("BIM-101", grant["rule"])
    assert transfer["rule_version"] == grant["version"]
    assert transfer["sources"] == grant["sources"]
    assert all(o["transfer"] is None for o in transcript if o["id"] not in transferred)
    twice = bank.shvc.post(f"/api/v1/conversions/{created['id']}/confirm")
    assert (twice.status_code, twice.json()["type"]) == (
        409,
        "/problems/conversion-status-conflict",
    )
    # progress now counts the transferred components as met, and plans nothing more
    progress = bank.admin1.get(
        f"/api/v1/accounts/{account}/progress", params={"programme": world.DIPLOMA}
    ).json()
    assert {(m["component"], m["transferred"]) for m in progress["met"]} == {("BIM-101", True)}
    assert progress["plan"]["grants"] == []


def test_declining_frees_the_sources(bank: Bank) -> None:
    approve_over_http(bank, rule_body("DECLINE"))
    account = holder(bank)
    body = {"account_number": account, "programme": world.DIPLOMA}
    created = bank.admin1.post("/api/v1/conversions", json=body).json()
    declined = bank.shvc.post(
        f"/api/v1/conversions/{created['id']}/decline", json={"reason": "certificate forged"}
    )
    documented(bank, "post", "/api/v1/conversions/{public_id}/decline", declined)
    assert declined.json()["status"] == "declined"
    assert declined.json()["history"][-1]["reason"] == "certificate forged"
    assert bank.admin1.post("/api/v1/conversions", json=body).status_code == 201


def test_two_parallel_requests_make_one_conversion_and_one_conflict(bank: Bank) -> None:
    approve_over_http(bank, rule_body("PARALLEL"))
    for _ in range(3):
        account = holder(bank)
        body = {"account_number": account, "programme": world.DIPLOMA}
        barrier = Barrier(2)

        def post(
            client: httpx2.Client, body: dict[str, Any] = body, barrier: Barrier = barrier
        ) -> httpx2.Response:
            barrier.wait()
            return client.post("/api/v1/conversions", json=body)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(post, [bank.admin1, bank.admin2]))
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        conflict = next(a for a in answers if a.status_code == 409)
        assert conflict.json()["type"] == "/problems/conversion-conflict"


def test_two_parallel_requests_cannot_break_the_same_cap(bank: Bank) -> None:
    """Two sources, two rules, a programme cap that fits one of them: one request wins."""
    programme = {
        "code": "SHVC-CAP-3",
        "institution": "SHVC",
        "item": "DIP-CE",
        "name": "封顶 3 学分的专业",
        "total_credits": "30",
        "caps": {"programme_credits": "3"},
        "reverse_on_withdrawal": True,
    }
    created = bank.shvc.post("/api/v1/programmes", json=programme)
    documented(bank, "post", "/api/v1/programmes", created)
    assert created.status_code == 201, created.text
    assert created.json()["programme_cap"] == "3.0"
    for code, item in (("CAP-X", "BIMTEO:BIM-X"), ("CAP-DRAW", "SHVC:DRAW-100")):
        approve_over_http(
            bank,
            rule_body(
                code,
                programme="SHVC-CAP-3",
                sources=[{"item": item}],
                targets=[{"kind": "elective", "credits": "3"}],
            ),
        )
    account = holder(bank)
    with bank.live.database.unit_of_work() as uow:
        world.deposit(
            uow, account, institution="SHVC", item="DRAW-100", level="4", record=f"D-{account}"
        )
    body = {"account_number": account, "programme": "SHVC-CAP-3"}
    barrier = Barrier(2)

    def post(client: httpx2.Client) -> httpx2.Response:
        barrier.wait()
        return client.post("/api/v1/conversions", json=body)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(post, [bank.admin1, bank.admin2]))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 201).json()
    assert winner["total"] == "3.0"


def test_a_revoked_source_flags_or_reverses_the_conversions_built_on_it(bank: Bank) -> None:
    approve_over_http(bank, rule_body("REVOKE"))
    account = holder(bank)
    created = bank.admin1.post(
        "/api/v1/conversions", json={"account_number": account, "programme": world.DIPLOMA}
    ).json()
    bank.shvc.post(f"/api/v1/conversions/{created['id']}/confirm").raise_for_status()
    source = created["grants"][0]["sources"][0]
    revoked = bank.admin1.post(
        f"/api/v1/outcomes/{source}/revocation", json={"reason": "issued in error"}
    )
    assert revoked.status_code == 200, revoked.text
    flagged = bank.auditor.get(f"/api/v1/conversions/{created['id']}").json()
    assert (flagged["status"], flagged["needs_review"]) == ("confirmed", True)
    assert flagged["history"][-1]["kind"] == "flagged"
    assert flagged["history"][-1]["outcome"] == source
    # the institution reviews it and reverses it: the transferred credit is revoked
    reversed_ = bank.shvc.post(
        f"/api/v1/conversions/{created['id']}/reverse", json={"reason": "source revoked"}
    )
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["status"] == "reversed"
    for grant in reversed_.json()["grants"]:
        outcome = bank.admin1.get(f"/api/v1/outcomes/{grant['transferred']}").json()
        assert outcome["status"] == "revoked"


def test_a_superseded_source_flags_the_conversion_built_on_it(bank: Bank) -> None:
    approve_over_http(bank, rule_body("SUPERSEDE"))
    account = holder(bank)
    created = bank.admin1.post(
        "/api/v1/conversions", json={"account_number": account, "programme": world.DIPLOMA}
    ).json()
    source = created["grants"][0]["sources"][0]
    corrected = bank.admin1.post(
        f"/api/v1/outcomes/{source}/supersession",
        json={
            "record_id": f"X-{account}-C1",
            "item_code": "BIM-X",
            "level": "intermediate",
            "score": "90",
            "assessed_on": "2025-06-30",
            "setting": "formal",
            "reason": "score corrected",
        },
    )
    assert corrected.status_code == 201, corrected.text
    flagged = bank.auditor.get(f"/api/v1/conversions/{created['id']}").json()
    assert (flagged["status"], flagged["needs_review"]) == ("pending", True)
    assert flagged["history"][-1]["kind"] == "flagged"
    assert flagged["history"][-1]["outcome"] == source
    assert "superseded" in flagged["history"][-1]["reason"]


def test_a_programme_whose_policy_reverses_does_so_on_revocation(bank: Bank) -> None:
    bank.shvc.post(
        "/api/v1/programmes",
        json={
            "code": "SHVC-REVERSING",
            "institution": "SHVC",
            "item": "DIP-CE",
            "name": "撤销即冲回的专业",
            "total_credits": "30",
            "reverse_on_withdrawal": True,
        },
    ).raise_for_status()
    approve_over_http(
        bank,
        rule_body(
            "AUTO-REVERSE",
            programme="SHVC-REVERSING",
            targets=[{"kind": "elective", "credits": "5", "category": "elective"}],
        ),
    )
    account = holder(bank)
    created = bank.admin1.post(
        "/api/v1/conversions", json={"account_number": account, "programme": "SHVC-REVERSING"}
    ).json()
    bank.shvc.post(f"/api/v1/conversions/{created['id']}/confirm").raise_for_status()
    source = created["grants"][0]["sources"][0]
    bank.admin1.post(
        f"/api/v1/outcomes/{source}/revocation", json={"reason": "issued in error"}
    ).raise_for_status()
    after = bank.auditor.get(f"/api/v1/conversions/{created['id']}").json()
    assert after["status"] == "reversed"
    assert after["history"][-1]["outcome"] == source
    transferred = after["grants"][0]["transferred"]
    assert bank.admin1.get(f"/api/v1/outcomes/{transferred}").json()["status"] == "revoked"


def test_a_retired_rule_no_longer_applies_from_its_date(bank: Bank) -> None:
    approved = approve_over_http(bank, rule_body("RETIRE"))
    retired = bank.shvc.post(
        f"/api/v1/rules/{approved['id']}/retire",
        json={"effective_on": "2026-12-01", "reason": "superseded by the new curriculum"},
    )
    documented(bank, "post", "/api/v1/rules/{rule_id}/retire", retired)
    assert retired.json()["status"] == "retired"
    assert retired.json()["receipt"]["kind"] == "conversion_rule.retired"
    account = holder(bank)

    def offers(on: str) -> set[str]:
        progress = bank.admin1.get(
            f"/api/v1/accounts/{account}/progress",
            params={"programme": world.DIPLOMA, "on": on},
        ).json()
        return {check["rule"] for check in progress["what_if"] if check["applicable"]}

    assert "RETIRE" in offers("2026-11-30")
    assert "RETIRE" not in offers("2026-12-01")


def test_the_log_verifies_after_all_of_it(bank: Bank) -> None:
    readers, unlogged = ledger_readers()
    with bank.live.database.unit_of_work() as uow:
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    assert report.problems == []
    assert report.facts_checked > 0
