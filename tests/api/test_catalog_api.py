"""The catalogue over HTTP: X certificates at several levels, courses with credits, clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.conftest import LiveBank

BIM = {
    "institution": "GLODON",
    "code": "BIM-X",
    "kind": "x_certificate",
    "name": "建筑信息模型（BIM）职业技能等级证书",
    "name_en": "Building Information Modelling (BIM)",
    "framework": "1X",
    "levels": ["beginner", "intermediate", "advanced"],
    "provider": "廊坊市中科建筑产业化创新研究中心",
    "approval_round": 1,
}


@pytest.fixture(scope="module")
def registrar(live_bank: LiveBank) -> Iterator[httpx2.Client]:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow,
            code="GLODON",
            name="广联达",
            type=InstitutionType.TRAINING_EVALUATION_ORGANISATION,
        )
        institutions.add_user(
            uow=uow, email="reg@glodon.example", role=Role.REGISTRAR, institution="GLODON"
        )
        secret = institutions.create_token(uow=uow, email="reg@glodon.example").secret
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    with httpx2.Client(base_url=live_bank.url, headers=headers, timeout=10) as client:
        yield client


def test_an_x_certificate_with_its_levels(registrar: httpx2.Client) -> None:
    created = registrar.post("/api/v1/catalog/items", json=BIM)
    assert created.status_code == 201, created.text
    body = created.json()
    assert [(lvl["framework"], lvl["version"], lvl["level"]) for lvl in body["levels"]] == [
        ("1X", 1, "beginner"),
        ("1X", 1, "intermediate"),
        ("1X", 1, "advanced"),
    ]
    assert body["approval_round"] == 1 and body["provider"].startswith("廊坊")
    listed = registrar.get(
        "/api/v1/catalog/items", params={"institution": "glodon", "kind": "x_certificate"}
    ).json()
    assert [item["code"] for item in listed] == ["BIM-X"]
    assert (
        registrar.get(
            "/api/v1/catalog/items", params={"kind": "course", "institution": "GLODON"}
        ).json()
        == []
    )
    again = registrar.post("/api/v1/catalog/items", json=BIM)
    assert again.status_code == 409 and again.json()["type"] == "/problems/item-exists"


def test_a_course_with_credits(registrar: httpx2.Client) -> None:
    course = {
        "institution": "GLODON",
        "code": "BIM-101",
        "kind": "course",
        "name": "BIM 建模基础",
        "framework": "lofouc",
        "levels": ["4"],
        "credits": "2.5",
    }
    body = registrar.post("/api/v1/catalog/items", json=course).json()
    assert body["credits"] == "2.5" and body["framework"] == "LOFOUC"


def test_every_problem_is_named_and_nothing_is_stored(registrar: httpx2.Client) -> None:
    bad = {
        **BIM,
        "code": "BAD-X",
        "levels": ["beginner", "expert"],
        "provider": "",
        "approval_round": None,
    }
    response = registrar.post("/api/v1/catalog/items", json=bad)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-item"
    assert "framework 1X (version 1) has no level expert" in body["problems"]
    assert "an X certificate needs its approval round, 1 to 4" in body["problems"]
    assert any("provider" in problem for problem in body["problems"])
    codes = [
        item["code"]
        for item in registrar.get("/api/v1/catalog/items", params={"institution": "GLODON"}).json()
    ]
    assert "BAD-X" not in codes


def test_a_course_without_credits_and_bad_credits(registrar: httpx2.Client) -> None:
    course = {
        "institution": "GLODON",
        "code": "NOCRED",
        "kind": "course",
        "name": "x",
        "framework": "LOFOUC",
        "levels": ["4"],
    }
    assert (
        "a course carries credits"
        in registrar.post("/api/v1/catalog/items", json=course).json()["problems"]
    )
    response = registrar.post("/api/v1/catalog/items", json={**course, "credits": "2.55"})
    assert response.status_code == 422 and response.json()["type"] == "/problems/validation-error"


def test_unknown_institution(registrar: httpx2.Client) -> None:
    response = registrar.get("/api/v1/catalog/items", params={"institution": "NOWHERE"})
    assert (
        response.status_code == 404 and response.json()["type"] == "/problems/institution-not-found"
    )
