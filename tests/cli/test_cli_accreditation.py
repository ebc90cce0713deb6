"""`creditbank accreditation ...` on both databases: an application from submission to an
accredited outcome, the queue, refusals with clear messages; `--json` is the API's shape."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accreditation import applications
from creditbank.db import Database
from tests import accreditation_world as world
from tests.cli.conftest import Once
from tests.cli.runner import run


@pytest.fixture
def built(initialised: CliRunner, database: Database, once: Once) -> tuple[CliRunner, str, str]:
    """The world, a consenting learner and an uploaded evidence file (built once per backend:
    see tests/cli/conftest.py)."""
    account, sha = once("built", lambda: _build(database))
    return initialised, account, sha


def _build(database: Database) -> tuple[str, str]:
    cipher = PersonalDataCipher(os.urandom(32))
    with database.unit_of_work() as uow:
        world.build(uow, cipher)
        account = world.learner(uow, cipher, 11, consent=True)
        sha = world.upload(uow, 11)
    return account, sha


def test_an_application_goes_from_the_cli_to_an_accredited_outcome(
    built: tuple[CliRunner, str, str], database: Database
) -> None:
    cli, account, sha = built
    filed = json.loads(
        run(
            cli,
            "accreditation",
            "apply",
            account,
            "--centre",
            world.CENTRE,
            "--standard",
            world.STANDARD,
            "--unit",
            world.UNIT,
            "--setting",
            "informal",
            "--statement",
            "三年站务工作",
            "--evidence",
            f"{sha}=工作证明",
            "--as",
            world.REGISTRAR,
            "--json",
        )
    )
    application = filed["id"]
    assert (filed["state"], filed["evidence"][0]["name"]) == ("submitted", "工作证明")
    queue = json.loads(run(cli, "accreditation", "queue", world.CENTRE, "--json"))
    assert [entry["id"] for entry in queue] == [application]
    assert "waiting for an assessor" in run(cli, "accreditation", "queue", world.CENTRE)

    run(
        cli,
        "accreditation",
        "assign",
        application,
        "--assessor",
        world.ASSESSOR_A,
        "--as",
        world.OFFICER_1,
    )
    shown = run(
        cli,
        "accreditation",
        "score",
        application,
        "--mark",
        "portfolio=90",
        "--mark",
        "interview=65",
        "--as",
        world.ASSESSOR_A,
    )
    assert "75 / 60" in shown  # 0.4 * 90 + 0.6 * 65 = 75
    run(
        cli,
        "accreditation",
        "decide",
        application,
        "--decision",
        "accredited",
        "--credits",
        "3",
        "--as",
        world.ASSESSOR_A,
    )
    output = run(cli, "accreditation", "confirm", application, "--as", world.ASSESSOR_A, code=1)
    assert "may not confirm accreditation decisions" in output
    done = json.loads(
        run(cli, "accreditation", "confirm", application, "--as", world.OFFICER_2, "--json")
    )
    assert done["state"] == "accredited"
    assert done["decisions"][0]["credits"] == "3.0"
    assert done["receipt"]["kind"] == "accreditation.decided"
    shown = run(cli, "accreditation", "show", application)
    assert "accredited" in shown
    assert done["outcome"] in shown
    assert json.loads(run(cli, "accreditation", "queue", world.CENTRE, "--json")) == []
    with database.unit_of_work() as uow:
        [stored] = applications.list_applications(uow=uow, account_number=account)
    assert stored.outcome == done["outcome"]


def test_refusals_name_what_is_wrong_and_change_nothing(
    built: tuple[CliRunner, str, str], database: Database
) -> None:
    cli, account, sha = built
    output = run(
        cli,
        "accreditation",
        "apply",
        account,
        "--centre",
        world.CENTRE,
        "--standard",
        world.STANDARD,
        "--unit",
        world.UNIT,
        "--setting",
        "informal",
        "--statement",
        "x",
        "--evidence",
        sha,
        "--as",
        world.REGISTRAR,
        code=1,
    )
    assert "--evidence takes KEY=VALUE" in output
    filed = json.loads(
        run(
            cli,
            "accreditation",
            "apply",
            account,
            "--centre",
            world.CENTRE,
            "--standard",
            world.STANDARD,
            "--unit",
            world.UNIT_2,
            "--setting",
            "non-formal",
            "--statement",
            "培训课程",
            "--evidence",
            f"{sha}=结业证书",
            "--as",
            world.REGISTRAR,
            "--json",
        )
    )
    application = filed["id"]
    output = run(
        cli,
        "accreditation",
        "assign",
        application,
        "--assessor",
        world.ASSESSOR_A,
        "--as",
        world.OFFICER_1,
        code=1,
    )
    # assessors are certified for RAIL-OPS-01 only
    assert "holds no assessor certification for unit RAIL-OPS-02" in output
    output = run(
        cli,
        "accreditation",
        "score",
        application,
        "--mark",
        "theory=x",
        "--as",
        world.ASSESSOR_A,
        code=1,
    )
    assert "--mark theory: x is not a number" in output
    output = run(cli, "accreditation", "show", "nope", code=1)
    assert "there is no application nope" in output
    with database.unit_of_work() as uow:
        [stored] = applications.list_applications(uow=uow, account_number=account)
    assert (stored.state.value, stored.assessor, len(stored.events)) == ("submitted", None, 1)
