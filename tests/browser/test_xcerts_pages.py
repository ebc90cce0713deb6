"""The 1+X pages in a real browser, JavaScript switched off: a visitor reads the catalogue in
Chinese, filters it by round and opens the BIM certificate (its schemes, pilot schools and a
session); another reads the statistics in English, drawn as server-side SVG bar charts whose
figures match what was made."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from creditbank import clock
from creditbank.accounts.files import FileFormat
from creditbank.xcerts import api as xcerts
from tests import xcerts_world as world
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> int:
    """BIM with one intermediate session at HBVC: three candidates (one fee-exempt), two
    assessed (one passes with 66, one fails with 46), one absent. Returns the session's id."""
    database, cipher = live_bank.database, live_bank.cipher
    today = clock.today()
    with database.unit_of_work() as uow:
        world.build(uow, cipher)
        session = xcerts.schedule_session(
            uow=uow,
            ref=world.BIM,
            centre=world.CENTRE,
            level="intermediate",
            held_on=world.session_day(),
            by=world.CENTRE_REGISTRAR,
            today=today,
        )
        people = [world.learner(uow, cipher, serial) for serial in (701, 702, 703)]
        for person in people:
            xcerts.register_candidate(
                uow=uow,
                session_id=session.id,
                account_number=person.account,
                fee_exempt=person is people[1],
                by=world.CENTRE_REGISTRAR,
            )
    marks = (("30", "75"), ("70", "40"))
    xcerts.record_results(
        database=database,
        cipher=cipher,
        session_id=session.id,
        header=["id_number", "name", "theory", "practice"],
        rows=[
            (line, {"id_number": p.id_number, "name": p.name, "theory": t, "practice": pr})
            for line, (p, (t, pr)) in enumerate(zip(people, marks, strict=False), start=2)
        ],
        assessor=world.ASSESSOR,
        by=world.PROVIDER_REGISTRAR,
        filename="results.csv",
        file_format=FileFormat.CSV,
        today=today,
    )
    return session.id


def test_a_visitor_reads_the_catalogue_in_chinese_and_opens_bim(
    visitors: Visitors, bank: str, scene: int
) -> None:
    page = visitors.page("zh-CN")
    page.goto(f"{bank}/xcerts")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    row = page.locator('#xcerts tr[data-xcert="LFZK:BIM"]')
    expect(row).to_contain_text("建筑信息模型（BIM）职业技能等级证书")
    expect(row).to_contain_text("廊坊市中科建筑产业化创新研究中心")
    expect(row).to_contain_text("初级 · 中级 · 高级")
    expect(row).to_contain_text("土木建筑")
    expect(row.locator(".schools")).to_have_text("2")
    expect(row.locator(".centres")).to_have_text("1")
    visitors.shot(page, "xcerts-catalogue-zh")
    page.locator("#round").select_option("4")
    page.locator("#choose-round button").click()
    expect(page.locator("#no-xcerts")).to_be_visible()
    page.locator("#round").select_option("1")
    page.locator("#choose-round button").click()
    page.locator('#xcerts tr[data-xcert="LFZK:BIM"] a').click()

    expect(page.locator("#xcert-heading")).to_contain_text("LFZK:BIM")
    weights = {
        level: page.locator(f'#schemes tr[data-level="{level}"] .weights') for level in world.LEVELS
    }
    expect(weights["beginner"]).to_have_attribute("data-weights", "theory=20,practice=80")
    expect(weights["intermediate"]).to_have_attribute("data-weights", "theory=20,practice=80")
    expect(weights["advanced"]).to_have_attribute("data-weights", "theory=60,practice=40")
    expect(page.locator("#schemes svg rect")).to_have_count(6)
    expect(page.locator('#offerings tr[data-centre="1"]')).to_have_count(3)
    expect(page.locator('#offerings tr[data-school="SHSV"]')).to_have_attribute("data-centre", "0")
    session = page.locator(f'#sessions tr[data-session="{scene}"]')
    expect(session).to_contain_text("中级")
    for cell, value in (("registered", 3), ("fee-exempt", 1), ("assessed", 2), ("certified", 1)):
        expect(session.locator(f".{cell}")).to_have_text(str(value))
    visitors.shot(page, "xcerts-bim-zh")
    page.goto(f"{bank}/xcerts/LFZK/NOPE")
    expect(page.locator("body")).to_contain_text("NOPE")


def test_a_visitor_reads_the_statistics_as_charts(
    visitors: Visitors, bank: str, scene: int
) -> None:
    del scene
    page = visitors.page("en-GB")
    page.goto(f"{bank}/xcerts/stats?lang=en")
    expect(page.locator("h1")).to_have_text("1+X statistics")
    expect(page.locator("#total-certificates")).to_have_text("1")
    expect(page.locator("#total-schools")).to_have_text("2")
    expect(page.locator("#total-registered")).to_have_text("3")
    expect(page.locator("#total-fee-exempt")).to_have_text("1")
    expect(page.locator("#total-pass-rate")).to_have_text("50.0%")
    expect(page.locator('#by-round .bar[data-key="1"]')).to_have_attribute("data-value", "1")
    expect(page.locator('#by-round .bar[data-key="4"]')).to_have_attribute("data-value", "0")
    schools = page.locator("#by-school-type .bar")
    expect(schools).to_have_count(2)
    expect(
        page.locator('#by-school-type .bar[data-key="higher_vocational_college"]')
    ).to_contain_text("Higher vocational college")
    hebei = page.locator('#by-province .group[data-key="河北"]')
    for key, value in (("registered", 3), ("assessed", 2), ("certified", 1)):
        expect(hebei.locator(f'.bar[data-key="{key}"]')).to_have_attribute("data-value", str(value))
    # the longest bar is the registered one, the certified a third of it
    registered = hebei.locator('.bar[data-key="registered"] rect')
    certified = hebei.locator('.bar[data-key="certified"] rect')
    expect(registered).to_have_attribute("width", "360")
    expect(certified).to_have_attribute("width", "120")
    row = page.locator('#certificate-table tr[data-xcert="LFZK:BIM"]')
    expect(row).to_contain_text("Building Information Modelling (BIM)")
    expect(row.locator(".pass-rate")).to_have_text("50.0%")
    expect(page.locator("script")).to_have_count(0)
    visitors.shot(page, "xcerts-stats-en")
