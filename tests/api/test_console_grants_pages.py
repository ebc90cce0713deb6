"""The operator console's catalogue grants over HTTP, both databases: the list (by
institution), granting and withdrawing through the same handlers as the API, refusals shown
on the page with the API's status, the administrators' audit; auditors read the list without
forms, other roles are refused."""

from __future__ import annotations

import re

import pytest

from creditbank.catalog import grants
from creditbank.institutions import audit
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, post_form
from tests.support.records import PASSWORD, Record, build_record

ADMIN, AUDITOR, REGISTRAR = "admin@bank.example", "auditor@bank.example", "reg@teo-bim.example"
HOME = "/console/grants"
BIM = "TEO-BIM:BIM-X"


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    built = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        for email, role in ((ADMIN, Role.BANK_ADMIN), (AUDITOR, Role.AUDITOR)):
            institutions.add_user(uow=uow, email=email, role=role, password=PASSWORD)
    return built


@pytest.fixture(scope="module")
def signed_in(bank: str, record: Record) -> SignedIn:
    del record
    return SignedIn(bank, PASSWORD).log_in("staff", ADMIN, AUDITOR, REGISTRAR)


def bim_grants(live_bank: LiveBank) -> list[grants.Grant]:
    with live_bank.database.unit_of_work() as uow:
        return grants.list_grants(uow=uow, owner="TEO-BIM", code="BIM-X")


def latest_action(live_bank: LiveBank) -> audit.AdminAction:
    with live_bank.database.unit_of_work() as uow:
        return audit.list_actions(uow=uow, limit=1)[0]


def row_of(html: str, grant_id: int) -> str:
    found = re.search(rf'<tr id="grant-{grant_id}".*?</tr>', html, re.DOTALL)
    assert found is not None, f"grant {grant_id} is not listed"
    return found.group(0)


def test_an_administrator_grants_and_withdraws(signed_in: SignedIn, live_bank: LiveBank) -> None:
    with signed_in.staff(ADMIN) as admin:
        empty = admin.get(HOME).text
        assert 'id="no-grants"' in empty and 'id="read-only"' not in empty
        assert re.search(r'<option value="TEO-BIM:BIM-X">TEO-BIM · BIM-X · ', empty)
        granted = post_form(
            admin, HOME, {"item": BIM, "grantee": "JSVC", "valid_from": "2026-01-01"}
        )
        assert granted.status_code == 303
        assert granted.headers["location"] == f"{HOME}?done=granted"
        (made,) = bim_grants(live_bank)
        assert (made.institution, str(made.window), made.granted_by) == (
            "JSVC",
            "2026-01-01/..",
            ADMIN,
        )
        listed = admin.get(granted.headers["location"]).text
        assert "The institution is accredited to issue the item." in listed
        row = row_of(listed, made.id)
        assert 'data-status="active"' in row
        assert "Jiangsu Vocational College" in row and "open-ended" in row
        action = latest_action(live_bank)
        assert (action.action, action.target, action.institution, action.detail) == (
            "grant.add",
            str(made.id),
            "TEO-BIM",
            "JSVC",
        )
        withdrawn = post_form(admin, f"{HOME}/{made.id}/withdrawal", {}, form_page=HOME)
        assert withdrawn.status_code == 303
        assert withdrawn.headers["location"] == f"{HOME}?done=withdrawn"
        after = admin.get(withdrawn.headers["location"]).text
    (kept,) = bim_grants(live_bank)
    assert kept.withdrawn_by == ADMIN
    row = row_of(after, made.id)
    assert 'data-status="withdrawn"' in row and "Withdraw</button>" not in row
    assert latest_action(live_bank).action == "grant.withdraw"


def test_the_list_by_institution(signed_in: SignedIn, live_bank: LiveBank) -> None:
    with signed_in.staff(ADMIN) as admin:
        post_form(admin, HOME, {"item": BIM, "grantee": "JSVC"})
        (made,) = bim_grants(live_bank)
        holder = admin.get(HOME, params={"institution": "jsvc"}).text
        owner = admin.get(HOME, params={"institution": "TEO-BIM"}).text
        other = admin.get(HOME, params={"institution": "OTHER-U"}).text
        unknown = admin.get(HOME, params={"institution": "NOBODY"})
    assert f'id="grant-{made.id}"' in holder and f'id="grant-{made.id}"' in owner
    assert '<option value="JSVC" selected>' in holder
    assert 'id="no-grants"' in other
    assert unknown.status_code == 404


def test_refusals_are_shown_with_the_api_s_status(signed_in: SignedIn, live_bank: LiveBank) -> None:
    with signed_in.staff(ADMIN) as admin:
        post_form(admin, HOME, {"item": BIM, "grantee": "JSVC"})
        overlapping = post_form(admin, HOME, {"item": BIM, "grantee": "JSVC"})
        to_its_owner = post_form(admin, HOME, {"item": BIM, "grantee": "TEO-BIM"})
        unfilled = post_form(admin, HOME, {"item": "", "grantee": "", "valid_until": "30/6"})
        (made,) = bim_grants(live_bank)
        post_form(admin, f"{HOME}/{made.id}/withdrawal", {}, form_page=HOME)
        twice = post_form(admin, f"{HOME}/{made.id}/withdrawal", {}, form_page=HOME)
    assert overlapping.status_code == 409
    assert "JSVC is accredited to issue BIM-X already" in overlapping.text
    assert re.search(r'<option value="TEO-BIM:BIM-X" selected>', overlapping.text)
    assert to_its_owner.status_code == 422
    assert "TEO-BIM owns the item and needs no grant to issue it" in to_its_owner.text
    assert unfilled.status_code == 422
    for field in ("item", "grantee", "valid_until"):
        assert f'id="{field}-errors"' in unfilled.text
    assert twice.status_code == 409
    assert f"Grant {made.id} was withdrawn already" in twice.text
    assert len(bim_grants(live_bank)) == 1


def test_an_auditor_reads_without_forms(signed_in: SignedIn, live_bank: LiveBank) -> None:
    with signed_in.staff(ADMIN) as admin:
        post_form(admin, HOME, {"item": BIM, "grantee": "JSVC"})
    (made,) = bim_grants(live_bank)
    with signed_in.staff(AUDITOR) as auditor:
        page = auditor.get(HOME)
        token = csrf_of(page.text)  # the logout form's: the session's token
        grant = auditor.post(HOME, data={"csrf_token": token, "item": BIM, "grantee": "OTHER-U"})
        withdraw = auditor.post(f"{HOME}/{made.id}/withdrawal", data={"csrf_token": token})
    assert page.status_code == 200
    assert f'id="grant-{made.id}"' in page.text
    forms = re.findall(r'<form method="post" action="([^"]+)"', page.text)
    assert forms == ["/logout"]
    assert 'id="read-only"' in page.text
    assert grant.status_code == 403 and withdraw.status_code == 403
    (unchanged,) = bim_grants(live_bank)
    assert unchanged.withdrawn_at is None


def test_other_roles_are_refused(signed_in: SignedIn, live_bank: LiveBank) -> None:
    with signed_in.staff(REGISTRAR) as registrar:
        token = csrf_of(registrar.get("/staff").text)
        listed = registrar.get(HOME)
        granted = registrar.post(HOME, data={"csrf_token": token, "item": BIM, "grantee": "JSVC"})
    assert listed.status_code == 403
    assert granted.status_code == 403  # the owner's registrar grants through the API, not here
    assert bim_grants(live_bank) == []


def test_the_page_in_chinese(signed_in: SignedIn) -> None:
    with signed_in.staff(ADMIN, "zh") as admin:
        post_form(admin, HOME, {"item": BIM, "grantee": "JSVC"})
        page = admin.get(HOME).text
    assert "<h1>目录授权</h1>" in page
    assert "江苏某职业技术学院" in page
    assert "无截止日期" in page
