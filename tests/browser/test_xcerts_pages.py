"""The 1+X pages in a real browser, JavaScript switched off: a visitor reads the catalogue in
Chinese, filters it by round and opens the BIM certificate (its schemes, pilot schools and a
session); another reads the statistics in English, drawn as server-side SVG bar charts whose
figures match what the bank holds; the pilot school schedules a session and registers a
candidate in Chinese, and the provider previews and records its results in English.

The walk adds a session and a candidate to the bank every test of the module reads, in
whichever order they run: the statistics are checked against the registrations and results
counted in the database."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from creditbank import clock
from creditbank.accounts.files import FileFormat
from creditbank.institutions.tables import UserRow
from creditbank.xcerts import api as xcerts
from creditbank.xcerts.tables import RegistrationRow, ResultRow
from tests import xcerts_world as world
from tests.browser.conftest import PASSWORD, Visitors
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> int:
    """BIM with one intermediate session at HBVC: three candidates (one fee-exempt), two
    assessed (one passes with 66, one fails with 46), one absent. Returns the session's id.
    Staff have the browser tests' password."""
    database, cipher = live_bank.database, live_bank.cipher
    today = clock.today()
    with database.unit_of_work() as uow:
        world.build(uow, cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
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


def counted(live_bank: LiveBank) -> tuple[int, int, int, int]:
    """Candidates registered, fee-exempt, assessed and certified, counted in the database."""
    with live_bank.database.unit_of_work() as uow:
        registered = uow.session.scalar(select(func.count()).select_from(RegistrationRow)) or 0
        exempt = uow.session.scalar(
            select(func.count()).select_from(RegistrationRow).where(RegistrationRow.fee_exempt)
        )
        assessed = uow.session.scalar(select(func.count()).select_from(ResultRow)) or 0
        certified = uow.session.scalar(
            select(func.count()).select_from(ResultRow).where(ResultRow.passed)
        )
    return registered, exempt or 0, assessed, certified or 0


def test_a_visitor_reads_the_statistics_as_charts(
    visitors: Visitors, bank: str, scene: int, live_bank: LiveBank
) -> None:
    del scene
    registered, fee_exempt, assessed, certified = counted(live_bank)
    rate = f"{(Decimal(100) * certified / assessed).quantize(Decimal('0.1'))}%"
    page = visitors.page("en-GB")
    page.goto(f"{bank}/xcerts/stats?lang=en")
    expect(page.locator("h1")).to_have_text("1+X statistics")
    expect(page.locator("#total-certificates")).to_have_text("1")
    expect(page.locator("#total-schools")).to_have_text("2")
    expect(page.locator("#total-registered")).to_have_text(str(registered))
    expect(page.locator("#total-fee-exempt")).to_have_text(str(fee_exempt))
    expect(page.locator("#total-pass-rate")).to_have_text(rate)
    expect(page.locator('#by-round .bar[data-key="1"]')).to_have_attribute("data-value", "1")
    expect(page.locator('#by-round .bar[data-key="4"]')).to_have_attribute("data-value", "0")
    schools = page.locator("#by-school-type .bar")
    expect(schools).to_have_count(2)
    expect(
        page.locator('#by-school-type .bar[data-key="higher_vocational_college"]')
    ).to_contain_text("Higher vocational college")
    hebei = page.locator('#by-province .group[data-key="河北"]')  # every session is at HBVC
    for key, value in (
        ("registered", registered),
        ("assessed", assessed),
        ("certified", certified),
    ):
        expect(hebei.locator(f'.bar[data-key="{key}"]')).to_have_attribute("data-value", str(value))
    # the longest bar is the registered one, the certified in proportion to it (3 and 1: a third)
    expect(hebei.locator('.bar[data-key="registered"] rect')).to_have_attribute("width", "360")
    expect(hebei.locator('.bar[data-key="certified"] rect')).to_have_attribute(
        "width", str(round(360 * certified / registered))
    )
    row = page.locator('#certificate-table tr[data-xcert="LFZK:BIM"]')
    expect(row).to_contain_text("Building Information Modelling (BIM)")
    expect(row.locator(".pass-rate")).to_have_text(rate)
    expect(page.locator("script")).to_have_count(0)
    visitors.shot(page, "xcerts-stats-en")


@pytest.fixture(scope="module")
def walker(live_bank: LiveBank, scene: int) -> world.Person:
    """A learner registered nowhere yet: the walk's candidate."""
    del scene
    with live_bank.database.unit_of_work() as uow:
        return world.learner(uow, live_bank.cipher, 705)


def test_a_pilot_school_and_the_provider_run_a_session(
    visitors: Visitors, bank: str, walker: world.Person
) -> None:
    """HBVC's registrar, in Chinese, opens the 1+X desk from the menu, schedules an advanced
    session of BIM and registers a candidate (fee-exempt); the provider's registrar, in
    English, uploads the results file, reads the preview and records it: the candidate
    passes with the weighted mark, and the certificate is deposited."""
    school = visitors.page("zh-CN", staff=world.CENTRE_REGISTRAR)
    school.goto(f"{bank}/staff")
    school.locator("#menu-xcerts").click()
    expect(school.locator("h1")).to_contain_text("1+X 工作台")
    school.locator('#offered tr[data-level="advanced"] a').click()
    expect(school.locator("#xcert-heading")).to_contain_text("LFZK:BIM")
    form = school.locator("#session-form")
    form.locator("#session-level").select_option("advanced")
    form.locator("#held_on").fill(world.session_day().isoformat())
    form.locator("button").click()
    expect(school.locator("#notice")).to_contain_text("考核批次已安排")
    expect(school.locator("#level")).to_have_text("高级")
    candidate = school.locator("#candidate-form")
    candidate.locator("#account_number").fill(walker.account)
    candidate.locator('input[name="fee_exempt"]').check()
    candidate.locator("button").click()
    expect(school.locator("#notice")).to_contain_text("考生已报名")
    row = school.locator(f'#candidates tr[data-account="{walker.account}"]')
    expect(row).to_have_attribute("data-fee-exempt", "1")
    expect(row).to_contain_text("等待成绩")
    expect(school.locator("#results-form")).to_have_count(0)  # the provider records results
    visitors.shot(school, "xcerts-session-zh")
    session_url = school.url.split("?")[0]

    provider = visitors.page("en-GB", staff=world.PROVIDER_REGISTRAR)
    provider.goto(f"{session_url}?lang=en")
    results = provider.locator("#results-form")
    results.locator("#assessor").select_option(world.ASSESSOR)
    content = (
        "姓名,账户号码,理论,实操\nname,account_number,theory,practice\n"
        f"{walker.name},{walker.account},80,70\n"
    ).encode()
    results.locator("#file").set_input_files(
        {"name": "results.csv", "mimeType": "text/csv", "buffer": content}
    )
    results.locator("button").click()
    expect(provider.locator("h1")).to_have_text("Results preview")
    expect(provider.locator("#ready")).to_contain_text("1 pass, 0 fail")
    line = provider.locator('#preview-rows tr[data-line="3"]')
    expect(line.locator(".weighted")).to_have_text("76")  # 0.6 * 80 + 0.4 * 70
    expect(line).to_contain_text(walker.account)
    visitors.shot(provider, "xcerts-preview-en")
    provider.locator("#record-form button").click()
    expect(provider.locator("#notice")).to_contain_text("The results are recorded")
    row = provider.locator(f'#candidates tr[data-account="{walker.account}"]')
    expect(row).to_have_attribute("data-outcome", "passed")
    expect(row.locator(".weighted")).to_have_text("76")
    deposited = row.locator(".deposited")
    expect(deposited).to_have_text(re.compile(r"^deposited [0-9a-f]{8}$"))  # not a 32-digit id
    expect(deposited.locator("[data-public-id]")).to_have_attribute(
        "data-public-id", re.compile(r"^[0-9a-f]{32}$")
    )
    expect(provider.locator("script")).to_have_count(0)
