"""The alignments' pages in a real browser: a registrar opens them from the menu in Chinese,
asks for the skills proposed for the X certificate at a level, ticks two, saves the draft and
submits it; a bank administrator opens the queue from the menu in English and approves it with a
note; the version is then in force. Forms without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from creditbank.institutions.tables import UserRow
from tests import alignments_world as world
from tests import conversion_world
from tests.browser.conftest import PASSWORD, Visitors
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> None:
    with live_bank.database.unit_of_work() as uow:
        world.build(uow)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))


@pytest.mark.usefixtures("scene")
def test_a_registrar_drafts_and_an_administrator_approves(bank: str, visitors: Visitors) -> None:
    page = visitors.page("zh-CN", staff=conversion_world.TEO_REGISTRAR)
    page.goto(f"{bank}/staff?lang=zh")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目技能").click()
    expect(page.locator("h1")).to_have_text("目录项目的技能")
    page.get_by_label("目录项目（机构代码:项目代码）").fill(world.ITEM)
    page.locator("#level").fill("intermediate")
    page.get_by_role("button", name="推荐技能").click()
    rows = page.locator("#proposed tbody tr")
    expect(rows.first).to_have_attribute("data-uri", world.BIM)
    expect(rows.first).to_contain_text("建立建筑信息模型")
    expect(rows.first.locator(".matched")).not_to_be_empty()
    page.locator(f'#proposed tr[data-uri="{world.BIM}"] input').check()
    page.locator(f'#proposed tr[data-uri="{world.TEAMWORK}"] input').check()
    page.get_by_label("备注").fill("依据课程标准")
    visitors.shot(page, "alignment-proposals-zh")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator(".aligned-skills li")).to_have_count(2)
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator("#version")).to_have_attribute("data-status", "submitted")
    alignment = page.locator("h1").inner_text().rsplit("#", 1)[1]

    admin = visitors.page("en-GB", staff=conversion_world.ADMINS[0])
    admin.goto(f"{bank}/staff?lang=en")
    menu = admin.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Alignments to approve").click()
    panel = admin.locator(f"#alignment-{alignment}")
    expect(panel).to_contain_text("BIMTEO:BIM-X")
    expect(panel).to_contain_text(conversion_world.TEO_REGISTRAR)
    expect(panel.locator(".aligned-skills li")).to_have_count(2)
    visitors.shot(admin, "alignment-queue-en")
    panel.locator(f"#approve-note-{alignment}").fill("matches the syllabus")
    panel.get_by_role("button", name="Approve").click()
    expect(admin.locator(".notice")).to_contain_text("approved, in force")
    expect(admin.locator("#empty-queue")).to_be_visible()
    admin.goto(f"{bank}/staff/alignments/{alignment}")
    expect(admin.locator("#status")).to_have_text("Approved")
    expect(admin.locator(".history")).to_contain_text("matches the syllabus")
