"""Depositing single outcomes and reading transcripts over HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2
import pytest

from creditbank import clock
from creditbank.accounts.model import resident_check_character
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.conftest import LiveBank

FIRST = "32010219950615789"
ID_NUMBER = FIRST + resident_check_character(FIRST)


@dataclass
class Actors:
    college: httpx2.Client
    provider: httpx2.Client
    other: httpx2.Client
    auditor: httpx2.Client
    account: str


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


@pytest.fixture(scope="module")
def actors(live_bank: LiveBank) -> Iterator[Actors]:
    with live_bank.database.unit_of_work() as uow:
        for code, name, kind in (
            ("JSVC", "江苏某职业技术学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
            ("TEO-BIM", "某培训评价组织", InstitutionType.TRAINING_EVALUATION_ORGANISATION),
            ("OTHER-U", "另一所大学", InstitutionType.UNIVERSITY),
        ):
            institutions.add_institution(uow=uow, code=code, name=name, type=kind)
            institutions.add_user(
                uow=uow, email=f"reg@{code.lower()}.example", role=Role.REGISTRAR, institution=code
            )
        institutions.add_user(uow=uow, email="audit@bank.example", role=Role.AUDITOR)
    college = client_for(live_bank, "reg@jsvc.example")
    provider = client_for(live_bank, "reg@teo-bim.example")
    college.post(
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
    provider.post(
        "/api/v1/catalog/items",
        json={
            "institution": "TEO-BIM",
            "code": "BIM-X",
            "kind": "x_certificate",
            "name": "BIM 职业技能等级证书",
            "framework": "1X",
            "levels": ["beginner", "intermediate", "advanced"],
            "provider": "某培训评价组织",
            "approval_round": 1,
        },
    ).raise_for_status()
    account = college.post(
        "/api/v1/learners", json={"id_number": ID_NUMBER, "name": "刘洋"}
    ).json()["account_number"]
    actors = Actors(
        college,
        provider,
        client_for(live_bank, "reg@other-u.example"),
        client_for(live_bank, "audit@bank.example"),
        account,
    )
    yield actors
    for client in (actors.college, actors.provider, actors.other, actors.auditor):
        client.close()


def course(account: str, **changes: Any) -> dict[str, Any]:
    return {
        "institution": "JSVC",
        "account_number": account,
        "record_id": "JSVC-2024-0001",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "86.5",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        **changes,
    }


def test_deposit_is_idempotent_and_never_overwrites(actors: Actors) -> None:
    record = course(actors.account, record_id="JSVC-IDEMPOTENT")
    first = actors.college.post("/api/v1/outcomes", json=record)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["level"]["framework"], body["level"]["version"], body["level"]["level"]) == (
        "LOFOUC",
        1,
        "4",
    )
    assert body["credits"] == "3.0" and body["score"] == "86.50" and body["status"] == "deposited"
    again = actors.college.post("/api/v1/outcomes", json=record)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    changed = actors.college.post("/api/v1/outcomes", json={**record, "score": "90"})
    assert changed.status_code == 409 and changed.json()["type"] == "/problems/record-conflict"
    transcript = actors.auditor.get(f"/api/v1/accounts/{actors.account}/outcomes").json()
    kept = [o["score"] for o in transcript["outcomes"] if o["record_id"] == "JSVC-IDEMPOTENT"]
    assert kept == ["86.50"]


def test_every_problem_of_an_outcome_is_named(actors: Actors) -> None:
    future = (clock.today() + timedelta(days=30)).isoformat()
    response = actors.college.post(
        "/api/v1/outcomes",
        json=course(
            actors.account, record_id="JSVC-BAD", level="9", credits="4", assessed_on=future
        ),
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert "item CAD-201 is awarded at 4, not at 9" in problems
    assert "credits 4.0 exceed the 3.0 the item carries" in problems
    assert f"assessed_on {future} is in the future" in problems
    unknown = actors.college.post(
        "/api/v1/outcomes", json=course(actors.account, record_id="JSVC-X", item_code="NOPE")
    )
    assert (
        unknown.status_code == 422 and "JSVC has no catalogue item NOPE" in unknown.json()["detail"]
    )
    missing = actors.college.post(
        "/api/v1/outcomes", json=course("CB000000000000", record_id="JSVC-Y")
    )
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/account-not-found"


def test_an_institution_cannot_deposit_for_another(actors: Actors) -> None:
    response = actors.other.post(
        "/api/v1/outcomes", json=course(actors.account, record_id="FAKE-1")
    )
    assert response.status_code == 403
    foreign_item = actors.college.post(
        "/api/v1/outcomes",
        json={
            **course(actors.account, record_id="JSVC-BIM"),
            "item_code": "BIM-X",
            "level": "advanced",
            "credits": None,
        },
    )
    assert foreign_item.status_code == 422  # BIM-X is not JSVC's item


def test_transcripts_are_filtered_and_paginated(actors: Actors) -> None:
    assert actors.college.post("/api/v1/outcomes", json=course(actors.account)).status_code in {
        200,
        201,
    }
    for n, level in enumerate(["beginner", "intermediate", "advanced"]):
        actors.provider.post(
            "/api/v1/outcomes",
            json={
                "institution": "TEO-BIM",
                "account_number": actors.account,
                "record_id": f"BIM-{n}",
                "item_code": "BIM-X",
                "level": level,
                "score": "75",
                "assessed_on": f"202{n + 1}-05-20",
                "setting": "non-formal",
            },
        ).raise_for_status()
    url = f"/api/v1/accounts/{actors.account}/outcomes"
    everything = actors.auditor.get(url).json()["outcomes"]
    assert {o["institution"] for o in everything} == {"JSVC", "TEO-BIM"}
    xs = actors.auditor.get(url, params={"kind": "x_certificate", "from": "2022-01-01"}).json()[
        "outcomes"
    ]
    assert [o["level"]["level"] for o in xs] == ["intermediate", "advanced"]
    # pages of one, following the cursor, give every outcome exactly once
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = actors.auditor.get(url, params=params).json()
        seen += [o["id"] for o in page["outcomes"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [o["id"] for o in everything]
    assert actors.auditor.get(url, params={"status": "revoked"}).json()["outcomes"] == []
    bad = actors.auditor.get(url, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["type"] == "/problems/invalid-cursor"


def test_staff_see_only_their_institutions_outcomes(actors: Actors) -> None:
    assert actors.college.post("/api/v1/outcomes", json=course(actors.account)).status_code in {
        200,
        201,
    }
    url = f"/api/v1/accounts/{actors.account}/outcomes"
    own = actors.college.get(url).json()["outcomes"]
    assert own and {o["institution"] for o in own} == {"JSVC"}
    assert actors.other.get(url).json()["outcomes"] == []
    assert actors.college.get(url, params={"institution": "TEO-BIM"}).status_code == 403
