"""The operator console's learners page over HTTP, both databases: finding an account by its
number or by identity number with a purpose (written to the learner's access audit, never in a
URL or a log), an activation code shown once with its QR code and slip, then redeemed; who
may do what (administrators act, auditors read, everyone else is refused)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts import service as accounts
from creditbank.accounts.model import new_account_number, parse_id_number
from creditbank.accounts.tables import PersonalDataAccessRow
from creditbank.institutions import audit
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.web.pages.console.learners import activation_link, activation_qr
from tests.api.signed_in import SignedIn
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, page_client, post_form
from tests.support.records import NAME, PASSWORD, Record, build_record

ADMIN, AUDITOR, REGISTRAR = "admin@bank.example", "auditor@bank.example", "reg@jsvc.example"
NEWCOMER_NAME = "孙小红"
HOME = "/console/learners"
CODE = re.compile(r'<span class="secret" id="activation-code">([0-9A-Z-]+)</span>')


@dataclass(frozen=True)
class World:
    record: Record
    newcomer: str
    """An account without a web password (the learner who activates)."""
    newcomer_id: str


@pytest.fixture(scope="module")
def world(live_bank: LiveBank) -> World:
    record = build_record(live_bank.database, live_bank.cipher)
    newcomer_id = id_number(777)
    with live_bank.database.unit_of_work() as uow:
        for email, role in ((ADMIN, Role.BANK_ADMIN), (AUDITOR, Role.AUDITOR)):
            institutions.add_user(uow=uow, email=email, role=role, password=PASSWORD)
        newcomer = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(newcomer_id),
            name=NEWCOMER_NAME,
            opened_by="JSVC",
        ).number
    return World(record, newcomer, newcomer_id)


@pytest.fixture(scope="module")
def signed_in(bank: str, world: World) -> SignedIn:
    staff = SignedIn(bank, PASSWORD).log_in("staff", ADMIN, AUDITOR, REGISTRAR)
    return staff.log_in("learner", world.record.account)


def access_entries(live_bank: LiveBank) -> int:
    with live_bank.database.unit_of_work() as uow:
        counted = uow.session.scalar(select(func.count()).select_from(PersonalDataAccessRow))
    return counted or 0


def audit_actions(live_bank: LiveBank) -> list[audit.AdminAction]:
    with live_bank.database.unit_of_work() as uow:
        return audit.list_actions(uow=uow)


def post_forms(html: str) -> list[str]:
    """The actions of a page's POST forms, less the menu's logout."""
    found = re.findall(r'<form method="post" action="([^"]+)"', html)
    return [action for action in found if action != "/logout"]


def find_by_identity(client: httpx2.Client, number: str, **fields: str) -> httpx2.Response:
    return post_form(client, f"{HOME}/find", {"id_number": number, **fields}, form_page=HOME)


def test_an_administrator_finds_an_account_by_its_number(signed_in: SignedIn, world: World) -> None:
    with signed_in.staff(ADMIN) as admin:
        found = admin.get(HOME, params={"account_number": f" {world.record.account.lower()} "})
        assert found.status_code == 303
        assert found.headers["location"] == f"{HOME}/{world.record.account}"
        page = admin.get(found.headers["location"])
    assert page.status_code == 200
    html = page.text
    assert f'<span class="code" id="account-number">{world.record.account}</span>' in html
    outcomes = re.search(r'<dd id="account-outcomes">(.*?)</dd>', html, re.DOTALL)
    assert outcomes is not None
    assert outcomes.group(1).startswith("6 · deposited 6")
    assert "JSVC" in outcomes.group(1) and "TEO-BIM" in outcomes.group(1)
    assert re.search(r'<dd id="account-password">set \d{4}-\d\d-\d\d', html)
    assert '<dd id="account-code">none unused</dd>' in html
    assert NAME not in html  # no personal data without a purpose
    assert 'id="issue-code"' in html
    assert 'id="find-by-identity"' in html
    assert 'id="read-only"' not in html


def test_a_bad_or_unknown_account_number_is_said_on_the_form(signed_in: SignedIn) -> None:
    with signed_in.staff(ADMIN) as admin:
        malformed = admin.get(HOME, params={"account_number": "CB12"})
        unknown_number = new_account_number()
        unknown = admin.get(HOME, params={"account_number": unknown_number})
        missing_page = admin.get(f"{HOME}/{unknown_number}")
    assert malformed.status_code == 422
    assert "is not an account number" in malformed.text
    assert 'id="account_number-errors"' in malformed.text
    assert unknown.status_code == 404
    assert f"There is no account {unknown_number}" in unknown.text
    assert missing_page.status_code == 404


def test_finding_by_identity_number_is_audited_and_masked(
    signed_in: SignedIn, world: World, live_bank: LiveBank, caplog: pytest.LogCaptureFixture
) -> None:
    before = access_entries(live_bank)
    caplog.set_level(logging.DEBUG)
    with signed_in.staff(ADMIN) as admin:
        found = find_by_identity(admin, world.record.id_number, purpose_choice="enquiry")
    assert found.status_code == 200
    html = found.text
    assert world.record.id_number not in html  # masked: the first and last four only
    masked = world.record.id_number[:4] + "*" * 10 + world.record.id_number[-4:]
    assert f'id="learner-id-number">{masked}</span>' in html
    assert f'<dd id="learner-name">{NAME}</dd>' in html
    assert f'id="account-number">{world.record.account}</span>' in html
    assert world.record.id_number not in caplog.text  # never logged
    assert world.record.id_number not in str(found.request.url)  # a POST body, never a URL
    assert access_entries(live_bank) == before + 1
    with signed_in.learner(world.record.account) as learner:
        log = learner.get("/me/access").text
    assert ADMIN in log
    assert "To answer the learner&#39;s enquiry about their account" in log
    looked_up = audit_actions(live_bank)[0]
    assert (looked_up.action, looked_up.actor, looked_up.target) == (
        "learner.look_up",
        ADMIN,
        world.record.account,
    )
    assert looked_up.detail == "found"


def test_a_written_purpose_and_an_unknown_identity_number(
    signed_in: SignedIn, live_bank: LiveBank
) -> None:
    before = access_entries(live_bank)
    stranger = id_number(778)
    with signed_in.staff(ADMIN, "zh") as admin:
        found = find_by_identity(
            admin, stranger, purpose_choice="other", purpose="核对学习者提交的证书"
        )
    assert found.status_code == 200
    assert 'id="learner-missing"' in found.text
    assert stranger not in found.text
    assert access_entries(live_bank) == before  # nobody's data was opened
    entry = audit_actions(live_bank)[0]
    assert (entry.action, entry.target, entry.detail) == ("learner.look_up", "", "not_found")


def test_without_a_purpose_or_a_valid_number_nothing_is_looked_up(
    signed_in: SignedIn, world: World, live_bank: LiveBank
) -> None:
    before, entries = access_entries(live_bank), len(audit_actions(live_bank))
    with signed_in.staff(ADMIN) as admin:
        no_purpose = find_by_identity(admin, world.record.id_number, purpose_choice="other")
        wrong_check = world.record.id_number[:-1] + (
            "1" if world.record.id_number[-1] == "0" else "0"
        )
        bad_number = find_by_identity(admin, wrong_check, purpose_choice="enquiry")
    assert no_purpose.status_code == 422
    assert 'id="purpose-errors"' in no_purpose.text
    assert "Say why you look the learner up, in 5 to 200 characters" in no_purpose.text
    assert world.record.id_number not in no_purpose.text  # not typed back into the form
    assert bad_number.status_code == 422
    assert 'id="id_number-errors"' in bad_number.text
    assert "check digit is wrong" in bad_number.text
    assert access_entries(live_bank) == before
    assert len(audit_actions(live_bank)) == entries


def test_an_activation_code_is_shown_once_with_its_qr_code_then_redeemed(
    signed_in: SignedIn, world: World, bank: str, live_bank: LiveBank
) -> None:
    account_page = f"{HOME}/{world.newcomer}"
    with signed_in.staff(ADMIN) as admin:
        before = admin.get(account_page).text
        assert "none yet: the learner cannot log in" in before
        issued = post_form(
            admin, f"{account_page}/activation-code", {"valid_days": "7"}, form_page=account_page
        )
        assert issued.status_code == 200
        assert issued.headers["cache-control"] == "no-store"
        found = CODE.search(issued.text)
        assert found is not None
        code = found.group(1)
        assert code not in str(issued.request.url)
        # the QR code holds the activation page with the code in the fragment, drawn inline
        assert str(activation_qr(activation_link(bank, code))) in issued.text
        assert activation_link(bank, code) == f"{bank}/activate#{code}"
        assert re.search(r'<svg [^>]*class="qr"', issued.text) and "<script" not in issued.text
        assert f'id="slip-account">{world.newcomer}</span>' in issued.text
        assert f'id="slip-page">{bank}/activate</dd>' in issued.text
        after = admin.get(account_page).text
    assert "one waits unused, until" in after
    assert code not in after  # shown once
    recorded = audit_actions(live_bank)[0]
    assert (recorded.action, recorded.target) == ("learner.activation_code", world.newcomer)

    with page_client(bank) as learner:
        form = learner.get("/activate").text
        redeemed = learner.post(
            "/activate",
            data={
                "csrf_token": csrf_of(form),
                "account_number": world.newcomer,
                "code": code,
                "password": "a new password of mine",
                "repeated": "a new password of mine",
            },
        )
        assert redeemed.status_code == 303
        assert redeemed.headers["location"] == "/me"
        assert learner.get("/me").status_code == 200
    with signed_in.staff(ADMIN) as admin:
        activated = admin.get(account_page).text
    assert re.search(r'<dd id="account-password">set \d{4}-\d\d-\d\d', activated)
    assert '<dd id="account-code">none unused</dd>' in activated


def test_an_auditor_reads_without_forms(
    signed_in: SignedIn, world: World, live_bank: LiveBank
) -> None:
    before, entries = access_entries(live_bank), len(audit_actions(live_bank))
    with signed_in.staff(AUDITOR) as auditor:
        home = auditor.get(HOME)
        account = auditor.get(f"{HOME}/{world.record.account}")
        token = csrf_of(home.text)  # the logout form's: the session's token
        look_up = auditor.post(
            f"{HOME}/find",
            data={
                "csrf_token": token,
                "id_number": world.record.id_number,
                "purpose_choice": "enquiry",
            },
        )
        unfilled = auditor.post(f"{HOME}/find", data={"csrf_token": token, "id_number": "1"})
        issue = auditor.post(
            f"{HOME}/{world.record.account}/activation-code", data={"csrf_token": token}
        )
    assert home.status_code == 200 and account.status_code == 200
    assert post_forms(home.text) == [] and post_forms(account.text) == []
    assert 'id="identity-note"' in home.text and 'id="read-only"' in account.text
    assert 'id="account-outcomes"' in account.text
    assert look_up.status_code == 403 and issue.status_code == 403
    assert unfilled.status_code == 403  # refused before the form is read
    assert access_entries(live_bank) == before
    assert len(audit_actions(live_bank)) == entries


def test_other_staff_and_learners_are_refused(signed_in: SignedIn, world: World, bank: str) -> None:
    with signed_in.staff(REGISTRAR) as registrar:
        token = csrf_of(registrar.get("/staff").text)
        answers = [
            registrar.get(HOME),
            registrar.get(f"{HOME}/{world.record.account}"),
            registrar.get(HOME, params={"account_number": world.record.account}),
            registrar.post(
                f"{HOME}/find",
                data={"csrf_token": token, "id_number": world.record.id_number},
            ),
            registrar.post(f"{HOME}/{world.newcomer}/activation-code", data={"csrf_token": token}),
        ]
    assert [answer.status_code for answer in answers] == [403] * 5
    with signed_in.learner(world.record.account) as learner:
        assert learner.get(HOME).status_code == 403
    with page_client(bank) as anonymous:
        sent = anonymous.get(HOME)
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/login?next=")


def test_the_page_in_chinese(signed_in: SignedIn, world: World) -> None:
    with signed_in.staff(ADMIN, "zh") as admin:
        home = admin.get(HOME).text
        account = admin.get(f"{HOME}/{world.newcomer}").text
    assert "<h1>学习者</h1>" in home
    assert "按身份证件号码" in home
    assert "签发激活码" in account
