"""Bulk deposit over HTTP: multipart upload, a rejected batch as a problem with its report's URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from creditbank.accounts import bulk
from creditbank.accounts.pipeline import WorkerPolicy
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.bulk_files import csv_bytes, row, xlsx_bytes
from tests.conftest import LiveBank
from tests.intake_files import filled_csv_template, filled_template
from tests.support.stages import bulk_workers


def client(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def registrars(live_bank: LiveBank) -> Iterator[tuple[httpx2.Client, httpx2.Client]]:
    with live_bank.database.unit_of_work() as uow:
        for code in ("JSVC", "ELSEWHERE"):
            institutions.add_institution(
                uow=uow, code=code, name=code, type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
            )
            institutions.add_user(
                uow=uow, email=f"reg@{code.lower()}.example", role=Role.REGISTRAR, institution=code
            )
    own, other = client(live_bank, "reg@jsvc.example"), client(live_bank, "reg@elsewhere.example")
    own.post(
        "/api/v1/catalog/items",
        json={
            "institution": "JSVC",
            "code": "CAD-201",
            "kind": "course",
            "name": "CAD",
            "framework": "LOFOUC",
            "levels": ["4"],
            "credits": "3",
        },
    ).raise_for_status()
    yield own, other
    own.close()
    other.close()


def test_upload_commit_and_read_back(registrars: tuple[httpx2.Client, httpx2.Client]) -> None:
    own, other = registrars
    files = {"file": ("results.xlsx", xlsx_bytes([row(n) for n in range(1, 11)]))}
    response = own.post("/api/v1/deposits/batches", data={"institution": "JSVC"}, files=files)
    assert response.status_code == 201, response.text
    batch = response.json()
    assert (batch["status"], batch["deposited"], batch["accounts_opened"]) == ("committed", 10, 10)
    assert own.get(f"/api/v1/deposits/batches/{batch['id']}").json()["deposited"] == 10
    assert other.get(f"/api/v1/deposits/batches/{batch['id']}").status_code == 403


def test_a_rejected_upload(registrars: tuple[httpx2.Client, httpx2.Client]) -> None:
    own, _ = registrars
    data = csv_bytes([row(100), row(101, level="9"), row(102, credits="x")])
    response = own.post(
        "/api/v1/deposits/batches", data={"institution": "JSVC"}, files={"file": ("r.csv", data)}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/batch-rejected"
    assert problem["detail"] == "2 problems in 3 rows; nothing was deposited"
    assert problem["problems"] == [
        "line 3, level: item CAD-201 is awarded at 4, not at 9",
        "line 4, credits: credits must be a number with at most 1 decimals",
    ]
    report = own.get(problem["batch"]).json()
    assert (report["status"], report["error_count"], report["deposited"]) == ("rejected", 2, 0)
    chinese = own.get(problem["batch"], headers={"Accept-Language": "zh"}).json()
    assert chinese["errors"][0]["reason"] != report["errors"][0]["reason"]


def test_another_institution_cannot_upload(registrars: tuple[httpx2.Client, httpx2.Client]) -> None:
    _, other = registrars
    response = other.post(
        "/api/v1/deposits/batches",
        data={"institution": "JSVC"},
        files={"file": ("r.csv", csv_bytes([row(1)]))},
    )
    assert response.status_code == 403


def test_an_unknown_format_and_batch(registrars: tuple[httpx2.Client, httpx2.Client]) -> None:
    own, _ = registrars
    response = own.post(
        "/api/v1/deposits/batches", data={"institution": "JSVC"}, files={"file": ("r.txt", b"x")}
    )
    assert response.status_code == 422 and response.json()["type"] == "/problems/invalid-file"
    assert own.get("/api/v1/deposits/batches/nope").status_code == 404


def test_uploads_through_the_worker_process(
    registrars: tuple[httpx2.Client, httpx2.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web app serves requests on threads; a big file's chunks are prepared by a worker
    process (forced here for small files: chunks of 4 rows, the worker from the first)."""
    own, _ = registrars
    monkeypatch.setattr(
        bulk, "PLAN", bulk.BulkPlan(chunk_rows=4, worker=WorkerPolicy(after=0, wait=True))
    )
    files = {"file": ("big.csv", csv_bytes([row(n) for n in range(200, 230)]))}
    response = own.post("/api/v1/deposits/batches", data={"institution": "JSVC"}, files=files)
    assert response.status_code == 201, response.text
    assert (response.json()["deposited"], response.json()["accounts_opened"]) == (30, 30)
    rows = [row(n) for n in range(300, 330)]
    rows[5], rows[25] = row(305, level="9"), row(325, record_id="REC-000300")
    files = {"file": ("bad.csv", csv_bytes(rows))}
    response = own.post("/api/v1/deposits/batches", data={"institution": "JSVC"}, files=files)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "line 7, level: item CAD-201 is awarded at 4, not at 9",
        "line 27, record_id: record_id appears again (first at line 2)",
    ]
    assert bulk_workers() == []


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_templates_downloaded_filled_and_uploaded_deposit(
    registrars: tuple[httpx2.Client, httpx2.Client],
) -> None:
    own, _ = registrars
    workbook = own.get("/api/v1/deposits/template")
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-type"] == XLSX
    assert workbook.headers["content-disposition"] == 'attachment; filename="deposits-jsvc.xlsx"'
    rows = [row(n, record_id=f"T-{n}") for n in range(400, 403)]
    files = {"file": ("filled.xlsx", filled_template(workbook.content, rows))}
    response = own.post("/api/v1/deposits/batches", data={"institution": "JSVC"}, files=files)
    assert response.status_code == 201, response.text
    assert (response.json()["rows"], response.json()["deposited"]) == (3, 3)
    text = own.get("/api/v1/deposits/template", params={"format": "csv"})
    assert text.status_code == 200
    assert text.headers["content-type"] == "text/csv; charset=utf-8"
    assert text.content.startswith("\ufeff记录编号".encode())
    rows = [row(n, record_id=f"T-{n}") for n in range(410, 412)]
    files = {"file": ("filled.csv", filled_csv_template(text.content, rows))}
    response = own.post("/api/v1/deposits/batches", data={"institution": "JSVC"}, files=files)
    assert response.status_code == 201, response.text
    assert response.json()["deposited"] == 2


def test_who_gets_which_template(registrars: tuple[httpx2.Client, httpx2.Client]) -> None:
    own, other = registrars
    assert other.get("/api/v1/deposits/template", params={"institution": "JSVC"}).status_code == 403
    theirs = other.get("/api/v1/deposits/template", params={"format": "csv"})
    assert theirs.status_code == 200
    assert theirs.headers["content-disposition"] == 'attachment; filename="deposits-elsewhere.csv"'
    refused = own.get("/api/v1/deposits/template", params={"format": "jsonl"})
    assert refused.status_code == 422 and refused.json()["type"] == "/problems/invalid-file"
    assert own.get("/api/v1/deposits/template", params={"format": "pdf"}).status_code == 422


@pytest.mark.usefixtures("registrars")  # JSVC
def test_bank_administrators_name_the_institution_of_a_template(live_bank: LiveBank) -> None:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
    with client(live_bank, "admin@bank.example") as admin:
        refused = admin.get("/api/v1/deposits/template")
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "bank staff have no institution of their own: name the institution"
        )
        named = admin.get("/api/v1/deposits/template", params={"institution": "jsvc"})
        assert named.status_code == 200
        assert named.headers["content-disposition"] == 'attachment; filename="deposits-jsvc.xlsx"'
        assert admin.get("/api/v1/deposits/template?institution=NOPE").status_code == 404
