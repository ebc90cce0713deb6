"""The operator console in a real browser, without JavaScript: a bank administrator walks it in
Chinese (an institution edited, a user added and given a password-set code, which the user
redeems), and in English (an API token created, shown once, revoked; the audit read)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.support.records import PASSWORD

pytestmark = pytest.mark.browser
ADMIN = "admin@console.example"


@pytest.fixture(scope="module")
def console_bank(live_bank: LiveBank) -> LiveBank:
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow,
            code="SH-OPEN",
            name="上海开放大学",
            type=InstitutionType.OPEN_UNIVERSITY,
            region="CN-SH",
        )
        service.add_institution(
            uow=uow, code="JS-VC", name="江苏职业技术学院", type=InstitutionType.UNIVERSITY
        )
        service.add_user(uow=uow, email=ADMIN, role=Role.BANK_ADMIN, password=PASSWORD)
        service.add_user(
            uow=uow, email="reg@js-vc.example", role=Role.REGISTRAR, institution="JS-VC"
        )
    return live_bank


def test_an_admin_walks_the_console_in_chinese(
    visitors: Visitors, bank: str, console_bank: LiveBank
) -> None:
    del console_bank
    page = visitors.page("zh-CN", staff=ADMIN)
    page.goto(f"{bank}/staff")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="管理控制台").click()
    expect(page.locator("h1")).to_have_text("管理控制台")
    page.locator("#link-institutions").click()
    page.locator("#q").fill("开放")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#institutions tbody tr")).to_have_count(1)
    page.get_by_role("link", name="SH-OPEN").first.click()
    page.locator("#name_en").fill("Shanghai Open University")
    page.locator("#alliances").fill("YRD")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#notice")).to_have_text("机构已更改。")
    expect(page.locator("#institution-name-en")).to_have_text("Shanghai Open University")
    expect(page.locator("#actions")).to_contain_text("编辑了机构")
    visitors.shot(page, "console-institution-zh")

    page.locator("#manage-staff").click()
    page.locator("#email").fill("teacher@sh-open.example")
    page.locator("#role").select_option("registrar")
    page.locator("#institution").fill("SH-OPEN")
    page.get_by_role("button", name="添加该用户").click()
    expect(page.locator("#notice")).to_contain_text("用户已添加")
    row = page.locator("#users tbody tr", has_text="teacher@sh-open.example")
    row.get_by_role("button", name="密码设置码").click()
    expect(page.locator("h1")).to_have_text("密码设置码")
    code = page.locator("#code").inner_text()
    visitors.shot(page, "console-password-code-zh")

    newcomer = visitors.page("zh-CN")
    newcomer.goto(f"{bank}/set-password")
    newcomer.locator("#email").fill("teacher@sh-open.example")
    newcomer.locator("#code").fill(code)
    newcomer.locator("#password").fill("a new long password")
    newcomer.locator("#repeated").fill("a new long password")
    newcomer.get_by_role("button", name="设置密码并登录").click()
    expect(newcomer.locator("h1")).to_have_text("工作台")
    expect(newcomer.locator("header")).to_contain_text("teacher@sh-open.example")


def test_an_admin_creates_and_revokes_a_token_in_english(
    visitors: Visitors, bank: str, console_bank: LiveBank
) -> None:
    del console_bank
    page = visitors.page("en-GB", staff=ADMIN)
    page.goto(f"{bank}/console?lang=en")
    page.locator("#link-tokens").click()
    page.locator("#email").fill("reg@js-vc.example")
    page.get_by_role("button", name="Create the token").click()
    expect(page.locator("h1")).to_have_text("API token created")
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("cb_")
    page.get_by_role("link", name="Back to the tokens").click()
    row = page.locator("#tokens tbody tr", has_text=secret[:10])
    expect(row).not_to_contain_text(secret)
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#notice")).to_contain_text("The token is revoked")
    expect(page.locator("#tokens tbody tr", has_text=secret[:10])).to_contain_text("revoked")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Audit").click()
    expect(page.locator("h1")).to_have_text("Audit of administrators' actions")
    expect(page.locator("#actions")).to_contain_text("created an API token")
    expect(page.locator("#actions")).to_contain_text("revoked the API token")
    visitors.shot(page, "console-audit-en")
