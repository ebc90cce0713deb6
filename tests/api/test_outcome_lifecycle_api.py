"""Verifying, revoking and correcting outcomes over HTTP, on both databases.

Outcomes are never edited: each step is a new fact in the outcome's history,
and its status (shown on the transcript and filterable there) follows from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx2
import pytest

from creditbank.accounts.model import resident_check_character
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.conftest import LiveBank

FIRST = "33010619880412345"
ID_NUMBER = FIRST + resident_check_character(FIRST)
PROBLEM = "application/problem+json"
_serial = count(1)


@dataclass
class People:
    registrar: httpx2.Client
    assessor: httpx2.Client
    officer: httpx2.Client
    other_registrar: httpx2.Client
    other_assessor: httpx2.Client
    auditor: httpx2.Client
    admin: httpx2.Client
    account: str
    spec: dict[str, Any]

    def clients(self) -> list[httpx2.Client]:
        return [
            self.registrar,
            self.assessor,
            self.officer,
            self.other_registrar,
            self.other_assessor,
            self.auditor,
            self.admin,
        ]


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


@pytest.fixture(scope="module")
def people(live_bank: LiveBank) -> Iterator[People]:
    with live_bank.database.unit_of_work() as uow:
        for code in ("JSVC", "OTHER-U"):
            institutions.add_institution(
                uow=uow, code=code, name=code, type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
            )
            for role in (Role.REGISTRAR, Role.ASSESSOR, Role.ACCREDITATION_OFFICER):
                institutions.add_user(
                    uow=uow,
                    email=f"{role.value}@{code.lower()}.example",
                    role=role,
                    institution=code,
                )
        institutions.add_user(uow=uow, email="audit@bank.example", role=Role.AUDITOR)
        institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
    found = People(
        registrar=client_for(live_bank, "registrar@jsvc.example"),
        assessor=client_for(live_bank, "assessor@jsvc.example"),
        officer=client_for(live_bank, "accreditation_officer@jsvc.example"),
        other_registrar=client_for(live_bank, "registrar@other-u.example"),
        other_assessor=client_for(live_bank, "assessor@other-u.example"),
        auditor=client_for(live_bank, "audit@bank.example"),
        admin=client_for(live_bank, "admin@bank.example"),
        account="",
        spec={},
    )
    found.registrar.post(
        "/api/v1/catalog/items",
        json={
            "institution": "JSVC",
            "code": "CAD-201",
            "kind": "course",
            "name": "计算机辅助设计",
            "framework": "LOFOUC",
            "levels": ["4"],
            "credits": "3",
        },
    ).raise_for_status()
    found.account = found.registrar.post(
        "/api/v1/learners", json={"id_number": ID_NUMBER, "name": "周敏"}
    ).json()["account_number"]
    found.spec = found.auditor.get("/openapi.json").json()
    yield found
    for client in found.clients():
        client.close()


def facts(**changes: Any) -> dict[str, Any]:
    return {
        "record_id": f"JSVC-LC-{next(_serial)}",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "80",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        **changes,
    }


def deposit(people: People, **changes: Any) -> dict[str, Any]:
    response = people.registrar.post(
        "/api/v1/outcomes",
        json={"institution": "JSVC", "account_number": people.account, **facts(**changes)},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def documented(people: People, method: str, template: str, response: httpx2.Response) -> None:
    """The status is declared for the endpoint in /openapi.json, with the problem schema."""
    declared = people.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def problem(response: httpx2.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}", body
    return body


def test_revocation_is_a_fact_with_a_reason(people: People) -> None:
    outcome = deposit(people)
    url = f"/api/v1/outcomes/{outcome['id']}"
    revoked = people.registrar.post(f"{url}/revocation", json={"reason": "certificate forged"})
    documented(people, "post", "/api/v1/outcomes/{public_id}/revocation", revoked)
    assert revoked.status_code == 200, revoked.text
    body = revoked.json()
    assert body["status"] == "revoked" and body["score"] == "80.00"
    assert [(e["kind"], e["reason"], e["by"], e["by_institution"]) for e in body["history"]] == [
        ("revoked", "certificate forged", "registrar@jsvc.example", "JSVC")
    ]
    again = people.registrar.post(f"{url}/revocation", json={"reason": "again"})
    documented(people, "post", "/api/v1/outcomes/{public_id}/revocation", again)
    conflict = problem(again, 409, "outcome-status-conflict")
    assert "is revoked already" in conflict["detail"] and conflict["outcome_status"] == "revoked"
    verified = people.assessor.post(f"{url}/verification")
    assert (
        "is revoked; only a deposited outcome"
        in problem(verified, 409, "outcome-status-conflict")["detail"]
    )
    corrected = people.registrar.post(f"{url}/supersession", json={**facts(), "reason": "x"})
    assert (
        "is revoked; only a deposited or verified"
        in problem(corrected, 409, "outcome-status-conflict")["detail"]
    )
    read = people.auditor.get(url)
    documented(people, "get", "/api/v1/outcomes/{public_id}", read)
    assert read.json()["status"] == "revoked" and len(read.json()["history"]) == 1


def test_a_reason_is_required_and_checked(people: People) -> None:
    url = f"/api/v1/outcomes/{deposit(people)['id']}/revocation"
    problem(people.registrar.post(url, json={}), 422, "validation-error")
    blank = people.registrar.post(url, json={"reason": "   "})
    documented(people, "post", "/api/v1/outcomes/{public_id}/revocation", blank)
    assert "reason of 1 to 500" in problem(blank, 422, "invalid-reason")["detail"]
    problem(people.registrar.post(url, json={"reason": "x" * 501}), 422, "validation-error")
    assert people.auditor.get(url.removesuffix("/revocation")).json()["status"] == "deposited"


def test_verification_by_the_issuers_assessors(people: People) -> None:
    outcome = deposit(people)
    url = f"/api/v1/outcomes/{outcome['id']}"
    for refused in (people.registrar, people.other_assessor, people.auditor):
        problem(refused.post(f"{url}/verification"), 403, "forbidden")
    verified = people.officer.post(
        f"{url}/verification", json={"reason": "checked against the register"}
    )
    documented(people, "post", "/api/v1/outcomes/{public_id}/verification", verified)
    assert verified.status_code == 200, verified.text
    history = verified.json()["history"]
    assert verified.json()["status"] == "verified"
    assert [(e["kind"], e["by"]) for e in history] == [
        ("verified", "accreditation_officer@jsvc.example")
    ]
    twice = people.assessor.post(f"{url}/verification")
    assert (
        "is verified; only a deposited outcome"
        in problem(twice, 409, "outcome-status-conflict")["detail"]
    )
    # a verified outcome can still be revoked, and revoked wins over verified
    assert people.admin.post(f"{url}/revocation", json={"reason": "appeal upheld"}).json()[
        "status"
    ] == ("revoked")
    kinds = [e["kind"] for e in people.registrar.get(url).json()["history"]]
    assert kinds == ["verified", "revoked"]


def test_a_correction_supersedes_and_both_stay_readable(people: People) -> None:
    old = deposit(people, score="62")
    url = f"/api/v1/outcomes/{old['id']}"
    correction = {**facts(score="92"), "reason": "score mistyped"}
    created = people.registrar.post(f"{url}/supersession", json=correction)
    documented(people, "post", "/api/v1/outcomes/{public_id}/supersession", created)
    assert created.status_code == 201, created.text
    new = created.json()
    assert (new["status"], new["score"], new["record_id"]) == (
        "deposited",
        "92.00",
        correction["record_id"],
    )
    assert new["replaces"] == old["id"] and new["replaced_by"] is None
    assert new["links"] == {
        "self": f"/api/v1/outcomes/{new['id']}",
        "replaces": url,
        "receipt": f"/api/v1/records/{new['id']}/receipt",
    }
    assert new["receipt"]["kind"] == "outcome.deposited"
    assert new["account_number"] == people.account and new["institution"] == "JSVC"
    before = people.registrar.get(url).json()
    assert (before["status"], before["score"], before["replaced_by"]) == (
        "superseded",
        "62.00",
        new["id"],
    )
    assert before["links"]["replaced_by"] == f"/api/v1/outcomes/{new['id']}"
    assert [(e["kind"], e["reason"], e["replaced_by"]) for e in before["history"]] == [
        ("superseded", "score mistyped", new["id"])
    ]
    # the same correction again answers the outcome it made
    again = people.registrar.post(f"{url}/supersession", json=correction)
    documented(people, "post", "/api/v1/outcomes/{public_id}/supersession", again)
    assert again.status_code == 200 and again.json()["id"] == new["id"]
    # ... other facts under that record_id are a conflict, another record a status conflict
    other = people.registrar.post(f"{url}/supersession", json={**correction, "score": "93"})
    problem(other, 409, "record-conflict")
    third = people.registrar.post(f"{url}/supersession", json={**facts(), "reason": "x"})
    assert "is superseded" in problem(third, 409, "outcome-status-conflict")["detail"]
    # the correction itself can be corrected in turn: a chain
    newer = people.registrar.post(
        f"/api/v1/outcomes/{new['id']}/supersession", json={**facts(score="93"), "reason": "y"}
    ).json()
    middle = people.auditor.get(f"/api/v1/outcomes/{new['id']}").json()
    assert (middle["replaces"], middle["replaced_by"]) == (old["id"], newer["id"])


def test_a_bad_correction_changes_nothing(people: People) -> None:
    old = deposit(people)
    url = f"/api/v1/outcomes/{old['id']}/supersession"
    invalid = people.registrar.post(url, json={**facts(level="9"), "reason": "level"})
    documented(people, "post", "/api/v1/outcomes/{public_id}/supersession", invalid)
    assert "not at 9" in str(problem(invalid, 422, "invalid-outcome")["problems"])
    taken = people.registrar.post(url, json={**facts(record_id=old["record_id"]), "reason": "r"})
    assert "needs a record_id of its own" in problem(taken, 409, "record-conflict")["detail"]
    problem(people.other_registrar.post(url, json={**facts(), "reason": "r"}), 403, "forbidden")
    problem(people.assessor.post(url, json={**facts(), "reason": "r"}), 403, "forbidden")
    after = people.auditor.get(f"/api/v1/outcomes/{old['id']}").json()
    assert (after["status"], after["history"]) == ("deposited", [])


def test_unknown_outcomes_and_other_institutions(people: People) -> None:
    for method, suffix, body in (
        ("get", "", None),
        ("post", "/verification", None),
        ("post", "/revocation", {"reason": "r"}),
        ("post", "/supersession", {**facts(), "reason": "r"}),
    ):
        response = people.admin.request(method, f"/api/v1/outcomes/{'0' * 32}{suffix}", json=body)
        documented(people, method, "/api/v1/outcomes/{public_id}" + suffix, response)
        problem(response, 404, "outcome-not-found")
    outcome = deposit(people)
    problem(people.other_registrar.get(f"/api/v1/outcomes/{outcome['id']}"), 403, "forbidden")
    assert people.assessor.get(f"/api/v1/outcomes/{outcome['id']}").status_code == 200


def test_the_transcript_shows_and_filters_by_status(people: People) -> None:
    states = {
        "deposited": deposit(people)["id"],
        "verified": deposit(people)["id"],
        "revoked": deposit(people)["id"],
        "superseded": deposit(people)["id"],
    }
    people.assessor.post(f"/api/v1/outcomes/{states['verified']}/verification").raise_for_status()
    people.registrar.post(
        f"/api/v1/outcomes/{states['revoked']}/revocation", json={"reason": "r"}
    ).raise_for_status()
    people.registrar.post(
        f"/api/v1/outcomes/{states['superseded']}/supersession",
        json={**facts(), "reason": "r"},
    ).raise_for_status()
    url = f"/api/v1/accounts/{people.account}/outcomes"
    everything = {o["id"]: o["status"] for o in people.auditor.get(url).json()["outcomes"]}
    for status, outcome_id in states.items():
        assert everything[outcome_id] == status  # nothing is hidden by default
        filtered = people.auditor.get(url, params={"status": status, "limit": 500}).json()
        ids = {o["id"] for o in filtered["outcomes"]}
        assert outcome_id in ids
        assert ids == {i for i, s in everything.items() if s == status}
    bad = people.auditor.get(url, params={"status": "lost"})
    problem(bad, 422, "validation-error")
