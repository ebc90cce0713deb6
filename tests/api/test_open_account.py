"""Opening an account for an identity number that has one: the account only for its holder's
name; any other name gets a 409 that discloses nothing. Over the API and the registrar's
deposit page, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts import service as accounts
from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.institutions import service as institutions
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.support.pages import log_in, page_client, post_form
from tests.support.records import NAME, PASSWORD, Record, build_record

HOLDER = "Li Si"


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    return build_record(live_bank.database, live_bank.cipher)


@pytest.fixture(scope="module")
def api(live_bank: LiveBank, record: Record) -> Iterator[httpx2.Client]:
    """A registrar of another institution than the one that opened the accounts."""
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email="reg@other-u.example").secret
    with httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=15,
    ) as client:
        yield client


def count(live_bank: LiveBank, table: type[LearnerRow | OutcomeRow]) -> int:
    with live_bank.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def open_with(client: httpx2.Client, number: str, name: str) -> httpx2.Response:
    return client.post("/api/v1/learners", json={"id_number": number, "name": name})


def test_the_holders_name_finds_the_account(api: httpx2.Client, record: Record) -> None:
    for spelling in (NAME, f"  {NAME} ", "张晓梅\u3000"):
        found = open_with(api, record.id_number, spelling)
        assert found.status_code == 200, found.text
        assert found.json() == {"account_number": record.account, "created": False}


def test_names_are_compared_after_nfkc_case_folding_and_spaces(api: httpx2.Client) -> None:
    number = id_number(640)
    opened = open_with(api, number, HOLDER)
    assert opened.status_code == 201
    account = opened.json()["account_number"]
    # full-width letters and an ideographic space (NFKC), upper case, doubled spaces
    for spelling in ("Ｌｉ\u3000Ｓｉ", "LI  SI", "\tli si\n"):
        found = open_with(api, number, spelling)
        assert found.status_code == 200, spelling
        assert found.json()["account_number"] == account
    assert open_with(api, number, "LiSi").status_code == 409  # a space is not nothing


def test_another_name_gets_a_409_that_discloses_nothing(
    api: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    learners = count(live_bank, LearnerRow)
    near = open_with(api, record.id_number, "张晓美")  # one character off
    far = open_with(api, record.id_number, "Somebody Else")
    for refused in (near, far):
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["type"] == "/problems/account-exists"
        assert body["title"] == "Account cannot be opened with these details"
        for secret in (record.account, record.account[2:], NAME, record.id_number):
            assert secret not in refused.text
        assert "张晓美" not in refused.text and "Somebody Else" not in refused.text
    # a near miss and a wild guess are answered alike
    assert near.json() == far.json()
    assert count(live_bank, LearnerRow) == learners  # nothing opened, nothing changed
    with live_bank.database.unit_of_work() as uow:
        held = accounts.read_own_personal_data(
            uow=uow, cipher=live_bank.cipher, number=record.account
        )
    assert held.name == NAME


def test_the_409_is_in_the_openapi_document(api: httpx2.Client) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/api/v1/learners"]["post"]
    assert "409" in operation["responses"]
    assert "account-exists" in operation["responses"]["409"]["description"]


def test_the_registrars_page_deposits_only_for_the_holders_name(
    bank: str, live_bank: LiveBank, record: Record
) -> None:
    form = {
        "id_number": record.id_number,
        "item_code": "CAD-201",
        "level": "5",
        "credits": "2.5",
        "score": "90",
        "assessed_on": "2026-06-30",
        "setting": "formal",
    }
    outcomes = count(live_bank, OutcomeRow)
    with page_client(bank) as client:
        assert log_in(client, "staff", "reg@jsvc.example", PASSWORD).status_code == 303
        refused = post_form(
            client, "/staff/deposit", {**form, "name": "张晓美", "record_id": "OPEN-1"}
        )
        assert refused.status_code == 422
        assert "An account cannot be opened for this identity number with this name" in (
            refused.text
        )
        assert record.account not in refused.text
        assert count(live_bank, OutcomeRow) == outcomes
        done = post_form(client, "/staff/deposit", {**form, "name": NAME, "record_id": "OPEN-2"})
        assert done.status_code == 201, done.text
        assert record.account in done.text
    assert count(live_bank, OutcomeRow) == outcomes + 1
