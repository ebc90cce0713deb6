"""Matching's pages in a real browser (tests/matching_world.py): a learner opens "Jobs for me"
from the menu in Chinese, sees the job and the occupation that fit, opens the gap with what to
learn next, withdraws and gives again the consent to being matched (reading what employers
see), then reads it in English, with the gap to a job asking for a certificate the learner
holds; a registrar opens the programme's coverage from the menu. No
JavaScript needed (plain links and forms)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import conversion_world
from tests import matching_world as world
from tests.browser.conftest import PASSWORD, Visitors
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> world.World:
    with live_bank.database.unit_of_work() as uow:
        found = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        sessions.set_learner_password(
            uow=uow, account_number=found.x_holder, password=PASSWORD, now=datetime.now(UTC)
        )
    return found


def test_a_learner_s_jobs_gap_and_consent(
    bank: str, visitors: Visitors, built: world.World, live_bank: LiveBank
) -> None:
    page = visitors.page("zh-CN", learner=built.x_holder)
    page.goto(f"{bank}/me")
    page.locator("#menu-my-jobs").click()
    expect(page.locator("h1")).to_have_text("适合我的岗位")
    expect(page.locator("#job-fits tbody tr")).to_have_count(1)
    expect(page.locator("#job-fits")).to_contain_text("BIM 建模员")
    expect(page.locator("#occupation-fits")).to_contain_text("建筑信息模型技术员")
    expect(page.locator("#consent-state")).to_have_attribute("data-consented", "1")
    expect(page.locator("#matching-consent")).to_contain_text("您的姓名、账号")
    page.locator(f'#occupation-fits tr[data-code="{world.BIM}"] a').click()
    expect(page.locator("#gap-share")).to_contain_text("4 项中的 2 项")
    expect(page.locator('#plan tr[data-item="SHVC:DRAW-100"]')).to_contain_text("绘制工程图")
    expect(page.locator("#unteachable")).to_contain_text("现场测量")
    visitors.shot(page, "learner-jobs-zh")
    page.get_by_role("button", name="撤回我的同意").click()
    expect(page.locator("#notice")).to_contain_text("用人单位看不到您")
    expect(page.locator("#consent-state")).to_have_attribute("data-consented", "0")
    page.get_by_role("button", name="同意参与岗位匹配").click()
    expect(page.locator("#consent-state")).to_have_attribute("data-consented", "1")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Jobs for me")
    expect(page.locator("#matching-consent")).to_contain_text("your name, your account number")
    # a job asking for the certificate the learner holds (posted last: the counts above stay)
    with live_bank.database.unit_of_work() as uow:
        job = world.post_job(
            uow,
            world.ENTERPRISE,
            {built.skills["draw"]: "essential"},
            region="CN-BJ",
            certificates=("BIMTEO:BIM-X@intermediate",),
        )
    page.goto(f"{bank}/me/jobs?job={job}#gap")
    held = page.locator('#certificates li[data-certificate="BIMTEO:BIM-X@intermediate"]')
    expect(held).to_have_attribute("data-held", "1")
    expect(held).to_contain_text(built.x_outcome)
    expect(page.locator("#gap-share")).to_contain_text("1 of 1 certificates held (50%")


def test_a_registrar_reads_the_programme_s_coverage(
    bank: str, visitors: Visitors, built: world.World
) -> None:
    del built
    page = visitors.page("en", staff=conversion_world.SHVC_REGISTRAR)
    page.goto(f"{bank}/staff")
    page.locator("#menu-coverage").click()
    page.get_by_role("link", name=conversion_world.DIPLOMA).click()
    expect(page.locator("#coverage-share")).to_contain_text("CN-SH")
    page.locator("#occupation").fill(world.BIM)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#coverage-share")).to_contain_text("75%")
    expect(page.locator("#untaught")).to_contain_text("Survey sites")
    expect(page.locator('#skills tr[data-taught="0"]')).to_have_count(1)
    visitors.shot(page, "programme-coverage-en")
