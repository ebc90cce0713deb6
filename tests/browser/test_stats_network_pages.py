"""The pages of the banks' figures combined in Chromium, JavaScript switched off: a visitor
follows the bank's summary's link to ``/stats/network`` in Chinese, finds the two banks the
combine read and each figure's totals, and switches to English; a bank administrator asks a
figure of the banks combined by bank through the form, in both languages, and finds the chart
and the table as ``read_figure(source="network")`` gives them.

The world: tests/stats_world.py's bank combines the exports of two other banks
(tests/stats/exchange_world.py's), as tests/api/test_stats_network_pages.py's does."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from creditbank.languages import translations
from creditbank.stats.api import FIGURES, FigureTable, read_figure
from creditbank.stats.exchange.combine import combine_stats
from tests import stats_world as world
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.stats.exchange_world import ORIGINS, make_bank

pytestmark = pytest.mark.browser

LOCALES = {"zh": "zh-CN", "en": "en-GB"}
COMBINED = ORIGINS[1:]


@pytest.fixture(scope="module")
def built(
    request: pytest.FixtureRequest, live_bank: LiveBank, tmp_path_factory: pytest.TempPathFactory
) -> LiveBank:
    world.build(live_bank.database)
    exports: list[Path] = []
    for seed, origin in enumerate(COMBINED, start=1):
        made = make_bank(request, "sqlite", tmp_path_factory.mktemp("bank"), origin, seed)
        exports.append(made.export)
        made.database.dispose()
    with live_bank.database.unit_of_work() as uow:
        combine_stats(uow, exports)
    return live_bank


def network(live_bank: LiveBank, name: str, by: str) -> FigureTable:
    with live_bank.database.unit_of_work() as uow:
        return read_figure(
            uow, figure=name, by=by, suppress_below=world.THRESHOLD, source="network"
        )


def test_a_visitor_reads_the_banks_combined_in_chinese_and_english(
    visitors: Visitors, bank: str, built: LiveBank
) -> None:
    page = visitors.page(LOCALES["zh"])
    page.goto(f"{bank}/stats")
    page.locator("#network-link a").click()
    page.wait_for_url(f"{bank}/stats/network")
    expect(page.locator("h1")).to_have_text("各银行合并统计")
    expect(page.locator("#combined-banks tbody tr")).to_have_count(len(COMBINED))
    for origin in COMBINED:
        expect(page.locator(f'#combined-banks tr[data-origin="{origin}"]')).to_be_visible()
    expect(page.locator("#combine-engine")).to_have_text("DuckDB")
    outcomes = network(built, "outcomes", "bank")
    deposited = page.locator('#summary-outcomes dd[data-column="deposited"]')
    expect(deposited).to_have_text(outcomes.total.shown["deposited"])
    expect(page.locator("#summary-outcomes svg.chart-area")).to_be_visible()
    expect(page.locator("#summary-outcomes .group")).to_have_count(len(outcomes.rows))
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("The banks' figures combined")
    expect(page.locator("#summary-accounts h2")).to_have_text("Accounts opened")
    visitors.shot(page, "stats-network-en")


def test_an_administrator_asks_a_figure_by_bank_in_both_languages(
    visitors: Visitors, bank: str, built: LiveBank
) -> None:
    table = network(built, "outcomes", "bank")
    assert {row.value for row in table.rows} == set(COMBINED)
    for language, locale in LOCALES.items():
        page = visitors.page(locale, staff=world.ADMIN)
        page.goto(f"{bank}/stats/network?lang={language}")
        page.locator('#figure-links a[data-figure="outcomes"]').click()
        page.wait_for_url(f"{bank}/stats/network/outcomes")
        label = translations(language).gettext(FIGURES["outcomes"].label.template)
        expect(page.locator("h1")).to_have_text(label)
        expect(page.locator("#source")).to_have_count(0)
        page.locator("#by").select_option("bank")
        page.locator("#question button").click()
        expect(page).to_have_url(f"{bank}/stats/network/outcomes?by=bank&from=&to=&scope=")
        expect(page.locator("#figure-chart svg.chart-area")).to_be_visible()
        expect(page.locator("#figure-chart .group")).to_have_count(len(table.rows))
        for row in (*table.rows, table.total):
            line = page.locator(f'#figure-table tr[data-value="{row.value}"]')
            for measure, shown in row.shown.items():
                expect(line.locator(f'td[data-column="{measure}"]')).to_have_text(shown)
        visitors.shot(page, f"stats-network-outcomes-{language}")
