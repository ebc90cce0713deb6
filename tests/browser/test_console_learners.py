"""The operator console's learners page in a real browser, JavaScript off, in Chinese and
English: an administrator finds a learner (by account number; by identity number with a
purpose), gives them an activation code shown with its QR code, and the learner, in a browser
of their own, chooses a password with that code and is in."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.browser.conftest import Visitors
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.support.records import NAME, PASSWORD, Record, build_record

pytestmark = pytest.mark.browser

ADMIN = "admin@bank.example"
NEW_PASSWORD = "my own new pass phrase"
CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")


@dataclass(frozen=True)
class World:
    record: Record
    newcomer: str
    """An account without a web password yet."""


@pytest.fixture(scope="module")
def world(live_bank: LiveBank) -> World:
    record = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        institutions.add_user(uow=uow, email=ADMIN, role=Role.BANK_ADMIN, password=PASSWORD)
        newcomer = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(901)),
            name="孙小红",
            opened_by="JSVC",
        ).number
    return World(record, newcomer)


def test_an_activation_code_then_the_learner_activates(
    visitors: Visitors, bank: str, world: World
) -> None:
    page = visitors.page("zh-CN", staff=ADMIN)
    page.goto(f"{bank}/console/learners")
    expect(page.locator("h1")).to_have_text("学习者")
    page.locator("#account_number").fill(world.newcomer.lower())
    page.locator("#find-by-number").get_by_role("button", name="查找").click()
    expect(page).to_have_url(f"{bank}/console/learners/{world.newcomer}")
    expect(page.locator("#account-number")).to_have_text(world.newcomer)
    expect(page.locator("#account-password")).to_contain_text("尚未设置")
    page.get_by_role("button", name="签发激活码").click()
    expect(page.locator("h1")).to_have_text("激活码")
    expect(page.locator("#slip-account")).to_have_text(world.newcomer)
    expect(page.locator("#activation-qr svg.qr")).to_be_visible()
    code = page.locator("#activation-code").inner_text()
    visitors.shot(page, "console-activation-zh")

    learner = visitors.page("zh-CN")  # a browser of the learner's own: nobody logged in
    learner.goto(f"{bank}/activate")
    learner.locator("#account_number").fill(world.newcomer)
    learner.locator("#code").fill(code)
    learner.locator("#password").fill(NEW_PASSWORD)
    learner.locator("#repeated").fill(NEW_PASSWORD)
    learner.get_by_role("button", name="设置密码并登录").click()
    expect(learner).to_have_url(f"{bank}/me")
    expect(learner.locator("h1")).to_have_text("我的学习成果")

    page.get_by_role("link", name="返回账户").click()
    expect(page.locator("#account-password")).to_contain_text("已于")
    expect(page.locator("#account-code")).to_contain_text("没有未使用的激活码")


def test_finding_by_identity_number_in_english(visitors: Visitors, bank: str, world: World) -> None:
    page = visitors.page("en-GB", staff=ADMIN)
    page.goto(f"{bank}/console/learners")
    expect(page.locator("h1")).to_have_text("Learners")
    page.locator("#id_number").fill(world.record.id_number)
    page.locator("#purpose_choice").select_option("activation")
    page.locator("#find-by-identity").get_by_role("button", name="Find").click()
    expect(page).to_have_url(f"{bank}/console/learners/find")  # the number went in the body
    expect(page.locator("#learner-name")).to_have_text(NAME)
    masked = world.record.id_number[:4] + "*" * 10 + world.record.id_number[-4:]
    expect(page.locator("#learner-id-number")).to_have_text(masked)
    expect(page.locator("#account-number")).to_have_text(world.record.account)
    page.get_by_role("button", name="Issue an activation code").click()
    expect(page.locator("#activation-slip h2")).to_contain_text("Activate your learner account")
    expect(page.locator("#activation-code")).to_have_text(CODE)
    expect(page.locator("#activation-qr svg.qr")).to_be_visible()
    visitors.shot(page, "console-activation-en")
    page.emulate_media(media="print")  # the slip alone is printed
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("#code-once")).to_be_hidden()
    expect(page.locator("#activation-slip")).to_be_visible()
    page.emulate_media(media="screen")
