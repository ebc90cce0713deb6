"""The statistics pages over HTTP, on both databases: the public summary needs no login and shows
each figure's bank-wide totals as ``read_figure`` gives them; staff read their own institution's
figures only (no choice of scope on the form; another's is a 403 error page), administrators
and auditors any institution or the whole bank; a figure's table holds every measure, derived
rates and "<10" for small counts; the cohort view; problems (404 unknown figure, 400 bad
breakdown or period) as the bank's error pages; download links to the API.

The world is tests/stats_world.py's: known facts tallied into the bank's figures.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import httpx2
import pytest
from openpyxl import load_workbook

from creditbank.institutions import service as institutions
from creditbank.stats.api import FigureTable, read_figure
from creditbank.web.pages import stats as stats_pages
from tests import stats_world as world
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import page_client

ROW = re.compile(r'<tr data-value="([^"]*)"[^>]*>(.*?)</tr>', re.DOTALL)
TOTAL = re.compile(r'<dd class="[^"]*" data-column="([^"]+)">([^<]*)</dd>')
CELL = re.compile(r'<td class="([^"]*)" data-column="([^"]+)">([^<]*)</td>')


@pytest.fixture(scope="module")
def signed_in(live_bank: LiveBank, bank: str) -> SignedIn:
    world.build(live_bank.database)
    return SignedIn(bank, world.PASSWORD).log_in(
        "staff", world.ADMIN, world.AUDITOR, world.SCU_REGISTRAR
    )


def figure(live_bank: LiveBank, name: str, by: str, scope: str | None = None) -> FigureTable:
    with live_bank.database.unit_of_work() as uow:
        return read_figure(uow, figure=name, by=by, scope=scope, suppress_below=world.THRESHOLD)


def table_of(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """The count cells of the table ``table_id``: {row value: {column: text}}."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.DOTALL)
    assert found is not None, f"no table {table_id}"
    return {
        value: {column: unescape(text) for _, column, text in CELL.findall(cells)}
        for value, cells in ROW.findall(found.group(0))
    }


def counts_of(table: FigureTable) -> dict[str, dict[str, str]]:
    """What the page must show of ``table``'s counts: {row value: {measure: shown}}."""
    return {row.value: dict(row.shown) for row in (*table.rows, table.total)}


def only_counts(
    shown: dict[str, dict[str, str]], measures: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    return {value: {m: cells[m] for m in measures} for value, cells in shown.items()}


def test_the_public_summary_needs_no_login(
    live_bank: LiveBank, bank: str, signed_in: SignedIn
) -> None:
    del signed_in
    with page_client(bank, "zh") as client:
        page = client.get("/stats")
    assert page.status_code == 200
    assert 'href="/stats"' in page.text  # the menu's link, for everyone
    assert 'id="figure-links"' not in page.text  # a visitor reads the summary only
    for name in world.FIGURE_NAMES:
        section = re.search(rf'<section[^>]*id="summary-{name}".*?</section>', page.text, re.DOTALL)
        assert section is not None, name
        by_year = figure(live_bank, name, "year" if name != "cohorts" else "cohort")
        totals = {m: unescape(text) for m, text in TOTAL.findall(section.group(0))}
        assert {m: totals[m] for m in by_year.measures} == dict(by_year.total.shown), name
    xcerts = re.search(r'id="summary-xcerts".*?</section>', page.text, re.DOTALL)
    assert xcerts is not None
    assert dict(TOTAL.findall(xcerts.group(0)))["registered"] == "52"
    assert "<svg" in xcerts.group(0)


def test_staff_see_links_to_the_figures_they_may_read(bank: str, signed_in: SignedIn) -> None:
    del bank
    with signed_in.staff(world.SCU_REGISTRAR) as client:
        page = client.get("/stats")
    links = set(re.findall(r'<a href="/stats/([a-z]+)" data-figure', page.text))
    assert "xcerts" in links
    assert links <= set(world.FIGURE_NAMES)


def test_staff_read_their_own_institution_only(live_bank: LiveBank, signed_in: SignedIn) -> None:
    with signed_in.staff(world.SCU_REGISTRAR) as client:
        page = client.get("/stats/xcerts", params={"by": "year"})
        refused = client.get("/stats/xcerts", params={"scope": world.CQOU})
    assert page.status_code == 200
    assert 'id="fixed-scope"' in page.text
    assert 'name="scope"' not in page.text
    assert 'name="source"' not in page.text  # the banks combined: administrators' and auditors'
    own = figure(live_bank, "xcerts", "year", world.SCU)
    measures = own.measures
    assert only_counts(table_of(page.text, "figure-table"), measures) == counts_of(own)
    assert counts_of(own)[""]["registered"] == "40"
    assert refused.status_code == 403
    assert 'class="problem"' in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_administrators_and_auditors_choose_any_scope(
    live_bank: LiveBank, signed_in: SignedIn
) -> None:
    for email in (world.ADMIN, world.AUDITOR):
        with signed_in.staff(email) as client:
            bank_wide = client.get("/stats/xcerts", params={"by": "institution"})
            cqou = client.get("/stats/xcerts", params={"by": "year", "scope": world.CQOU})
        assert bank_wide.status_code == cqou.status_code == 200
        assert f'<option value="{world.CQOU}"' in bank_wide.text
        assert f'<option value="{world.CQOU}" selected>' in cqou.text
        assert '<option value="bank" selected>' in cqou.text  # this bank's figures
        everyone = figure(live_bank, "xcerts", "institution")
        shown = table_of(bank_wide.text, "figure-table")
        assert only_counts(shown, everyone.measures) == counts_of(everyone)
        assert shown[world.SCU]["fee_exempt"] == "<10"
        assert shown[world.CQOU]["certified"] == "<10"
        assert shown[world.SCU]["certified"] == "x"  # else 28 - 20 gives CQOU's 8 away
        assert shown[world.SCU]["pass_rate"] == shown[world.CQOU]["pass_rate"] == "—"
        assert shown[""]["pass_rate"] == "68.3%"  # 28 of 41
        assert 'data-threshold="10"' in bank_wide.text
        theirs = figure(live_bank, "xcerts", "year", world.CQOU)
        assert only_counts(table_of(cqou.text, "figure-table"), theirs.measures) == counts_of(
            theirs
        )


def test_every_figure_has_its_page_in_both_languages(
    live_bank: LiveBank, signed_in: SignedIn
) -> None:
    for name in world.FIGURE_NAMES:
        by = "cohort" if name == "cohorts" else "month"
        expected = counts_of(figure(live_bank, name, by))
        for language in ("zh", "en"):
            with signed_in.staff(world.ADMIN, language) as client:
                page = client.get(f"/stats/{name}", params={"by": by})
            assert page.status_code == 200, (name, language)
            assert f'<html lang="{"zh-CN" if language == "zh" else "en"}"' in page.text
            assert 'id="figure-chart"' in page.text
            shown = table_of(page.text, "figure-table")
            measures = figure(live_bank, name, by).measures
            assert only_counts(shown, measures) == expected, (name, language)


def test_a_figure_in_all_is_its_total_alone(live_bank: LiveBank, signed_in: SignedIn) -> None:
    with signed_in.staff(world.AUDITOR) as client:
        page = client.get("/stats/xcerts", params={"by": "all"})
    assert page.status_code == 200
    assert 'id="no-rows"' in page.text
    assert 'id="figure-chart"' not in page.text
    total = figure(live_bank, "xcerts", "all")
    assert only_counts(table_of(page.text, "figure-table"), total.measures) == counts_of(total)
    assert counts_of(total)[""]["registered"] == "52"


def test_too_many_institutions_to_list_are_typed_by_code(
    signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stats_pages, "MAX_PAGE", 1)  # one institution a page: more than a page
    with signed_in.staff(world.ADMIN) as client:
        page = client.get("/stats/xcerts", params={"scope": world.CQOU})
    assert page.status_code == 200
    assert f'<input id="scope" name="scope" value="{world.CQOU}"' in page.text
    assert '<option value="SCU"' not in page.text


def test_the_cohort_view(signed_in: SignedIn) -> None:
    with signed_in.staff(world.ADMIN) as client:
        page = client.get("/stats/cohorts")
    shown = table_of(page.text, "figure-table")
    assert shown["2023"]["learners"] == "50"
    assert (shown["2023"]["within_1"], shown["2023"]["share_1"]) == ("12", "24.0%")
    assert (shown["2023"]["within_2"], shown["2023"]["share_2"]) == ("23", "46.0%")
    assert (shown["2023"]["within_3"], shown["2023"]["share_3"]) == ("33", "66.0%")
    assert (shown["2024"]["within_1"], shown["2024"]["share_1"]) == ("15", "37.5%")


def test_derived_values_and_amounts(signed_in: SignedIn) -> None:
    with signed_in.staff(world.ADMIN) as client:
        accreditation = table_of(client.get("/stats/accreditation").text, "figure-table")
        outcomes = table_of(
            client.get("/stats/outcomes", params={"by": "setting"}).text, "figure-table"
        )
    assert accreditation["2025"]["mean_days"] == "30.0"
    assert outcomes["formal"]["deposited"] == "30"
    assert outcomes["formal"]["deposited:amount"] == "60"
    assert outcomes["informal"]["deposited"] == "<10"
    # 30 + 20 + 4 = 54 is shown: the next smallest is hidden too, its credits with it
    assert outcomes["non_formal"]["deposited"] == outcomes["non_formal"]["deposited:amount"] == "x"
    assert outcomes[""]["deposited:amount"] == "168"


def test_the_downloads_hold_the_pages_table(live_bank: LiveBank, signed_in: SignedIn) -> None:
    question = {"by": "kind", "from": "2024", "to": "2025-06", "scope": world.SCU}
    with signed_in.staff(world.ADMIN) as client:
        page = client.get("/stats/outcomes", params=question)
        links = re.findall(r'<a href="([^"]+)" data-format="(\w+)"', page.text)
        files = {format_: client.get(unescape(href)) for href, format_ in links}
    assert {unescape(href) for href, _ in links} == {
        f"/stats/outcomes/download?format={f}&by=kind&from=2024&to=2025-06&scope=SCU"
        for f in ("csv", "xlsx", "json")
    }
    api_url = "/api/v1/stats/outcomes?format=json&by=kind&from=2024&to=2025-06&scope=SCU"
    assert f"<code>{api_url}</code>" in unescape(page.text)
    with live_bank.database.unit_of_work() as uow:
        table = read_figure(
            uow,
            figure="outcomes",
            by="kind",
            scope=world.SCU,
            start="2024",
            end="2025-06",
            suppress_below=world.THRESHOLD,
        )
    lines = list(csv.reader(io.StringIO(files["csv"].content.decode("utf-8-sig"))))
    assert files["csv"].headers["content-disposition"].startswith("attachment;")
    rows = {line[0]: line for line in lines[2:]}  # after the Chinese and English headers
    assert rows["course"][3] == str(table.rows[0].counts["deposited"]) == "30"
    sheet = load_workbook(io.BytesIO(files["xlsx"].content)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[3]][:4] == ["course", *rows["course"][1:3], 30]
    answer = files["json"].json()
    assert answer["rows"][0]["shown"] == dict(table.rows[0].shown)
    assert (answer["from"], answer["to"], answer["scope"]) == ("2024", "2025-06", world.SCU)
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=world.ADMIN).secret
    with httpx2.Client(
        base_url=live_bank.url, headers={"Authorization": f"Bearer {secret}"}
    ) as api:
        assert api.get(api_url).json() == answer  # the API answers the same table


def test_a_registrar_downloads_their_own_figures_only(signed_in: SignedIn) -> None:
    with signed_in.staff(world.SCU_REGISTRAR) as client:
        own = client.get("/stats/xcerts/download", params={"format": "json"})
        other = client.get("/stats/xcerts/download", params={"format": "csv", "scope": world.CQOU})
    assert own.status_code == 200
    assert own.json()["scope"] == world.SCU
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/stats/nope", {}, 404),
        ("/stats/accounts", {"by": "peer"}, 400),
        ("/stats/accounts", {"from": "2025-13"}, 400),
        ("/stats/accounts", {"from": "2026", "to": "2025"}, 400),
        ("/stats/accounts", {"source": "elsewhere"}, 400),
    ],
)
def test_problems_are_the_banks_error_pages(
    signed_in: SignedIn, path: str, query: dict[str, str], status: int
) -> None:
    with signed_in.staff(world.ADMIN, "zh") as client:
        page = client.get(path, params=query)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert 'class="problem"' in page.text


def test_a_visitor_is_sent_to_log_in_for_a_figure(bank: str, signed_in: SignedIn) -> None:
    del signed_in
    with page_client(bank) as client:
        answer = client.get("/stats/accounts")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
