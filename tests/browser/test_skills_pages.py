"""The skills' pages in a real browser: a visitor searches the skills in Chinese, opens a skill,
goes to an occupation requiring it and sees its skills essential first, then reads it in
English. No login, no JavaScript needed (the search is a plain GET form)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from creditbank.occupations import importing as occupations_importing
from creditbank.occupations.commands import ImportOccupations
from creditbank.skills import importing
from creditbank.skills.commands import ImportSkills
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.occupations.files import CSV as OCCUPATIONS
from tests.occupations.test_importing import ADMIN
from tests.skills.files import CSV

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def skills(live_bank: LiveBank) -> None:
    with live_bank.database.unit_of_work() as uow:
        occupations_importing.import_occupations(
            ImportOccupations(OCCUPATIONS.encode(), "ours.csv", "Our test set", "1", "CC0"),
            principal=ADMIN,
            uow=uow,
        )
        importing.import_skills(
            ImportSkills(CSV.encode(), "skills.csv", "Our skills", "1", "CC0"),
            principal=ADMIN,
            uow=uow,
        )


@pytest.mark.usefixtures("skills")
def test_search_a_skill_then_its_occupation(bank: str, visitors: Visitors) -> None:
    page = visitors.page("zh-CN")
    page.goto(f"{bank}/")
    page.locator('#menu-public a[href="/skills"]').click()
    expect(page.locator("h1")).to_have_text("技能")
    page.get_by_label("检索技能").fill("建筑信息")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="建立建筑信息模型").click()
    expect(page.locator("#skill-name")).to_have_text("建立建筑信息模型")
    expect(page.locator("#skill-kind")).to_have_text("技能")
    expect(page.locator("#requiring tbody tr").first).to_contain_text("必备")
    visitors.shot(page, "skill-zh")
    page.get_by_role("link", name="4-04-05-02").click()
    expect(page.locator("#occupation-name")).to_contain_text("计算机软件测试员")
    rows = page.locator("#skills tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("设计测试用例")
    expect(rows.nth(0)).to_contain_text("必备")
    expect(rows.nth(1)).to_contain_text("可选")
    visitors.shot(page, "occupation-zh")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#occupation-name")).to_contain_text("Software tester")
    expect(page.locator("#skills tbody tr").nth(0)).to_contain_text("Design test cases")
    expect(page.locator("#skills tbody tr").nth(1)).to_contain_text("optional")
