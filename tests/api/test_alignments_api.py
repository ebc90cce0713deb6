"""Alignments to skills over HTTP (``/api/v1/alignments``), on both databases: proposals with
scores and matched words, a draft, its submission, four eyes (the author refused with
``alignment-four-eyes``), approval logged with its receipt, the queue and the lists, a
rejection needing a reason, retirement; every refusal an RFC 9457 problem the OpenAPI
description declares, and nothing stored by a refused draft."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from creditbank.institutions import service as institutions
from tests import alignments_world as world
from tests import conversion_world
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"


@dataclass
class Bank:
    live: LiveBank
    teo: httpx2.Client
    shvc: httpx2.Client
    admin1: httpx2.Client
    admin2: httpx2.Client
    auditor: httpx2.Client
    spec: dict[str, Any]


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
        world.build(uow)
    clients = [
        client_for(live_bank, email)
        for email in (
            conversion_world.TEO_REGISTRAR,
            conversion_world.SHVC_REGISTRAR,
            *conversion_world.ADMINS,
            world.AUDITOR,
        )
    ]
    teo, shvc, admin1, admin2, auditor = clients
    found = Bank(live_bank, teo, shvc, admin1, admin2, auditor, spec={})
    found.spec = found.auditor.get("/openapi.json").json()
    yield found
    for client in clients:
        client.close()


def documented(bank: Bank, method: str, template: str, response: httpx2.Response) -> None:
    declared = bank.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def _draft(bank: Bank, client: httpx2.Client, **body: Any) -> httpx2.Response:
    answer = client.post(
        "/api/v1/alignments",
        json={"item": world.ITEM, "skills": [world.BIM, world.TEAMWORK], **body},
    )
    documented(bank, "post", "/api/v1/alignments", answer)
    return answer


def test_proposed_drafted_submitted_approved_and_logged(bank: Bank) -> None:
    proposals = bank.teo.get(
        "/api/v1/alignments/proposals", params={"item": world.ITEM, "level": "intermediate"}
    )
    assert proposals.status_code == 200, proposals.text
    shown = proposals.json()
    assert shown["levels"] == ["beginner", "intermediate", "advanced"]
    assert shown["proposed"][0]["uri"] == world.BIM
    assert 0 < shown["proposed"][0]["score"] <= 1
    drafted = _draft(bank, bank.teo, level="intermediate")
    assert drafted.status_code == 201, drafted.text
    version = drafted.json()
    assert (version["status"], version["version"], version["level_code"]) == (
        "draft",
        1,
        "intermediate",
    )
    path = f"/api/v1/alignments/{version['id']}"
    submitted = bank.teo.post(f"{path}/submit")
    assert submitted.json()["status"] == "submitted"
    queue = bank.admin2.get("/api/v1/alignments", params={"status": "submitted"})
    assert [v["id"] for v in queue.json()] == [version["id"]]
    by_registrar = bank.teo.post(f"{path}/approve", json={"reason": "mine"})
    assert by_registrar.status_code == 403
    documented(bank, "post", "/api/v1/alignments/{alignment_id}/approve", by_registrar)
    approved = bank.admin1.post(f"{path}/approve", json={"reason": "checked"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["in_force"] is True
    assert approved.json()["receipt"]["kind"] == "skill_alignment.approved"
    again = bank.admin2.post(f"{path}/approve")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/problems/alignment-status-conflict")
    assert bank.auditor.get(path).json()["status"] == "approved"
    retired = bank.teo.post(f"{path}/retire", json={"reason": "the course changed"})
    assert retired.json()["receipt"]["kind"] == "skill_alignment.retired"


def test_four_eyes_a_reason_to_reject_and_refusals(bank: Bank) -> None:
    version = _draft(bank, bank.admin1, level="advanced").json()
    path = f"/api/v1/alignments/{version['id']}"
    bank.admin1.post(f"{path}/submit")
    own = bank.admin1.post(f"{path}/approve")
    assert own.status_code == 403
    assert own.json()["type"].endswith("/problems/alignment-four-eyes")
    documented(bank, "post", "/api/v1/alignments/{alignment_id}/approve", own)
    reasonless = bank.admin2.post(f"{path}/reject", json={"reason": " "})
    assert reasonless.status_code == 422
    documented(bank, "post", "/api/v1/alignments/{alignment_id}/reject", reasonless)
    rejected = bank.admin2.post(f"{path}/reject", json={"reason": "too broad"})
    assert rejected.json()["status"] == "rejected"
    before = bank.admin1.get("/api/v1/alignments").json()
    refusals = {
        422: _draft(bank, bank.teo, skills=["urn:test:skill:none"]),
        404: _draft(bank, bank.teo, item="BIMTEO:NOPE"),
        403: _draft(bank, bank.shvc),  # another institution's item
    }
    for status, answer in refusals.items():
        assert answer.status_code == status, answer.text
    assert bank.admin1.get("/api/v1/alignments").json() == before
    missing = bank.admin1.get("/api/v1/alignments/999999")
    assert missing.status_code == 404
    documented(bank, "get", "/api/v1/alignments/{alignment_id}", missing)
    others = bank.shvc.get("/api/v1/alignments", params={"institution": "BIMTEO"})
    assert others.status_code == 403
    assert bank.shvc.get("/api/v1/alignments").json() == []  # SHVC's own: none
