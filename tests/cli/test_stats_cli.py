"""`creditbank stats show|rebuild|export|combine` on both databases: a figure as a table and as
the API's JSON (what ``read_figure`` gives), small counts shown '<10'; bad questions refused
naming what is wrong; a rebuild counts the bank's records again; an export written as Parquet
and combined (DuckDB) into the network's figures, read back by bank."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbank.accounts import api as accounts_api
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.settings import get_settings
from creditbank.stats import figures
from creditbank.stats.api import Fact, read_figure, tally
from creditbank.stats.schemas import FigureRead
from tests.bulk_files import id_number
from tests.cli.conftest import Once
from tests.cli.runner import run

FACTS = (
    Fact("accounts", "opened", date(2025, 3, 10), "SHOU", {"sex": "female"}, 30),
    Fact("accounts", "opened", date(2026, 1, 5), "JSVC", {"sex": "male"}, 25),
    Fact("accounts", "opened", date(2026, 2, 1), "GZVC", {"sex": "female"}, 4),
    Fact("outcomes", "deposited", date(2025, 9, 1), "SHOU", {}, 20, Decimal(60)),
)
OPENED = 30 + 25 + 4


def _world(database: Database) -> None:
    with database.unit_of_work() as uow:
        for code, region in (("SHOU", "上海"), ("JSVC", "江苏"), ("GZVC", "广东")):
            institutions.add_institution(
                uow=uow,
                code=code,
                name=f"{code} 学院",
                type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
                region=region,
            )
        tally(uow, FACTS)


def _figures(initialised: CliRunner, database: Database, once: Once) -> CliRunner:
    once("stats", lambda: _world(database))
    return initialised


def _read(database: Database, **asked: object) -> dict[str, object]:
    threshold = get_settings().stats_suppress_below
    with database.unit_of_work() as uow:
        table = read_figure(uow, suppress_below=threshold, **asked)  # type: ignore[arg-type]
    return FigureRead.of(table).model_dump(mode="json", by_alias=True)


def test_a_figure_as_a_table_and_as_json(
    initialised: CliRunner, database: Database, once: Once
) -> None:
    cli = _figures(initialised, database, once)
    shown = run(cli, "stats", "show", "accounts", "--by", "institution")
    assert "Accounts opened" in shown
    assert "SHOU 学院" in shown
    assert "<10" in shown  # GZVC's 4
    assert str(OPENED) in shown
    assert "Counts from 1 to 9 are shown as <10" in shown
    answer = json.loads(run(cli, "stats", "show", "accounts", "--by", "institution", "--json"))
    assert answer == _read(database, figure="accounts", by="institution")
    rows = {row["value"]: row for row in answer["rows"]}
    assert rows["GZVC"]["shown"]["opened"] == "<10"
    scoped = json.loads(
        run(cli, "stats", "show", "outcomes", "--scope", "SHOU", "--from", "2025", "--json")
    )
    assert scoped == _read(database, figure="outcomes", by="year", scope="SHOU", start="2025")
    assert scoped["total"]["counts"]["deposited"] == 20
    assert "60" in run(cli, "stats", "show", "outcomes", "--by", "all")  # credits deposited


def test_a_bad_question_is_refused_naming_what_is_wrong(
    initialised: CliRunner, database: Database, once: Once
) -> None:
    cli = _figures(initialised, database, once)
    assert "nope" in run(cli, "stats", "show", "nope", code=1)
    refused = run(cli, "stats", "show", "accounts", "--by", "peer", code=1)
    assert "peer" in refused
    assert "institution" in refused  # what it can be broken down by
    assert "2025-13" in run(cli, "stats", "show", "accounts", "--from", "2025-13", code=1)
    assert "Conversion cohorts" in run(cli, "stats", "show", "cohorts")  # by cohort, its first
    assert "NOPE" in run(cli, "stats", "show", "accounts", "--scope", "NOPE", code=1)
    assert "--engine" in run(cli, "stats", "combine", ".", "--engine", "hadoop", code=1)
    assert "--format" in run(cli, "stats", "export", "-o", ".", "--format", "csv", code=1)


def test_a_rebuild_counts_the_records_again(
    initialised: CliRunner, database: Database, once: Once, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = _figures(initialised, database, once)
    # the accounts' source alone (bootstrap.wire appends every area's): what it yields is counted
    monkeypatch.setattr(figures, "FACT_SOURCES", [accounts_api.account_facts])
    cipher = PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())
    with database.unit_of_work() as uow:
        for serial in range(3):
            accounts.open_account(
                uow=uow,
                cipher=cipher,
                id_number=parse_id_number(id_number(700 + serial)),
                name=f"学员{serial}",
                opened_by="SHOU",
            )
    assert _opened(database) == {"SHOU": 33, "JSVC": 25, "GZVC": 4}
    assert "rebuilt" in run(cli, "stats", "rebuild")
    # the facts tallied with no record behind them are gone; the three accounts counted again
    assert _opened(database) == {"SHOU": 3}


def _opened(database: Database) -> dict[str, int | None]:
    with database.unit_of_work() as uow:
        table = read_figure(uow, figure="accounts", by="institution", suppress_below=1)
    return {row.value: row.counts["opened"] for row in table.rows}


def test_an_export_combined_into_the_networks_figures(
    initialised: CliRunner, database: Database, once: Once, tmp_path: Path
) -> None:
    cli = _figures(initialised, database, once)
    exported = run(cli, "stats", "export", "--format", "parquet", "-o", str(tmp_path / "bank"))
    assert "cells.parquet" in exported
    assert "facts.parquet" in exported
    assert {"cells.parquet", "facts.parquet", "manifest.json"} <= {
        path.name for path in (tmp_path / "bank").iterdir()
    }
    combined = run(cli, "stats", "combine", str(tmp_path / "bank"))
    assert "exports of banks: 1" in combined
    network = json.loads(
        run(cli, "stats", "show", "accounts", "--source", "network", "--by", "bank", "--json")
    )
    assert network["total"]["counts"]["opened"] == OPENED
    assert [row["counts"]["opened"] for row in network["rows"]] == [OPENED]
    assert "<10" in run(cli, "stats", "show", "accounts", "--source", "network", "--by", "region")
