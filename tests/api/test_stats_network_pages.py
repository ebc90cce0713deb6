"""The pages of the banks' figures combined over HTTP, on both databases: ``/stats/network``
(public) names the banks whose exports the last combine read, when and on which engine, and
shows each figure's totals across the banks and by bank as ``read_figure(source="network")``
reads the cells the combine stored; ``/stats/network/{figure}`` is the bank's figure page on
those cells (by bank too) for administrators and auditors, refused to an institution's staff;
``/stats`` links to it only when the bank holds a combine, and without one the page says so.

The world: tests/stats_world.py's bank (its staff) as the national bank, which combines the
exports of two other banks (tests/stats/exchange_world.py's, each a database of its own).
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import delete

from creditbank.stats.api import FIGURES, FigureTable, read_figure
from creditbank.stats.exchange.combine import combine_stats
from creditbank.stats.exchange.tables import (
    StatNetworkCellRow,
    StatNetworkCombineRow,
    StatNetworkSourceRow,
)
from tests import stats_world as world
from tests.api.signed_in import SignedIn
from tests.api.test_stats_pages import TOTAL, counts_of, only_counts, table_of
from tests.conftest import LiveBank
from tests.stats.exchange_world import ORIGINS, make_bank
from tests.support.pages import page_client

COMBINED = ORIGINS[1:]
"""The banks the national bank combines (their log origins)."""


@pytest.fixture(scope="module")
def signed_in(
    request: pytest.FixtureRequest,
    live_bank: LiveBank,
    bank: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> SignedIn:
    world.build(live_bank.database)
    backend = "sqlite" if live_bank.database.url.startswith("sqlite") else "postgresql"
    exports: list[Path] = []
    for seed, origin in enumerate(COMBINED, start=1):
        made = make_bank(request, backend, tmp_path_factory.mktemp("bank"), origin, seed)
        exports.append(made.export)
        made.database.dispose()
    with live_bank.database.unit_of_work() as uow:
        combine_stats(uow, exports)
    return SignedIn(bank, world.PASSWORD).log_in(
        "staff", world.ADMIN, world.AUDITOR, world.SCU_REGISTRAR
    )


def network(live_bank: LiveBank, name: str, by: str, **asked: str) -> FigureTable:
    with live_bank.database.unit_of_work() as uow:
        return read_figure(
            uow,
            figure=name,
            by=by,
            suppress_below=world.THRESHOLD,
            source="network",
            **asked,
        )


def section_of(html: str, name: str) -> str:
    found = re.search(rf'<section[^>]*id="summary-{name}".*?</section>', html, re.DOTALL)
    assert found is not None, name
    return found.group(0)


def test_the_summary_names_the_combine_and_shows_each_figure_by_bank(
    live_bank: LiveBank, bank: str, signed_in: SignedIn
) -> None:
    del signed_in
    with page_client(bank, "zh") as client:
        page = client.get("/stats/network")
    assert page.status_code == 200
    html = page.text
    assert 'data-engine="duckdb"' in html
    assert '<dd id="combine-engine">DuckDB</dd>' in html
    assert re.findall(r'<tr data-origin="([^"]+)"', html) == sorted(COMBINED)
    assert 'id="figure-links"' not in html  # a visitor reads the summary only
    for name in FIGURES:
        by = "cohort" if name == "cohorts" else "bank"  # cohorts' cells are not kept by bank
        by_bank = network(live_bank, name, by)
        section = section_of(html, name)
        totals = {m: unescape(text) for m, text in TOTAL.findall(section)}
        assert {m: totals[m] for m in by_bank.measures} == dict(by_bank.total.shown), name
        if by_bank.rows:
            shown = table_of(section, f"table-{name}")
            assert only_counts(shown, by_bank.measures) == {
                row.value: dict(row.shown) for row in by_bank.rows
            }, name
            assert by == "cohort" or set(shown) <= set(COMBINED)
    outcomes = network(live_bank, "outcomes", "bank")
    assert {row.value for row in outcomes.rows} == set(COMBINED)
    assert outcomes.total.counts["deposited"]  # the combine's numbers, not zeros
    assert 'data-shape="bars"' in section_of(html, "outcomes")


def test_the_banks_summary_links_to_the_network_view_only_with_a_combine(
    live_bank: LiveBank, bank: str, signed_in: SignedIn
) -> None:
    del signed_in
    with page_client(bank, "en") as client:
        assert 'href="/stats/network"' in client.get("/stats").text
        with live_bank.database.unit_of_work() as uow:
            for table in (StatNetworkSourceRow, StatNetworkCombineRow, StatNetworkCellRow):
                uow.session.execute(delete(table))
        plain = client.get("/stats")
        empty = client.get("/stats/network")
    assert 'href="/stats/network"' not in plain.text
    assert empty.status_code == 200
    assert 'id="no-combine"' in empty.text
    assert "has combined no other banks" in empty.text
    assert "<section" not in empty.text.split('id="no-combine"')[1]


def test_administrators_and_auditors_read_a_figure_of_the_banks_combined(
    live_bank: LiveBank, signed_in: SignedIn
) -> None:
    for email in (world.ADMIN, world.AUDITOR):
        with signed_in.staff(email) as client:
            summary = client.get("/stats/network")
            by_bank = client.get("/stats/network/outcomes", params={"by": "bank"})
            by_region = client.get("/stats/network/accounts", params={"by": "region"})
            cohorts = client.get("/stats/network/cohorts")
        links = set(re.findall(r'<a href="/stats/network/([a-z]+)" data-figure', summary.text))
        assert links == set(FIGURES)
        assert by_bank.status_code == by_region.status_code == cohorts.status_code == 200
        html = by_bank.text
        assert 'action="/stats/network/outcomes"' in html
        assert 'name="source"' not in html  # the path says whose figures
        assert '<option value="bank" selected>' in html
        assert 'name="scope"' in html  # any institution's code, typed in
        assert "The figures of the banks combined." in html
        assert '<option value="bank"' not in cohorts.text  # the cohorts: by cohort only
        for page, table in (
            (by_bank, network(live_bank, "outcomes", "bank")),
            (by_region, network(live_bank, "accounts", "region")),
            (cohorts, network(live_bank, "cohorts", "cohort")),
        ):
            shown = table_of(page.text, "figure-table")
            assert only_counts(shown, table.measures) == counts_of(table)
        assert {row.value for row in network(live_bank, "accounts", "region").rows} >= {
            "CN-GD",
            "CN-SH",
        }


def test_the_downloads_hold_the_combined_table(live_bank: LiveBank, signed_in: SignedIn) -> None:
    with signed_in.staff(world.ADMIN) as client:
        page = client.get("/stats/network/recognition", params={"by": "bank", "from": "2025"})
        links = {
            format_: unescape(href)
            for href, format_ in re.findall(r'<a href="([^"]+)" data-format="(\w+)"', page.text)
        }
        assert (
            links["csv"]
            == "/stats/recognition/download?format=csv&by=bank&from=2025&source=network"
        )
        download = client.get(links["csv"])
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    table = network(live_bank, "recognition", "bank", start="2025")
    rows = {line[0]: line for line in lines[2:]}  # after the Chinese and English headers
    for row in table.rows:
        assert rows[row.value][3] == row.shown["exported"]


def test_an_institutions_staff_and_visitors_do_not_read_the_figures_in_detail(
    bank: str, signed_in: SignedIn
) -> None:
    with signed_in.staff(world.SCU_REGISTRAR) as client:
        summary = client.get("/stats/network")
        refused = client.get("/stats/network/xcerts")
        download = client.get("/stats/xcerts/download", params={"source": "network"})
    assert summary.status_code == 200
    assert 'id="figure-links"' not in summary.text
    assert refused.status_code == download.status_code == 403
    assert 'class="problem"' in refused.text
    with page_client(bank) as client:
        answer = client.get("/stats/network/accounts")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/stats/network/nope", {}, 404),
        ("/stats/network/accounts", {"by": "peer"}, 400),
        ("/stats/network/accounts", {"from": "2025-13"}, 400),
        ("/stats/network/cohorts", {"by": "bank"}, 400),  # not kept by bank and cohort
    ],
)
def test_problems_are_the_banks_error_pages(
    signed_in: SignedIn, path: str, query: dict[str, str], status: int
) -> None:
    with signed_in.staff(world.ADMIN, "zh") as client:
        page = client.get(path, params=query)
    assert page.status_code == status
    assert 'class="problem"' in page.text
