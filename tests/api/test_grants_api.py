"""Accredited to issue: grants of catalogue items over HTTP, and deposits under them, both databases."""

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

FIRST = "51010719920101234"
ID_NUMBER = FIRST + resident_check_character(FIRST)
PROBLEM = "application/problem+json"
_serial = count(1)


@dataclass
class Actors:
    provider: httpx2.Client  # TEO-BIM's registrar: owns BIM-X
    school: httpx2.Client  # JSVC's registrar: a pilot school
    other: httpx2.Client  # OTHER-U's registrar
    second: httpx2.Client  # TEO-2's registrar: owns another BIM-X
    admin: httpx2.Client
    account: str
    spec: dict[str, Any]


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


def x_certificate(owner: str) -> dict[str, Any]:
    return {
        "institution": owner,
        "code": "BIM-X",
        "kind": "x_certificate",
        "name": "BIM 职业技能等级证书",
        "framework": "1X",
        "levels": ["beginner", "intermediate", "advanced"],
        "provider": owner,
        "approval_round": 1,
    }


@pytest.fixture(scope="module")
def actors(live_bank: LiveBank) -> Iterator[Actors]:
    with live_bank.database.unit_of_work() as uow:
        for code, kind in (
            ("TEO-BIM", InstitutionType.TRAINING_EVALUATION_ORGANISATION),
            ("TEO-2", InstitutionType.TRAINING_EVALUATION_ORGANISATION),
            ("JSVC", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
            ("OTHER-U", InstitutionType.UNIVERSITY),
        ):
            institutions.add_institution(uow=uow, code=code, name=code, type=kind)
            institutions.add_user(
                uow=uow, email=f"reg@{code.lower()}.example", role=Role.REGISTRAR, institution=code
            )
        institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
    found = Actors(
        provider=client_for(live_bank, "reg@teo-bim.example"),
        school=client_for(live_bank, "reg@jsvc.example"),
        other=client_for(live_bank, "reg@other-u.example"),
        second=client_for(live_bank, "reg@teo-2.example"),
        admin=client_for(live_bank, "admin@bank.example"),
        account="",
        spec={},
    )
    found.provider.post("/api/v1/catalog/items", json=x_certificate("TEO-BIM")).raise_for_status()
    found.second.post("/api/v1/catalog/items", json=x_certificate("TEO-2")).raise_for_status()
    found.account = found.school.post(
        "/api/v1/learners", json={"id_number": ID_NUMBER, "name": "赵磊"}
    ).json()["account_number"]
    found.spec = found.admin.get("/openapi.json").json()
    yield found
    for client in (found.provider, found.school, found.other, found.second, found.admin):
        client.close()


def documented(actors: Actors, method: str, template: str, response: httpx2.Response) -> None:
    declared = actors.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def problem(response: httpx2.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}", body
    return body


GRANTS = "/api/v1/catalog/items/{code}/grants"


def grant(
    actors: Actors, client: httpx2.Client | None = None, code: str = "BIM-X", **body: Any
) -> httpx2.Response:
    response = (client or actors.provider).post(
        GRANTS.format(code=code), json={"owner": "TEO-BIM", "institution": "JSVC", **body}
    )
    documented(actors, "post", GRANTS, response)
    return response


def deposit(actors: Actors, client: httpx2.Client, **changes: Any) -> httpx2.Response:
    institution = "OTHER-U" if client is actors.other else "JSVC"
    response = client.post(
        "/api/v1/outcomes",
        json={
            "institution": institution,
            "account_number": actors.account,
            "record_id": f"{institution}-BIM-{next(_serial)}",
            "item_code": "BIM-X",
            "level": "intermediate",
            "score": "88",
            "assessed_on": "2024-06-30",
            "setting": "non-formal",
            **changes,
        },
    )
    documented(actors, "post", "/api/v1/outcomes", response)
    return response


def test_a_pilot_school_deposits_under_its_grant_and_not_outside_it(actors: Actors) -> None:
    before = deposit(actors, actors.school)
    assert "JSVC has no catalogue item BIM-X" in problem(before, 422, "invalid-outcome")["detail"]
    created = grant(actors, valid_from="2024-01-01", valid_until="2025-12-31")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["owner"], body["item_code"], body["institution"]) == ("TEO-BIM", "BIM-X", "JSVC")
    assert (body["valid_from"], body["valid_until"], body["withdrawn_at"]) == (
        "2024-01-01",
        "2025-12-31",
        None,
    )
    assert body["granted_by"] == "reg@teo-bim.example"
    outcome = deposit(actors, actors.school)
    assert outcome.status_code == 201, outcome.text
    assert (outcome.json()["institution"], outcome.json()["item_owner"]) == ("JSVC", "TEO-BIM")
    for spelling in ("TEO-BIM:BIM-X", "teo-bim:BIM-X"):
        assert deposit(actors, actors.school, item_code=spelling).status_code == 201
    early = deposit(actors, actors.school, assessed_on="2023-12-31")
    assert (
        "JSVC is accredited to issue TEO-BIM:BIM-X for assessments in 2024-01-01/2025-12-31, "
        "not on 2023-12-31" in problem(early, 422, "invalid-outcome")["problems"]
    )
    problem(deposit(actors, actors.other), 422, "invalid-outcome")  # no grant to OTHER-U
    # the grantee's staff see their outcomes; the transcript names the item's owner
    transcript = actors.school.get(f"/api/v1/accounts/{actors.account}/outcomes").json()
    assert {(o["institution"], o["item_owner"]) for o in transcript["outcomes"]} == {
        ("JSVC", "TEO-BIM")
    }


def test_grants_are_checked(actors: Actors) -> None:
    overlapping = grant(actors, institution="OTHER-U", valid_from="2020-01-01")
    assert overlapping.status_code == 201
    again = grant(actors, institution="OTHER-U", valid_from="2021-01-01", valid_until="2021-12-31")
    assert "withdraw that grant first" in problem(again, 409, "grant-exists")["detail"]
    itself = grant(actors, institution="TEO-BIM", valid_from="2025-01-01", valid_until="2024-01-01")
    assert sorted(problem(itself, 422, "invalid-grant")["problems"]) == [
        "TEO-BIM owns the item and needs no grant to issue it",
        "valid_until 2024-01-01 is before valid_from 2025-01-01",
    ]
    missing = grant(actors, code="NOPE")
    assert "TEO-BIM has no catalogue item NOPE" in problem(missing, 404, "item-not-found")["detail"]
    problem(grant(actors, institution="NOWHERE"), 404, "institution-not-found")
    problem(grant(actors, institution="x"), 422, "invalid-institution")
    problem(grant(actors, valid_from="someday"), 422, "validation-error")
    problem(grant(actors, client=actors.school), 403, "forbidden")  # the grantee cannot grant


def test_listing_and_withdrawing(actors: Actors) -> None:
    created = grant(
        actors, institution="OTHER-U", valid_from="2010-01-01", valid_until="2010-12-31"
    )
    grant_id = created.json()["id"]
    listed = actors.other.get(GRANTS.format(code="BIM-X"), params={"owner": "teo-bim"})
    documented(actors, "get", GRANTS, listed)
    assert grant_id in [g["id"] for g in listed.json()]
    no_owner = actors.other.get(GRANTS.format(code="BIM-X"))
    documented(actors, "get", GRANTS, no_owner)
    problem(no_owner, 422, "validation-error")
    url = f"/api/v1/catalog/grants/{grant_id}/withdrawal"
    template = "/api/v1/catalog/grants/{grant_id}/withdrawal"
    problem(actors.other.post(url), 403, "forbidden")  # the holder cannot withdraw it either
    withdrawn = actors.provider.post(url)
    documented(actors, "post", template, withdrawn)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == (
        "reg@teo-bim.example"
    )
    twice = actors.admin.post(url)
    documented(actors, "post", template, twice)
    assert "was withdrawn already" in problem(twice, 409, "grant-withdrawn")["detail"]
    unknown = actors.admin.post("/api/v1/catalog/grants/999999/withdrawal")
    documented(actors, "post", template, unknown)
    problem(unknown, 404, "grant-not-found")
    # a withdrawn grant stays listed, with when it was withdrawn
    kept = {
        g["id"]: g
        for g in actors.admin.get(GRANTS.format(code="BIM-X"), params={"owner": "TEO-BIM"}).json()
    }
    assert kept[grant_id]["withdrawn_at"] is not None


def test_a_withdrawn_grant_stops_deposits_and_keeps_the_outcomes(actors: Actors) -> None:
    created = grant(actors, client=actors.second, owner="TEO-2", valid_from="2024-01-01")
    assert created.status_code == 201, created.text
    outcome = deposit(actors, actors.school, item_code="TEO-2:BIM-X")
    assert outcome.status_code == 201, outcome.text
    assert outcome.json()["item_owner"] == "TEO-2"
    # with BIM-X granted to JSVC by two owners, the bare code is ambiguous while both stand
    assert grant(actors, valid_from="2040-01-01").status_code == 201
    ambiguous = deposit(actors, actors.school)
    assert (
        problem(ambiguous, 422, "invalid-outcome")["detail"]
        == "BIM-X is granted to JSVC by TEO-2, TEO-BIM; name it as OWNER:BIM-X"
    )
    withdrawn = actors.second.post(f"/api/v1/catalog/grants/{created.json()['id']}/withdrawal")
    assert withdrawn.status_code == 200
    after = deposit(actors, actors.school, item_code="TEO-2:BIM-X")
    assert (
        "JSVC has no catalogue item TEO-2:BIM-X" in problem(after, 422, "invalid-outcome")["detail"]
    )
    read = actors.school.get(f"/api/v1/outcomes/{outcome.json()['id']}")
    assert read.status_code == 200 and read.json()["status"] == "deposited"
