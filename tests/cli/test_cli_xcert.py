"""`creditbank xcert ...` on both databases: the catalogue, a scheme, a pilot school, a
dual-certified teacher, a session with candidates, results from a file (the BIM weights at the
advanced level), a refused uncertified assessor, a rejected file, and the statistics."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbank import clock
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.cli.main import app
from creditbank.db import Database
from creditbank.settings import get_settings
from tests import xcerts_world as world
from tests.bulk_files import id_number
from tests.cli.conftest import Once
from tests.cli.runner import run


def _cipher() -> PersonalDataCipher:
    return PersonalDataCipher(base64.b64decode(get_settings().data_key.get_secret_value()))


@pytest.fixture
def bim(initialised: CliRunner, database: Database, once: Once) -> CliRunner:
    """The 1+X world of tests/xcerts_world.py (built once per backend: see
    tests/cli/conftest.py)."""
    once("bim", lambda: _build(database))
    return initialised


def _build(database: Database) -> None:
    with database.unit_of_work() as uow:
        world.build(uow, _cipher())


def _results(path: Path, rows: list[tuple[world.Person, str, str]]) -> Path:
    lines = ["id_number,name,theory,practice"]
    lines += [f"{p.id_number},{p.name},{theory},{practice}" for p, theory, practice in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_catalogue_and_a_certificate(bim: CliRunner) -> None:
    listed = run(bim, "xcert", "list", "--round", "1")
    assert "LFZK:BIM" in listed
    assert "No X certificate matches" in run(bim, "xcert", "list", "--round", "4")
    as_json = json.loads(run(bim, "xcert", "list", "--json"))
    assert [x["code"] for x in as_json] == ["LFZK:BIM"]
    shown = run(bim, "xcert", "show", "BIM")
    assert "Industry: Civil engineering and construction · valid for 5 years" in shown
    assert "advanced" in shown
    assert "theory 60 / practice 40, pass mark 60" in shown
    assert "theory 20 / practice 80" in shown
    assert f"{world.ASSESSOR} · teacher" in shown
    assert f"{world.ASSESSOR} · assessor" in shown
    refused = run(bim, "xcert", "show", "NOPE", code=1)
    assert "there is no X certificate NOPE" in refused


def test_set_up_schedule_register_and_record_from_the_command_line(
    bim: CliRunner, database: Database, tmp_path: Path
) -> None:
    # a new level scheme version, a new pilot school offering, a newly trained dual teacher
    changed = run(
        bim,
        "xcert", "scheme", "BIM", "--level", "advanced",
        "--component", "theory=60", "--component", "practice=40", "--pass-mark", "60",
        "--as", world.PROVIDER_REGISTRAR,
    )  # fmt: skip
    assert "(version 1)" in changed  # the same scheme: no new version
    refused = run(
        bim,
        "xcert", "scheme", "BIM", "--level", "advanced",
        "--component", "theory=60", "--component", "practice=30",
        "--as", world.PROVIDER_REGISTRAR, code=1,
    )  # fmt: skip
    assert "the weights add up to 90, not 100" in refused
    run(
        bim,
        "xcert", "offer", "BIM", "--school", world.SCHOOL, "--level", "intermediate",
        "--as", world.PROVIDER_REGISTRAR,
    )  # fmt: skip
    forbidden = run(
        bim,
        "xcert", "offer", "BIM", "--school", world.SCHOOL, "--level", "advanced",
        "--as", world.CENTRE_REGISTRAR, code=1,
    )  # fmt: skip
    assert "may not manage X certificates" in forbidden
    untrained = bim.invoke(
        app,
        [
            "xcert", "teacher", "BIM", "--user", world.UNCERTIFIED, "--certify", "assessor",
            "--id-number-stdin", "--as", world.PROVIDER_REGISTRAR,
        ],
        input=id_number(9100) + "\n",
    )  # fmt: skip
    assert untrained.exit_code == 1
    assert "record the teacher's training for this certificate first" in untrained.output

    held_on = (clock.today() - timedelta(days=5)).isoformat()
    scheduled = json.loads(
        run(
            bim,
            "xcert",
            "schedule",
            "BIM",
            "--centre",
            world.CENTRE,
            "--level",
            "advanced",
            "--on",
            held_on,
            "--as",
            world.CENTRE_REGISTRAR,
            "--json",
        )
    )
    session = scheduled["id"]
    with database.unit_of_work() as uow:
        people = [world.learner(uow, _cipher(), serial) for serial in (801, 802)]
    run(bim, "xcert", "register", str(session), people[0].account, "--as", world.CENTRE_REGISTRAR)
    registered = run(
        bim, "xcert", "register", str(session), people[1].account, "--fee-exempt",
        "--as", world.CENTRE_REGISTRAR,
    )  # fmt: skip
    assert "(fee-exempt)" in registered

    # theory 30 / practice 75 weighs 48 at the advanced level (60/40): a fail; 90/40 weighs 70
    file = _results(tmp_path / "results.csv", [(people[0], "30", "75"), (people[1], "90", "40")])
    refused = run(
        bim, "xcert", "results", str(session), str(file), "--assessor", world.EXPIRED,
        "--as", world.PROVIDER_REGISTRAR, code=1,
    )  # fmt: skip
    assert "only a certified assessor can score" in refused
    bad = _results(tmp_path / "bad.csv", [(people[0], "30", "75"), (people[1], "ninety", "40")])
    rejected = run(
        bim, "xcert", "results", str(session), str(bad), "--assessor", world.ASSESSOR,
        "--as", world.PROVIDER_REGISTRAR, code=1,
    )  # fmt: skip
    assert "line 3, theory: a mark is a number with at most two decimals" in rejected
    assert people[1].id_number not in rejected
    recorded = run(
        bim, "xcert", "results", str(session), str(file), "--assessor", world.ASSESSOR,
        "--as", world.PROVIDER_REGISTRAR,
    )  # fmt: skip
    assert "2 assessed, 1 passed, 1 failed" in recorded
    detail = json.loads(run(bim, "xcert", "session", str(session), "--json"))
    results = {c["account_number"]: c for c in detail["registrations"]}
    assert (results[people[0].account]["weighted"], results[people[0].account]["status"]) == (
        "48.00",
        "failed",
    )
    assert (results[people[1].account]["weighted"], results[people[1].account]["status"]) == (
        "70.00",
        "passed",
    )
    assert results[people[1].account]["fee_exempt"] is True
    assert results[people[1].account]["outcome"]
    account = json.loads(run(bim, "account", "show", people[1].account, "--json"))
    [outcome] = account["outcomes"]
    assert (outcome["item_code"], outcome["level"]["level"], outcome["score"]) == (
        "BIM",
        "advanced",
        "70.00",
    )
    assert json.loads(run(bim, "account", "show", people[0].account, "--json"))["outcomes"] == []

    stats = json.loads(run(bim, "xcert", "stats", "--json"))
    assert stats["candidates"] == {
        "registered": 2,
        "fee_exempt": 1,
        "assessed": 2,
        "certified": 1,
        "pass_rate": "50.0",
    }
    assert stats["by_province"][0]["province"] == "河北"
    assert "2 registered (1 fee-exempt), 2 assessed, 1 certified" in run(bim, "xcert", "stats")
