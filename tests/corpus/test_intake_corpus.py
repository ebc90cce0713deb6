"""The intake corpus (:mod:`tests.corpus.intake`) through the API, on both databases: files as
registrars have them deposit, or are refused by the rows and with the reasons they name (an
identity number a spreadsheet stored as a number is said to be so, never shown); the
institution's templates, downloaded, filled in and uploaded, deposit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts.tables import OutcomeRow
from creditbank.institutions import service as institutions
from tests.bulk_files import row
from tests.conftest import LiveBank
from tests.corpus.intake import CASES, FOLDER, LOST, Intake, files
from tests.intake_files import filled_csv_template, filled_template
from tests.support.records import build_record

REGISTRAR = "reg@jsvc.example"


@pytest.fixture(scope="module")
def registrar(live_bank: LiveBank) -> Iterator[httpx2.Client]:
    """JSVC with its course CAD-201 and its registrar (tests.support.records), by API token."""
    build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=REGISTRAR).secret
    with httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=60,
    ) as client:
        yield client


def test_the_committed_files_are_the_corpus() -> None:
    committed = {path.name: path.read_bytes() for path in FOLDER.iterdir()}
    assert committed == files()
    assert {case.name for case in CASES} == set(committed)


def outcomes(live_bank: LiveBank) -> int:
    with live_bank.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(OutcomeRow)) or 0


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_through_the_api(case: Intake, registrar: httpx2.Client, live_bank: LiveBank) -> None:
    before = outcomes(live_bank)
    answer = registrar.post(
        "/api/v1/deposits/batches",
        data={"institution": "JSVC"},
        files={"file": (case.name, (FOLDER / case.name).read_bytes())},
    )
    if case.deposited:
        assert answer.status_code == 201, answer.text
        assert answer.json()["deposited"] == case.deposited
        assert outcomes(live_bank) == before + case.deposited
        with live_bank.database.unit_of_work() as uow:
            days = set(
                uow.session.scalars(
                    select(OutcomeRow.assessed_on).where(OutcomeRow.record_id.like("INTAKE-%"))
                )
            )
        assert days == {date(2024, 6, 30)}
        return
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "/problems/batch-rejected"
    for line, column, says in case.problems:
        assert any(
            said.startswith(f"line {line}, {column}: ") and says in said
            for said in problem["problems"]
        ), (case.name, problem["problems"])
    assert LOST not in answer.text and "3.10104" not in answer.text
    assert outcomes(live_bank) == before


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_templates_round_trip(
    file_format: str, registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    """Download the institution's template, fill it in, upload it: it deposits."""
    template = registrar.get("/api/v1/deposits/template", params={"format": file_format})
    assert template.status_code == 200, template.text
    rows = [row(n, record_id=f"TPL-{file_format}-{n}") for n in (1, 2, 3)]
    fill = filled_template if file_format == "xlsx" else filled_csv_template
    before = outcomes(live_bank)
    answer = registrar.post(
        "/api/v1/deposits/batches",
        data={"institution": "JSVC"},
        files={"file": (f"filled.{file_format}", fill(template.content, rows))},
    )
    assert answer.status_code == 201, answer.text
    assert outcomes(live_bank) == before + 3
