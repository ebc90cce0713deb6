"""The operator console over HTTP, both databases: bank administrators run institutions, staff,
password-set codes and API tokens from it, every change audited; auditors read it all without
forms; other staff get no link and 403."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import select

from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.tables import AdminActionRow
from creditbank.sessions import service as sessions
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, log_in, page_client, post_form

PASSWORD = "correct horse battery"
ADMIN, AUDITOR, REGISTRAR = "admin@bank.example", "auditor@bank.example", "reg@sh-open.example"
NEWCOMER = "new@sh-open.example"  # staff without a password yet
SECTIONS = (
    "/console/institutions",
    "/console/staff",
    "/console/tokens",
    "/console/learners",
    "/console/grants",
    "/console/audit",
)
MINE = ("/console", *(s for s in SECTIONS if not s.endswith(("learners", "grants"))))
POST_FORM = re.compile(r'<form method="post" action="([^"]+)"')


@pytest.fixture(scope="module")
def signed_in(bank: str, live_bank: LiveBank) -> SignedIn:
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow,
            code="SH-OPEN",
            name="上海开放大学",
            name_en="Shanghai Open University",
            type=InstitutionType.OPEN_UNIVERSITY,
            region="CN-SH",
        )
        service.add_institution(
            uow=uow, code="JS-VC", name="江苏职业技术学院", type=InstitutionType.UNIVERSITY
        )
        for email, role, institution, password in (
            (ADMIN, Role.BANK_ADMIN, None, PASSWORD),
            (AUDITOR, Role.AUDITOR, None, PASSWORD),
            (REGISTRAR, Role.REGISTRAR, "SH-OPEN", PASSWORD),
            (NEWCOMER, Role.REGISTRAR, "SH-OPEN", None),
        ):
            service.add_user(
                uow=uow, email=email, role=role, institution=institution, password=password
            )
    return SignedIn(bank, PASSWORD).log_in("staff", ADMIN, AUDITOR, REGISTRAR)


@pytest.fixture
def admin(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(ADMIN) as client:
        yield client


@pytest.fixture
def auditor(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(AUDITOR) as client:
        yield client


def audit(live_bank: LiveBank, action: str) -> list[AdminActionRow]:
    with live_bank.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(AdminActionRow)
                .where(AdminActionRow.action == action)
                .order_by(AdminActionRow.id)
            )
        )


def users_table(html: str) -> str:
    found = re.search(r'<table id="users">(.*?)</table>', html, re.DOTALL)
    return found.group(1) if found else ""


def user_id(live_bank: LiveBank, email: str) -> int:
    with live_bank.database.unit_of_work() as uow:
        return service.get_user(uow=uow, email=email).id


def test_the_console_is_for_bank_admins_and_auditors(
    admin: httpx2.Client, auditor: httpx2.Client, signed_in: SignedIn
) -> None:
    landing = admin.get("/console")
    assert landing.status_code == 200
    for section in SECTIONS:
        assert f'href="{section}"' in landing.text
    for reader in (admin, auditor):
        assert 'href="/console"' in reader.get("/staff").text  # the menu's link
    for path in MINE:
        page = auditor.get(path)
        assert page.status_code == 200, path
        assert 'id="read-only"' in page.text or path == "/console/audit"
        assert POST_FORM.findall(page.text) == ["/logout"], path  # reads, changes nothing
    with signed_in.staff(REGISTRAR) as registrar:
        assert 'href="/console"' not in registrar.get("/staff").text
        for path in (*MINE, "/console/institutions/SH-OPEN", "/console/institutions/new"):
            assert registrar.get(path).status_code == 403, path
        refused = post_form(
            registrar,
            "/console/staff/disable",
            {"email": NEWCOMER},
            form_page="/staff/deposit",
        )
        assert refused.status_code == 403


def test_institutions_searched_opened_and_edited(
    admin: httpx2.Client, auditor: httpx2.Client, live_bank: LiveBank
) -> None:
    found = admin.get("/console/institutions", params={"q": "open"}).text
    assert 'data-code="SH-OPEN"' in found and 'data-code="JS-VC"' not in found
    assert "Shanghai Open University" in found and "Open university" in found
    in_region = admin.get("/console/institutions", params={"region": "CN-SH"}).text
    assert 'data-code="SH-OPEN"' in in_region and 'data-code="JS-VC"' not in in_region
    form = {"code": "zj-u", "name": "浙江大学", "name_en": "", "type": "university"}
    opened = post_form(
        admin,
        "/console/institutions",
        {**form, "region": "CN-ZJ", "alliances": "YRD， east"},
        form_page="/console/institutions/new",
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == "/console/institutions/ZJ-U?done=added"
    shown = admin.get(opened.headers["location"]).text
    assert "account is opened" in shown and "EAST" in shown and "YRD" in shown
    [entry] = audit(live_bank, "institution.add")
    assert (entry.target, entry.institution, entry.detail) == ("ZJ-U", "ZJ-U", "university")
    assert entry.actor_id == user_id(live_bank, ADMIN)
    again = post_form(admin, "/console/institutions", form, form_page="/console/institutions/new")
    assert again.status_code == 409 and "exists already" in again.text
    bad = post_form(
        admin,
        "/console/institutions",
        {**form, "code": "x", "type": "castle"},
        form_page="/console/institutions/new",
    )
    assert bad.status_code == 422 and 'id="type-errors"' in bad.text
    assert len(audit(live_bank, "institution.add")) == 1

    page = admin.get("/console/institutions/SH-OPEN").text
    assert 'name="version" value="1"' in page
    edit = {"version": "1", "name": "上海开放大学", "region": "CN-SH", "alliances": "YRD"}
    edited = post_form(
        admin,
        "/console/institutions/SH-OPEN",
        {**edit, "name_en": "The Open University of Shanghai"},
    )
    assert edited.status_code == 303, edited.text
    shown = admin.get(edited.headers["location"]).text
    assert "The Open University of Shanghai" in shown and 'name="version" value="2"' in shown
    [entry] = audit(live_bank, "institution.edit")
    assert (entry.target, entry.detail) == ("SH-OPEN", "name_en,alliances")
    # a form shown before that edit: refused, and the page shows what the institution is now
    stale = post_form(admin, "/console/institutions/SH-OPEN", {**edit, "name_en": "Shanghai OU"})
    assert stale.status_code == 409
    assert "changed by someone else meanwhile" in stale.text
    assert 'value="The Open University of Shanghai"' in stale.text
    assert 'name="version" value="2"' in stale.text
    emptied = post_form(
        admin, "/console/institutions/SH-OPEN", {**edit, "version": "2", "name": ""}
    )
    assert emptied.status_code == 422 and 'id="name-errors"' in emptied.text
    refused = post_form(
        auditor,
        "/console/institutions/SH-OPEN",
        {**edit, "version": "2", "name_en": "X"},
        form_page="/console",
    )
    assert refused.status_code == 403
    assert len(audit(live_bank, "institution.edit")) == 1


def test_staff_added_disabled_and_enabled(
    admin: httpx2.Client, signed_in: SignedIn, live_bank: LiveBank
) -> None:
    added = post_form(
        admin,
        "/console/staff",
        {"email": "Assessor@SH-open.example", "role": "assessor", "institution": "sh-open"},
    )
    assert added.status_code == 303
    listed = admin.get(added.headers["location"]).text
    assert "assessor@sh-open.example" in users_table(listed) and "The user is added" in listed
    [entry] = audit(live_bank, "user.add")
    assert (entry.target_kind, entry.institution, entry.detail) == ("user", "SH-OPEN", "assessor")
    assert "@" not in entry.target  # the user's id, not their address
    missing = post_form(admin, "/console/staff", {"email": "x@y.example", "role": "registrar"})
    assert missing.status_code == 422 and "must belong to an institution" in missing.text

    with signed_in.staff(REGISTRAR) as registrar:
        assert registrar.get("/staff").status_code == 200
        disabled = post_form(
            admin, "/console/staff/disable", {"email": REGISTRAR, "institution": "SH-OPEN"}
        )
        assert disabled.status_code == 303
        assert disabled.headers["location"] == "/console/staff?institution=SH-OPEN&done=disabled"
        gone = registrar.get("/staff")  # the session no longer works
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    with page_client(live_bank.url) as browser:
        assert log_in(browser, "staff", REGISTRAR, PASSWORD).status_code == 422
    disabled_list = users_table(admin.get("/console/staff", params={"enabled": "no"}).text)
    assert REGISTRAR in disabled_list and ADMIN not in disabled_list
    again = post_form(admin, "/console/staff/disable", {"email": REGISTRAR})
    assert again.status_code == 303
    assert len(audit(live_bank, "user.disable")) == 1  # disabling twice is recorded once
    enabled = post_form(admin, "/console/staff/enable", {"email": REGISTRAR})
    assert enabled.status_code == 303
    with page_client(live_bank.url) as browser:
        assert log_in(browser, "staff", REGISTRAR, PASSWORD).status_code == 303
    with signed_in.staff(REGISTRAR) as registrar:
        ended = registrar.get("/staff")  # enabling brings back no session of before
        assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    assert [e.action for e in audit(live_bank, "user.enable")] == ["user.enable"]
    myself = post_form(admin, "/console/staff/disable", {"email": ADMIN})
    assert myself.status_code == 422 and "cannot disable yourself" in myself.text


def test_an_employer_belongs_to_an_enterprise(admin: httpx2.Client, live_bank: LiveBank) -> None:
    """An employer at a school is refused with a 422 naming the rule, in English and Chinese,
    and nothing is added; at an enterprise the same form adds them."""
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow, code="SH-FIRM", name="上海某企业有限公司", type=InstitutionType.ENTERPRISE
        )
    form = {"email": "hr@sh-open.example", "role": "employer", "institution": "SH-OPEN"}
    refused = post_form(admin, "/console/staff", form)
    assert refused.status_code == 422
    assert "An employer must belong to an enterprise; SH-OPEN is not one" in refused.text
    admin.cookies.set("lang", "zh")
    try:
        chinese = post_form(admin, "/console/staff", form)
    finally:
        admin.cookies.delete("lang")
    assert chinese.status_code == 422
    assert "用人单位人员必须属于企业；SH-OPEN 不是企业" in chinese.text
    assert all(entry.detail != "employer" for entry in audit(live_bank, "user.add"))
    added = post_form(admin, "/console/staff", {**form, "institution": "sh-firm"})
    assert added.status_code == 303
    assert "hr@sh-open.example" in users_table(admin.get(added.headers["location"]).text)


def test_a_password_set_code_is_shown_once_and_works_once(
    admin: httpx2.Client, live_bank: LiveBank
) -> None:
    issued = post_form(
        admin,
        "/console/staff/password-code",
        {"email": NEWCOMER, "valid_days": "3", "institution": "SH-OPEN"},
        form_page="/console/staff?institution=SH-OPEN",
    )
    assert issued.status_code == 201
    code = re.search(r'<p class="secret" id="code">([0-9A-Z-]{19})</p>', issued.text)
    assert code is not None and "/set-password" in issued.text
    assert code.group(1) not in admin.get("/console/staff").text
    assert code.group(1) not in admin.get("/console/audit").text
    [entry] = audit(live_bank, "user.password_code")
    assert entry.target == str(user_id(live_bank, NEWCOMER)) and entry.institution == "SH-OPEN"
    with page_client(live_bank.url) as newcomer:
        form = {"email": NEWCOMER, "password": "a new long password", "repeated": ""}
        form["repeated"] = form["password"]
        wrong = post_form(newcomer, "/set-password", {**form, "code": "AAAA-AAAA-AAAA-AAAA"})
        assert wrong.status_code == 422 and "the code is not right" in wrong.text
        short = post_form(
            newcomer, "/set-password", {**form, "code": code.group(1), "password": "short"}
        )
        assert short.status_code == 422
        done = post_form(newcomer, "/set-password", {**form, "code": code.group(1).lower()})
        assert done.status_code == 303 and done.headers["location"] == "/staff"
        assert NEWCOMER in newcomer.get("/staff").text  # logged in
    with page_client(live_bank.url) as later:
        reused = post_form(later, "/set-password", {**form, "code": code.group(1)})
        assert reused.status_code == 422
        assert log_in(later, "staff", NEWCOMER, form["password"]).status_code == 303


def test_an_expired_code_and_a_disabled_users_code_are_refused(
    admin: httpx2.Client, live_bank: LiveBank
) -> None:
    with live_bank.database.unit_of_work() as uow:
        user = service.get_user(uow=uow, email=NEWCOMER)
        expired = sessions.issue_staff_password_code(
            uow=uow,
            user=user,
            valid_for=timedelta(days=1),
            now=datetime.now(UTC) - timedelta(days=2),
        )
    form = {"email": NEWCOMER, "password": "a new long password", "repeated": ""}
    form["repeated"] = form["password"]
    with page_client(live_bank.url) as newcomer:
        refused = post_form(newcomer, "/set-password", {**form, "code": expired.code})
        assert refused.status_code == 422 and "expired" in refused.text
    assert post_form(admin, "/console/staff/disable", {"email": NEWCOMER}).status_code == 303
    none = post_form(admin, "/console/staff/password-code", {"email": NEWCOMER, "valid_days": "3"})
    assert none.status_code == 409 and "enable them first" in none.text


def test_tokens_created_shown_once_listed_and_revoked(
    admin: httpx2.Client, auditor: httpx2.Client, live_bank: LiveBank
) -> None:
    created = post_form(admin, "/console/tokens", {"email": REGISTRAR})
    assert created.status_code == 201
    secret = re.search(r'<p class="secret" id="secret">(cb_[A-Za-z0-9_-]+)</p>', created.text)
    assert secret is not None
    api = httpx2.Client(
        base_url=live_bank.url, headers={"Authorization": f"Bearer {secret.group(1)}"}, timeout=10
    )
    with api:
        assert api.get("/api/v1/institutions/SH-OPEN").status_code == 200
        for reader in (admin, auditor):
            listed = reader.get("/console/tokens", params={"institution": "SH-OPEN"}).text
            assert secret.group(1)[:10] in listed and secret.group(1) not in listed
        token_id = re.search(r'data-token="(\d+)" data-active="1"', listed)
        assert token_id is not None
        revoked = post_form(
            admin,
            f"/console/tokens/{token_id.group(1)}/revoke",
            {"institution": "SH-OPEN"},
            form_page="/console/tokens",
        )
        assert revoked.status_code == 303
        assert api.get("/api/v1/institutions/SH-OPEN").status_code == 401
    listed = admin.get("/console/tokens").text
    assert f'data-token="{token_id.group(1)}" data-active="0"' in listed
    [made] = audit(live_bank, "token.create")
    [gone] = audit(live_bank, "token.revoke")
    assert made.target == gone.target == token_id.group(1)
    assert made.detail == f"user:{user_id(live_bank, REGISTRAR)}"
    unknown = post_form(admin, "/console/tokens", {"email": "nobody@x.example"})
    assert unknown.status_code == 404 and "there is no user" in unknown.text.lower()


def test_the_audit_page_says_who_did_what_in_both_languages(
    admin: httpx2.Client, signed_in: SignedIn
) -> None:
    assert post_form(admin, "/console/staff/disable", {"email": NEWCOMER}).status_code == 303
    page = admin.get("/console/audit", params={"institution": "SH-OPEN"}).text
    row = re.search(r'<tr data-action="user.disable">(.*?)</tr>', page, re.DOTALL)
    assert row is not None
    assert ADMIN in row.group(1) and "disabled the user" in row.group(1)
    assert NEWCOMER not in page  # the audit names users by id, not by address
    with signed_in.staff(AUDITOR, "zh") as auditor:
        chinese = auditor.get("/console/audit").text
        assert "停用了用户" in chinese and "管理员操作审计" in chinese
        landing = auditor.get("/console").text
        assert "停用了用户" in landing  # the latest actions
    assert csrf_of(admin.get("/console/institutions/SH-OPEN").text)
