"""`creditbank deposit import`: all or nothing, the report printed, a non-zero exit on rejection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbank.accounts import bulk
from creditbank.accounts.pipeline import WorkerPolicy
from creditbank.db import Database
from creditbank.settings import get_settings
from tests.bulk_files import add_college_with_course, csv_bytes, jsonl_bytes, row
from tests.cli.runner import run
from tests.support.stages import bulk_workers


def prepare(cli: CliRunner) -> None:
    run(
        cli,
        "institutions",
        "add",
        "JSVC",
        "--name",
        "江苏某学院",
        "--type",
        "higher_vocational_college",
    )


def test_import_then_again(initialised: CliRunner, database: Database, tmp_path: Path) -> None:
    prepare(initialised)
    # the CLI has no catalogue command yet: create the course through the service
    with database.unit_of_work() as uow:
        add_college_with_course(uow, with_institution=False)
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl_bytes([row(n) for n in range(1, 6)]))
    body = json.loads(
        run(initialised, "deposit", "import", str(good), "--institution", "JSVC", "--json")
    )
    assert (body["status"], body["deposited"]) == ("committed", 5)
    assert "0 deposited, 5 already there" in run(
        initialised, "deposit", "import", str(good), "--institution", "JSVC"
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(10), row(11, level="7")]))
    output = run(initialised, "deposit", "import", str(bad), "--institution", "JSVC", code=1)
    assert "rejected" in output and "not at 7" in output


def test_unknown_institution_and_file(initialised: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "none.csv"
    assert "is not a file" in run(
        initialised, "deposit", "import", str(missing), "--institution", "X", code=1
    )
    file = tmp_path / "f.csv"
    file.write_bytes(csv_bytes([row(1)]))
    assert "there is no institution NOWHERE" in run(
        initialised, "deposit", "import", str(file), "--institution", "NOWHERE", code=1
    )


@pytest.mark.own_database  # the worker process opens the database by its URL
def test_import_through_the_worker_process(
    initialised: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file's chunks are prepared by a worker process (forced here for a small file)."""
    monkeypatch.setattr(
        bulk, "PLAN", bulk.BulkPlan(chunk_rows=3, worker=WorkerPolicy(after=1, wait=True))
    )
    prepare(initialised)
    database = Database(get_settings().database_url)
    with database.unit_of_work() as uow:
        add_college_with_course(uow, with_institution=False)
    database.dispose()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row(n) for n in range(1, 11)]))
    body = json.loads(
        run(initialised, "deposit", "import", str(good), "--institution", "JSVC", "--json")
    )
    assert (body["status"], body["deposited"], body["accounts_opened"]) == ("committed", 10, 10)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(n, level="7" if n == 18 else "4") for n in range(11, 21)]))
    output = run(initialised, "deposit", "import", str(bad), "--institution", "JSVC", code=1)
    assert "rejected" in output and "not at 7" in output
    assert bulk_workers() == []
