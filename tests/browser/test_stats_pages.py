"""The statistics pages in Chromium, JavaScript switched off, on a bank with known facts
(tests/stats_world.py): a visitor reads the public summary without logging in, in Chinese, and
switches to English; a bank administrator opens every figure in both languages and finds the
chart (an SVG with its title and its values as text) and the table holding what
``read_figure`` gives, small counts as "<10"; the form asks another breakdown and period; a
registrar has no choice of institution, and asking another's figures is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from creditbank.languages import translations
from creditbank.stats.api import FIGURES, FigureTable, read_figure
from tests import stats_world as world
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank

pytestmark = pytest.mark.browser

LOCALES = {"zh": "zh-CN", "en": "en-GB"}


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> LiveBank:
    world.build(live_bank.database)
    return live_bank


def figure(
    live_bank: LiveBank, name: str, by: str, scope: str | None = None, start: str | None = None
) -> FigureTable:
    with live_bank.database.unit_of_work() as uow:
        return read_figure(
            uow, figure=name, by=by, scope=scope, start=start, suppress_below=world.THRESHOLD
        )


def expect_table(page: Page, table: FigureTable) -> None:
    """The page's table shows each row and the total as ``table`` has them."""
    body = page.locator("#figure-table tbody tr")
    expect(body).to_have_count(len(table.rows))
    for row in (*table.rows, table.total):
        line = page.locator(f'#figure-table tr[data-value="{row.value}"]')
        for measure, shown in row.shown.items():
            expect(line.locator(f'td[data-column="{measure}"]')).to_have_text(shown)


@pytest.mark.parametrize("name", world.FIGURE_NAMES)
def test_each_figure_in_chinese_and_english(
    visitors: Visitors, bank: str, built: LiveBank, name: str
) -> None:
    by = "cohort" if name == "cohorts" else "year"
    table = figure(built, name, by)
    assert table.rows, f"the world has no {name}"
    for language, locale in LOCALES.items():
        page = visitors.page(locale, staff=world.ADMIN)
        page.goto(f"{bank}/stats/{name}?lang={language}")
        expect(page.locator("html")).to_have_attribute(
            "lang", "zh-CN" if language == "zh" else "en"
        )
        label = translations(language).gettext(FIGURES[name].label.template)
        expect(page.locator("h1")).to_have_text(label)
        chart = page.locator("#figure-chart svg.chart-area")
        expect(chart).to_be_visible()
        expect(chart.locator("title").first).to_contain_text(label)
        expect(page.locator("#figure-chart .group")).to_have_count(
            len(table.rows)
            if by == "cohort"
            else int(table.rows[-1].value) - int(table.rows[0].value) + 1
        )
        expect_table(page, table)
        visitors.shot(page, f"stats-{name}-{language}")


def test_a_small_count_shows_as_under_ten(visitors: Visitors, bank: str, built: LiveBank) -> None:
    page = visitors.page(LOCALES["en"], staff=world.AUDITOR)
    page.goto(f"{bank}/stats/accounts?lang=en")
    page.locator("#by").select_option("institution")
    page.locator("#from").fill("2025")
    page.locator("#question button").click()
    expect(page).to_have_url(
        f"{bank}/stats/accounts?by=institution&from=2025&to=&scope=&source=bank"
    )
    cqou = page.locator(f'#figure-table tr[data-value="{world.CQOU}"] td[data-column="opened"]')
    expect(cqou).to_have_text("<10")
    expect(cqou).to_have_class("number count suppressed")
    expect_table(page, figure(built, "accounts", "institution", start="2025"))
    bar = page.locator(f'#figure-chart .group[data-key="{world.CQOU}"] .bar')
    expect(bar).to_have_attribute("data-shown", "<10")
    expect(bar.locator("rect")).to_have_count(0)  # no bar drawn for a hidden count
    expect(page.locator("#suppression-note")).to_contain_text("<10")
    visitors.shot(page, "stats-suppressed-en")


def test_a_registrar_reads_their_own_institution_only(
    visitors: Visitors, bank: str, built: LiveBank
) -> None:
    page = visitors.page(LOCALES["zh"], staff=world.SCU_REGISTRAR)
    page.goto(f"{bank}/stats/xcerts?by=institution")
    expect(page.locator("#fixed-scope")).to_contain_text("四川某大学")
    expect(page.locator("#scope")).to_have_count(0)
    expect_table(page, figure(built, "xcerts", "institution", world.SCU))
    answer = page.goto(f"{bank}/stats/xcerts?scope={world.CQOU}")
    assert answer is not None and answer.status == 403
    expect(page.locator(".problem h1")).to_be_visible()


def test_the_public_summary_needs_no_login(visitors: Visitors, bank: str, built: LiveBank) -> None:
    page = visitors.page(LOCALES["zh"])
    page.goto(f"{bank}/")
    # on a wide screen the menu's groups stand open
    page.locator('#menu-public a[href="/stats"]').click()
    page.wait_for_url(f"{bank}/stats")
    expect(page.locator("h1")).to_have_text("统计")
    total = figure(built, "xcerts", "year").total
    registered = page.locator('#summary-xcerts dd[data-column="registered"]')
    expect(registered).to_have_text(total.shown["registered"])
    expect(page.locator("#summary-xcerts svg.chart-area")).to_be_visible()
    expect(page.locator("#figure-links")).to_have_count(0)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Statistics")
    expect(page.locator("#summary-accounts h2")).to_have_text("Accounts opened")
    visitors.shot(page, "stats-summary-en")
