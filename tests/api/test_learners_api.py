"""Opening learners' accounts over HTTP: personal data in the body only, never echoed in errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from creditbank.accounts.model import resident_check_character
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.conftest import LiveBank

FIRST = "44010619851120456"
ID_NUMBER = FIRST + resident_check_character(FIRST)


@pytest.fixture(scope="module")
def registrar(live_bank: LiveBank) -> Iterator[httpx2.Client]:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="GDOU", name="广东开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        institutions.add_user(
            uow=uow, email="reg@gdou.example", role=Role.REGISTRAR, institution="GDOU"
        )
        secret = institutions.create_token(uow=uow, email="reg@gdou.example").secret
    with httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    ) as client:
        yield client


def test_open_then_find(registrar: httpx2.Client) -> None:
    created = registrar.post("/api/v1/learners", json={"id_number": ID_NUMBER, "name": "陈静"})
    assert created.status_code == 201, created.text
    number = created.json()["account_number"]
    assert created.json()["created"] is True and number.startswith("CB") and len(number) == 14
    again = registrar.post(
        "/api/v1/learners", json={"id_number": ID_NUMBER.lower(), "name": "陈静"}
    )
    assert again.status_code == 200
    assert again.json() == {"account_number": number, "created": False}


def test_a_passport_holder(registrar: httpx2.Client) -> None:
    response = registrar.post(
        "/api/v1/learners",
        json={"id_number": "E12345678", "id_type": "passport", "name": "Anna Schmidt"},
    )
    assert response.status_code == 201


def test_a_bad_identity_number_is_refused_without_being_echoed(registrar: httpx2.Client) -> None:
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    response = registrar.post("/api/v1/learners", json={"id_number": wrong, "name": "陈静"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-id-number"
    assert body["detail"] == "the identity number's check digit is wrong"
    assert wrong not in response.text and "陈静" not in response.text


def test_a_validation_error_does_not_echo_personal_data(registrar: httpx2.Client) -> None:
    response = registrar.post("/api/v1/learners", json={"id_number": ID_NUMBER, "name": ""})
    assert response.status_code == 422
    assert ID_NUMBER not in response.text
