"""Skills in demand and held in Chromium, JavaScript switched off, on tests/skill_demand_world.py's
bank: a visitor, without logging in, follows the link from the statistics' summary, reads the
chart and the table by skill (small counts of learners "<10"), asks them by region with the
form, in Chinese and then in English; the learners "as of" the world's refresh."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import skill_demand_world as world
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.skill_demand_world import BIM, SOFTWARE, task

pytestmark = pytest.mark.browser

WORDS = {
    "zh": ("技能的需求与持有", "地区", "北京", "合计"),
    "en": ("Skills in demand and held", "Region", "Beijing", "Total"),
}


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> LiveBank:
    world.build(live_bank.database)
    return live_bank


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_visitor_reads_demand_against_supply(
    visitors: Visitors, bank: str, built: LiveBank, language: str
) -> None:
    del built
    heading, region, beijing, total = WORDS[language]
    page = visitors.page("zh-CN" if language == "zh" else "en-GB")
    page.goto(f"{bank}/stats?lang={language}")
    page.locator("#skills-link a").click()
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("#as-of")).to_be_visible()  # the learners as the refresh counted them
    for measure in ("jobs", "learners"):  # each on a scale of its own
        expect(page.locator(f"#chart-{measure} svg.chart-area")).to_be_visible()
    first = page.locator(f'#figure-table tr[data-value="{task(BIM, 1)}"]')
    expect(first.locator('td[data-column="jobs"]')).to_have_text("2")
    expect(first.locator('td[data-column="learners"]')).to_have_text("15")
    small = page.locator(f'#figure-table tr[data-value="{task(SOFTWARE, 1)}"] td.suppressed')
    expect(small).to_have_text("<10")
    page.locator("#by").select_option("region")
    page.locator("#question button[type=submit]").click()
    expect(page.locator("#figure-table th").first).to_have_text(region)
    row = page.locator('#figure-table tr[data-value="CN-BJ"]')
    expect(row.locator("th")).to_have_text(beijing)
    expect(row.locator('td[data-column="learners"]')).to_have_text("<10")
    expect(page.locator("#total-row th")).to_have_text(total)
    expect(page.locator('#total-row td[data-column="learners"]')).to_have_text("19")
    visitors.shot(page, f"stats-skills-{language}")
