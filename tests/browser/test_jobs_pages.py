"""The jobs' pages in a real browser, JavaScript off (tests/matching_world.py): BUILDCO's
employer opens Jobs from the menu in Chinese, posts a job (asks for the bank's suggestions, reads
their relevance and matched words, ticks two skills, makes one optional, chooses the occupation,
posts), reads the job's page with the learners who consented to be matched, then in English
closes the job."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from creditbank.institutions.tables import UserRow
from tests import matching_world as world
from tests.browser.conftest import PASSWORD, Visitors
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> world.World:
    with live_bank.database.unit_of_work() as uow:
        found = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
    return found


def test_an_employer_posts_a_job_and_reads_its_matches(
    bank: str, visitors: Visitors, built: world.World
) -> None:
    model, draw = built.skills["model"], built.skills["draw"]
    page = visitors.page("zh-CN", staff=world.EMPLOYER)
    page.goto(f"{bank}/staff")
    page.locator("#menu-jobs").click()
    expect(page.locator("h1")).to_have_text("岗位")
    expect(page.locator(f'#jobs tr[data-job="{built.bim_job}"]')).to_contain_text("上海")
    page.locator("#post-a-job").click()
    expect(page.locator("h1")).to_have_text("发布岗位")
    page.locator("#title").fill("BIM建模员")
    page.locator("#description").fill("建立建筑信息模型，绘制工程图")
    page.locator("#region").fill("上海")
    page.locator("#suggest").click()
    occupation = page.locator(f'#suggested-occupations tr[data-code="{world.BIM}"]')
    expect(occupation).to_contain_text("建筑信息模型技术员")
    skill = page.locator(f'#suggested-skills tr[data-skill="{model}"]')
    expect(skill).to_contain_text("建立建筑信息模型")
    expect(skill.locator("td.matched")).to_contain_text("建筑")
    expect(skill.locator("td.number")).to_have_text(re.compile(r"^0\.\d{3}$"))
    visitors.shot(page, "job-suggestions-zh")
    occupation.locator("input[type=radio]").check()
    skill.locator("input[type=checkbox]").check()
    drawing = page.locator(f'#suggested-skills tr[data-skill="{draw}"]')
    drawing.locator("input[type=checkbox]").check()
    drawing.locator("select").select_option("optional")
    page.locator("#post").click()
    expect(page.locator("p.notice")).to_contain_text("岗位已发布")
    expect(page.locator(f'#job-skills li[data-skill="{draw}"]')).to_contain_text("可选")
    expect(page.locator("#job-occupation")).to_contain_text(world.BIM)
    expect(page.locator(f'#matched-learners tr[data-account="{built.x_holder}"]')).to_contain_text(
        "张三"
    )
    visitors.shot(page, "job-zh")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#matches h2")).to_have_text("Learners who consented to be matched")
    page.get_by_role("button", name="Close the job").click()
    expect(page.locator("p.notice")).to_contain_text("The job is closed")
    expect(page.locator("#job-status")).to_have_text("closed")
