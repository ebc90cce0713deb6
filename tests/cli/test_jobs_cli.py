"""`creditbank jobs add|list|show|close` on both databases (tests/jobs/world.py, built once per
backend): `add` without skills prints the bank's suggestions and posts nothing; with --accept N
or --skill/--optional it posts (as the API answers, with --json); `--as` a staff user is held
to the policy (another enterprise's employer: refused, exit 1); a job is closed once."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from creditbank.db import Database
from tests.cli.conftest import Once
from tests.cli.runner import run
from tests.jobs.world import BIM, FIRM, PEOPLE, SCHOOL, TEAMWORK, World, build

EMPLOYER, OTHER_EMPLOYER = PEOPLE["employer"][0], PEOPLE["other_employer"][0]
TEXT = ("--institution", FIRM, "--title", "BIM工程师", "--region", "上海")


@pytest.fixture
def built(initialised: CliRunner, database: Database, once: Once) -> World:
    del initialised

    def made() -> World:
        with database.unit_of_work() as uow:
            return build(uow)

    return once("jobs", made)


def test_suggestions_then_a_job_posted_listed_shown_and_closed(
    initialised: CliRunner, built: World
) -> None:
    del built
    described = ("--description", "建立建筑信息模型，团队协作")
    suggested = run(initialised, "jobs", "add", *TEXT, *described, "--as", EMPLOYER)
    assert "4-08-08-23" in suggested and BIM in suggested and "Nothing posted" in suggested
    assert "No job is posted." in run(initialised, "jobs", "list")
    posted = json.loads(
        run(
            initialised,
            "jobs",
            "add",
            *TEXT,
            *described,
            "--accept",
            "2",
            "--as",
            EMPLOYER,
            "--json",
        )
    )
    assert (posted["institution"], posted["region"], posted["posted_by"]) == (
        FIRM,
        "CN-SH",
        EMPLOYER,
    )
    assert len(posted["skills"]) == 2 and BIM in {s["uri"] for s in posted["skills"]}
    job = str(posted["id"])
    assert json.loads(run(initialised, "jobs", "show", job, "--json")) == posted
    listed = run(initialised, "jobs", "list", "--region", "CN-SH", "--status", "open")
    assert "BIM工程师" in listed and FIRM in listed
    refused = run(initialised, "jobs", "close", job, "--as", OTHER_EMPLOYER, code=1)
    assert "may not post jobs for FIRM-A" in refused
    closed = run(initialised, "jobs", "close", job, "--as", EMPLOYER)
    assert "[closed]" in closed
    assert "closed already" in run(initialised, "jobs", "close", job, code=1)


def test_skills_named_and_odd_options(initialised: CliRunner, built: World) -> None:
    del built
    posted = json.loads(
        run(
            initialised,
            "jobs",
            "add",
            *TEXT,
            "--skill",
            BIM,
            "--optional",
            TEAMWORK,
            "--certificate",
            f"{SCHOOL}:BIM-101@5",
            "--occupation",
            "4-08-08-23",
            "--json",
        )
    )
    assert [(s["uri"], s["relation"]) for s in posted["skills"]] == [
        (BIM, "essential"),
        (TEAMWORK, "optional"),
    ]
    assert posted["posted_by"] == "operator@console" and posted["occupation"] == "4-08-08-23"
    both = run(initialised, "jobs", "add", *TEXT, "--skill", BIM, "--accept", "1", code=1)
    assert "not both" in both
    unknown = run(initialised, "jobs", "add", *TEXT, "--skill", "urn:x", code=1)
    assert "no skill urn:x" in unknown
    assert "there is no job 999" in run(initialised, "jobs", "show", "999", code=1)
