"""The statistics over HTTP, both databases: the list of figures and the summary are public; a
figure as JSON is what ``read_figure`` gives; as CSV (UTF-8 with a BOM) and XLSX it has a
Chinese and an English header row and the same numbers, a suppressed count written '<10' in
every format; an institution's staff read their own institution only (403 for another), the
public the summary only; each bad parameter is a 4xx problem naming it.

The figures are tallied straight into the bank (``stats.api.tally``): the facts' own paths are
tested where they are made (tests/stats); here what matters is what the API answers of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import openpyxl
import pytest

from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.stats.api import FIGURES, Fact, read_figure, tally
from creditbank.stats.exchange.combine import combine_stats
from creditbank.stats.exchange.export import export_stats
from creditbank.stats.schemas import FigureRead
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"
INSTITUTIONS = (
    ("SHOU", "上海开放大学", InstitutionType.OPEN_UNIVERSITY, "上海"),
    ("JSVC", "江苏某职业技术学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE, "江苏"),
    ("GZVC", "广州某职业学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE, "广东"),
)


def _opened(institution: str, on: date, count: int, sex: str, age: str) -> Fact:
    return Fact("accounts", "opened", on, institution, {"sex": sex, "age": age}, count)


def _outcomes(measure: str, institution: str, on: date, count: int, dims: str) -> Fact:
    setting, kind = dims.split("/")
    facts = {"setting": setting, "kind": kind}
    return Fact("outcomes", measure, on, institution, facts, count, Decimal(3 * count))


FACTS = (
    _opened("SHOU", date(2025, 3, 10), 30, "female", "20-29"),
    _opened("SHOU", date(2026, 1, 5), 12, "male", "30-39"),
    _opened("JSVC", date(2025, 6, 1), 25, "male", "20-29"),
    _opened("GZVC", date(2026, 2, 1), 4, "female", "<20"),
    _outcomes("deposited", "SHOU", date(2025, 9, 1), 20, "formal/course"),
    _outcomes("deposited", "JSVC", date(2026, 3, 1), 15, "non_formal/course"),
    _outcomes("deposited", "GZVC", date(2026, 4, 1), 3, "informal/x_certificate"),
    _outcomes("revoked", "SHOU", date(2026, 5, 1), 2, "formal/course"),
)
OPENED = 30 + 12 + 25 + 4


@dataclass(frozen=True)
class Tokens:
    admin: str
    auditor: str
    shou: str
    """A registrar of SHOU."""


@pytest.fixture(scope="module")
def tokens(live_bank: LiveBank) -> Tokens:
    """Three institutions, their figures tallied, and an administrator, an auditor and a
    registrar of SHOU with tokens."""
    with live_bank.database.unit_of_work() as uow:
        for code, name, kind, region in INSTITUTIONS:
            service.add_institution(uow=uow, code=code, name=name, type=kind, region=region)
        people = (
            ("admin@bank.example", Role.BANK_ADMIN, None),
            ("auditor@bank.example", Role.AUDITOR, None),
            ("reg@shou.example", Role.REGISTRAR, "SHOU"),
        )
        for email, role, institution in people:
            service.add_user(uow=uow, email=email, role=role, institution=institution)
        tally(uow, FACTS)
        return Tokens(*[service.create_token(uow=uow, email=email).secret for email, *_ in people])


def _client(bank: str, token: str | None) -> httpx2.Client:
    headers = {"Accept-Language": "en"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.Client(base_url=bank, headers=headers, timeout=10)


@pytest.fixture
def admin(bank: str, tokens: Tokens) -> Iterator[httpx2.Client]:
    with _client(bank, tokens.admin) as client:
        yield client


@pytest.fixture
def anyone(bank: str, tokens: Tokens) -> Iterator[httpx2.Client]:
    del tokens  # the world is built
    with _client(bank, None) as client:
        yield client


def _ok(answer: httpx2.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def _problem(answer: httpx2.Response, status: int, slug: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = answer.json()
    assert problem["type"] == f"/problems/{slug}", problem
    return f"{problem['detail']} {' '.join(problem.get('problems', []))}"


def _read(live_bank: LiveBank, **asked: Any) -> dict[str, Any]:
    """What ``read_figure`` gives, as the API writes it."""
    threshold = live_bank.settings.stats_suppress_below
    with live_bank.database.unit_of_work() as uow:
        table = read_figure(uow, suppress_below=threshold, **asked)
    return FigureRead.of(table).model_dump(mode="json", by_alias=True)


def test_the_figures_and_their_summary_are_public(anyone: httpx2.Client) -> None:
    listed = _ok(anyone.get("/api/v1/stats"))
    assert [figure["name"] for figure in listed["figures"]] == list(FIGURES)
    accounts = listed["figures"][0]
    assert accounts["label_en"] == "Accounts opened"
    assert accounts["label"] != accounts["label_en"]  # named in Chinese too
    assert [m["name"] for m in accounts["measures"]] == ["opened"]
    assert {"region", "institution", "sex", "age", "year", "month"} <= {
        by["name"] for by in accounts["by"]
    }
    summary = {table["figure"]: table for table in listed["summary"]}
    assert summary["accounts"]["total"]["counts"]["opened"] == OPENED
    assert summary["accounts"]["scope"] is None
    by_year = {row["value"]: row["counts"]["opened"] for row in summary["accounts"]["rows"]}
    assert by_year == {"2025": 55, "2026": 16}
    outcomes = summary["outcomes"]["total"]
    assert outcomes["counts"] == {"deposited": 38, "revoked": None}  # 2 revoked: suppressed
    assert outcomes["shown"]["revoked"] == "<10"


@pytest.mark.parametrize(
    ("figure", "query"),
    [
        ("accounts", {"by": "institution"}),
        ("accounts", {"by": "region"}),
        ("accounts", {"by": "institution_type"}),
        ("accounts", {"by": "sex"}),
        ("accounts", {"by": "age", "from": "2025-01", "to": "2025-12"}),
        ("accounts", {"by": "month", "from": "2026"}),
        ("outcomes", {"by": "setting"}),
        ("outcomes", {"by": "kind", "to": "2025"}),
        ("outcomes", {"by": "all", "scope": "SHOU"}),
        ("outcomes", {"scope": "JSVC", "from": "2026-03", "to": "2026-03"}),
        ("cohorts", {}),
    ],
)
def test_a_figure_as_json_is_what_read_figure_gives(
    admin: httpx2.Client, live_bank: LiveBank, figure: str, query: dict[str, str]
) -> None:
    answer = _ok(admin.get(f"/api/v1/stats/{figure}", params=query))
    asked = {
        "figure": figure,
        "by": query.get("by", "year" if "year" in FIGURES[figure].by else "cohort"),
        "scope": query.get("scope"),
        "start": query.get("from"),
        "end": query.get("to"),
    }
    assert answer == _read(live_bank, **asked)


def test_small_counts_are_suppressed_in_json(admin: httpx2.Client) -> None:
    answer = _ok(admin.get("/api/v1/stats/accounts", params={"by": "institution"}))
    rows = {row["value"]: row for row in answer["rows"]}
    assert rows["GZVC"]["counts"]["opened"] is None
    assert rows["GZVC"]["shown"]["opened"] == "<10"
    assert rows["GZVC"]["label"] == "广州某职业学院"
    assert answer["total"]["counts"]["opened"] == OPENED
    # the total is shown, so one more row is hidden: GZVC's 4 cannot be worked out from it
    assert sum(row["counts"]["opened"] is None for row in answer["rows"]) >= 2


def _numbers(json_rows: list[dict[str, Any]], measures: list[str]) -> list[list[object]]:
    """Each row's cells as a file should hold them: the count, or '<10' where suppressed."""
    found: list[list[object]] = []
    for row in json_rows:
        cells: list[object] = [row["value"], row["label"], row["label_en"]]
        for measure in measures:
            count = row["counts"][measure]
            cells.append(row["shown"][measure] if count is None else count)
            if measure in row["amounts"]:
                amount = row["amounts"][measure]
                cells.append(row["shown"][measure] if amount is None else Decimal(amount))
        found.append(cells)
    return found


def _expected(admin: httpx2.Client, figure: str, query: dict[str, str]) -> list[list[object]]:
    answer = _ok(admin.get(f"/api/v1/stats/{figure}", params=query))
    expected = _numbers([*answer["rows"], answer["total"]], answer["measures"])
    assert any("<10" in row for row in expected)  # the file shows a suppressed count too
    return expected


def test_a_figure_as_csv_has_both_header_rows_and_the_same_numbers(
    admin: httpx2.Client,
) -> None:
    query = {"by": "institution"}
    expected = _expected(admin, "outcomes", query)
    answer = admin.get("/api/v1/stats/outcomes", params={**query, "format": "csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="stats-outcomes-by-institution.csv"'
    )
    assert answer.content.startswith("\ufeff".encode())
    chinese, english, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert english == [
        "Institution (code)",
        "Name",
        "Name in English",
        "deposited",
        "credits deposited",
        "revoked",
        "credits revoked",
    ]
    assert chinese[3] != "deposited"
    assert chinese[0].startswith("机构")
    parsed = [
        [*row[:3], *(cell if cell.startswith(("<", "x")) else Decimal(cell) for cell in row[3:])]
        for row in rows
    ]
    assert parsed == expected


def test_a_figure_as_xlsx_has_both_header_rows_and_the_same_numbers(
    admin: httpx2.Client,
) -> None:
    query = {"by": "institution", "from": "2025"}
    expected = _expected(admin, "accounts", query)
    answer = admin.get("/api/v1/stats/accounts", params={**query, "format": "xlsx"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="stats-accounts-by-institution-2025.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    chinese, english, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert english == ["Institution (code)", "Name", "Name in English", "opened"]
    assert chinese[3] != "opened"
    parsed = [  # an empty cell (the total's value) reads back as None
        [*(cell or "" for cell in row[:3]), *row[3:]] for row in rows
    ]
    assert parsed == expected
    assert all(isinstance(c, int | str) for row in rows for c in row[3:])  # numbers as numbers


def test_staff_read_their_own_institution_only(bank: str, tokens: Tokens) -> None:
    with _client(bank, tokens.shou) as shou, _client(bank, tokens.auditor) as auditor:
        own = _ok(shou.get("/api/v1/stats/accounts", params={"by": "year"}))
        assert own["scope"] == "SHOU"
        assert own["total"]["counts"]["opened"] == 30 + 12
        named = _ok(shou.get("/api/v1/stats/accounts", params={"scope": "SHOU"}))
        assert named == own
        detail = _problem(
            shou.get("/api/v1/stats/accounts", params={"scope": "GZVC"}),
            403,
            "forbidden",
        )
        assert "GZVC" in detail
        other = _ok(auditor.get("/api/v1/stats/accounts", params={"scope": "JSVC"}))
        assert other["scope"] == "JSVC"
        assert other["total"]["counts"]["opened"] == 25


def test_the_public_reads_the_summary_only(anyone: httpx2.Client) -> None:
    for query in ({"by": "institution"}, {"by": "year"}, {"by": "year", "format": "csv"}):
        _problem(anyone.get("/api/v1/stats/accounts", params=query), 401, "unauthenticated")


@pytest.mark.parametrize(
    "case",
    [
        ("nope", {}, 404, "unknown-figure", "nope"),
        ("accounts", {"by": "peer"}, 400, "unknown-breakdown", "peer"),
        ("accounts", {"from": "2025-13"}, 400, "bad-period", "2025-13"),
        ("accounts", {"from": "2026", "to": "2025"}, 400, "bad-period", "2025"),
        ("accounts", {"to": "last"}, 400, "bad-period", "last"),
        ("accounts", {"format": "pdf"}, 422, "validation-error", "format"),
        ("accounts", {"source": "moon"}, 400, "unknown-stats-source", "moon"),
        ("accounts", {"by": "x" * 40}, 422, "validation-error", "by"),
        ("accounts", {"scope": "NOPE"}, 404, "institution-not-found", "NOPE"),
    ],
)
def test_a_bad_parameter_is_a_problem_naming_it(
    admin: httpx2.Client, case: tuple[str, dict[str, str], int, str, str]
) -> None:
    path, query, status, slug, named = case
    detail = _problem(admin.get(f"/api/v1/stats/{path}", params=query), status, slug)
    assert named in detail


def test_an_unknown_token_is_refused_not_taken_for_the_public(bank: str, tokens: Tokens) -> None:
    del tokens
    with _client(bank, "cb_unknown") as stranger:
        _problem(stranger.get("/api/v1/stats"), 401, "unauthenticated")


def test_the_networks_figures_after_a_combine(
    anyone: httpx2.Client, admin: httpx2.Client, live_bank: LiveBank, tmp_path: Path
) -> None:
    with live_bank.database.unit_of_work() as uow:  # this bank's export, combined here
        export_stats(uow, tmp_path, suppress_below=live_bank.settings.stats_suppress_below)
        combine_stats(uow, [tmp_path])
    summary = _ok(anyone.get("/api/v1/stats", params={"source": "network"}))["summary"]
    accounts = {table["figure"]: table for table in summary}["accounts"]
    assert accounts["by"] == "bank"
    assert accounts["total"]["counts"]["opened"] == OPENED
    assert [row["counts"]["opened"] for row in accounts["rows"]] == [OPENED]
    query = {"source": "network", "by": "region"}
    answer = _ok(admin.get("/api/v1/stats/accounts", params=query))
    assert answer == _read(live_bank, figure="accounts", by="region", source="network")
    assert {row["value"] for row in answer["rows"]} == {"CN-SH", "CN-JS", "CN-GD"}
    detail = _problem(
        anyone.get("/api/v1/stats", params={"source": "moon"}), 400, "unknown-stats-source"
    )
    assert "moon" in detail
