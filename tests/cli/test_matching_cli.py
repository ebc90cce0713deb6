"""`creditbank gaps`, `creditbank coverage` and `creditbank jobs match` on both databases
(tests/matching_world.py, built once per backend): each as a rendering for people and, with
--json, as the API answers; --as a staff user is held to the policy (a registrar without the
learner's consent, another enterprise's employer: refused, exit 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from creditbank.access.policy import OPERATOR
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.db import Database
from creditbank.matching import coverage, gaps
from creditbank.matching.commands import ShowCoverage, ShowGaps
from creditbank.matching.schemas import CoverageRead, GapRead
from creditbank.settings import get_settings
from tests import conversion_world
from tests import matching_world as world
from tests.cli.conftest import Once
from tests.cli.runner import run

NOW = datetime.now(UTC)


@pytest.fixture
def built(initialised: CliRunner, database: Database, once: Once) -> world.World:
    def build() -> world.World:
        cipher = PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())
        with database.unit_of_work() as uow:
            return world.build(uow, cipher)  # sealed with the CLI's key

    return once("matching", build)


def test_gaps(initialised: CliRunner, database: Database, built: world.World) -> None:
    shown = run(initialised, "gaps", built.x_holder, "--occupation", world.BIM)
    assert f"{built.x_holder} -> occupation {world.BIM}" in shown
    assert "2 of 4 required skills covered (50%)." in shown
    assert "Learn next: SHVC:DRAW-100" in shown
    assert "No catalogue item teaches 现场测量." in shown
    answer = json.loads(
        run(initialised, "gaps", built.x_holder, "--occupation", world.BIM, "--json")
    )
    with database.unit_of_work() as uow:
        report = gaps.show_gaps(
            ShowGaps(built.x_holder, occupation=world.BIM), principal=OPERATOR, uow=uow, now=NOW
        )
    assert answer == GapRead.of(report, "en").model_dump(mode="json")
    by_job = run(initialised, "gaps", built.drawer, "--job", str(built.bim_job))
    assert "Learn next: BIMTEO:BIM-X" in by_job
    refused = run(
        initialised,
        "gaps",
        built.drawer,
        "--occupation",
        world.BIM,
        "--as",
        conversion_world.SHVC_REGISTRAR,
        code=1,
    )
    assert "has not consented" in refused
    assert "Name an occupation or a job" in run(initialised, "gaps", built.drawer, code=1)


def test_coverage(initialised: CliRunner, database: Database, built: world.World) -> None:
    programme = conversion_world.DIPLOMA
    shown = run(
        initialised, "coverage", programme, "--occupation", world.BIM,
        "--as", conversion_world.SHVC_REGISTRAR,
    )  # fmt: skip
    assert "75% of the required skills taught" in shown
    assert "DRAW-100" in shown
    answer = json.loads(run(initialised, "coverage", programme, "--region", "--json"))
    with database.unit_of_work() as uow:
        found = coverage.show_coverage(
            ShowCoverage(programme, region=True), principal=OPERATOR, uow=uow
        )
    assert answer == CoverageRead.of(found).model_dump(mode="json")
    assert answer["region"] == "CN-SH"


def test_jobs_match(initialised: CliRunner, built: world.World) -> None:
    job = str(built.bim_job)
    shown = run(initialised, "jobs", "match", job, "--as", world.EMPLOYER)
    assert f"{built.x_holder}  张三  67%" in shown
    assert f"{built.drawer}  李四  33%" in shown
    assert f"{built.draw_outcome} (SHVC:DRAW-100 DRAW-100)" in shown
    answer = json.loads(run(initialised, "jobs", "match", job, "--limit", "1", "--json"))
    assert [m["account_number"] for m in answer["learners"]] == [built.x_holder]
    refused = run(initialised, "jobs", "match", job, "--as", conversion_world.TEO_REGISTRAR, code=1)
    assert "may not match jobs to learners" in refused


def test_certificates_in_gaps_and_matches(
    initialised: CliRunner, database: Database, built: world.World
) -> None:
    bim_x = "BIMTEO:BIM-X@intermediate"
    with database.unit_of_work() as uow:
        wanted = {built.skills["draw"]: "essential", built.skills["model"]: "essential"}
        job = world.post_job(uow, world.ENTERPRISE, wanted, certificates=(bim_x,))
    shown = run(initialised, "gaps", built.drawer, "--job", str(job))
    assert "1 of 2 required skills and 0 of 1 certificates held (33% of the requirements)." in (
        shown
    )
    assert f"Certificate {bim_x} (建筑信息模型（BIM）职业技能等级证书) is missing." in shown
    assert "Take the certificate asked for: BIMTEO:BIM-X" in shown
    matched = run(initialised, "jobs", "match", str(job), "--as", world.EMPLOYER)
    assert f"{built.x_holder}  张三  67%" in matched  # MODEL and the certificate
    assert f"Certificates held: {bim_x}" in matched
    assert f"Certificates missing: {bim_x}" in matched
