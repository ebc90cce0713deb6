"""Evidence files over HTTP: stored by content hash, checked by content, read by those entitled.

This module's bank accepts evidence files of at most 4 KB, so that the size
limit is tested without sending megabytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx2
import pytest

from creditbank.accounts.model import resident_check_character
from creditbank.bootstrap import build_app
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests import conftest
from tests.conftest import BACKENDS, LiveBank
from tests.support.inprocess import InProcessServer

MAX_BYTES = 4096
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
FIRST = "11010519850505123"
ID_NUMBER = FIRST + resident_check_character(FIRST)
PROBLEM = "application/problem+json"
_serial = count(1)


@pytest.fixture(scope="module", params=BACKENDS)
def live_bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBank]:
    """A live bank like everyone's (a copy of the initialised template, served in-process), but
    with a 4 KB limit on evidence files (the app checks it, not the server)."""
    database = conftest._new_database(
        request, request.param, tmp_path_factory.mktemp("bank"), initialised=True
    )
    settings = conftest.test_settings(database.url).model_copy(
        update={"evidence_max_bytes": MAX_BYTES}
    )
    with InProcessServer(build_app(settings, database)) as server:
        yield LiveBank(server.base_url, database, settings)
    database.dispose()


@dataclass
class Actors:
    registrar: httpx2.Client
    assessor: httpx2.Client
    other: httpx2.Client
    auditor: httpx2.Client
    admin: httpx2.Client
    account: str
    spec: dict[str, Any]


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


@pytest.fixture(scope="module")
def actors(live_bank: LiveBank) -> Iterator[Actors]:
    with live_bank.database.unit_of_work() as uow:
        for code in ("JSVC", "OTHER-U"):
            institutions.add_institution(
                uow=uow, code=code, name=code, type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
            )
            institutions.add_user(
                uow=uow, email=f"reg@{code.lower()}.example", role=Role.REGISTRAR, institution=code
            )
        institutions.add_user(
            uow=uow, email="assessor@jsvc.example", role=Role.ASSESSOR, institution="JSVC"
        )
        institutions.add_user(uow=uow, email="audit@bank.example", role=Role.AUDITOR)
        institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
    found = Actors(
        registrar=client_for(live_bank, "reg@jsvc.example"),
        assessor=client_for(live_bank, "assessor@jsvc.example"),
        other=client_for(live_bank, "reg@other-u.example"),
        auditor=client_for(live_bank, "audit@bank.example"),
        admin=client_for(live_bank, "admin@bank.example"),
        account="",
        spec={},
    )
    for owner, client in (("JSVC", found.registrar), ("OTHER-U", found.other)):
        client.post(
            "/api/v1/catalog/items",
            json={
                "institution": owner,
                "code": "CAD-201",
                "kind": "course",
                "name": "计算机辅助设计",
                "framework": "LOFOUC",
                "levels": ["4"],
                "credits": "3",
            },
        ).raise_for_status()
    found.account = found.registrar.post(
        "/api/v1/learners", json={"id_number": ID_NUMBER, "name": "孙丽"}
    ).json()["account_number"]
    found.spec = found.admin.get("/openapi.json").json()
    yield found
    for client in (found.registrar, found.assessor, found.other, found.auditor, found.admin):
        client.close()


def documented(actors: Actors, method: str, template: str, response: httpx2.Response) -> None:
    declared = actors.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def problem(response: httpx2.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}", body
    return body


def upload(
    actors: Actors,
    client: httpx2.Client,
    content: bytes,
    media_type: str = "application/pdf",
    institution: str = "JSVC",
) -> httpx2.Response:
    response = client.post(
        "/api/v1/evidence",
        data={"institution": institution},
        files={"file": ("scan", content, media_type)},
    )
    documented(actors, "post", "/api/v1/evidence", response)
    return response


def unique_pdf() -> bytes:
    return PDF + f"% {next(_serial)}\n".encode()


def read(actors: Actors, client: httpx2.Client, sha256: str) -> httpx2.Response:
    response = client.get(f"/api/v1/evidence/{sha256}")
    documented(actors, "get", "/api/v1/evidence/{sha256}", response)
    return response


def test_stored_once_by_content_and_read_back(actors: Actors) -> None:
    content = unique_pdf()
    digest = hashlib.sha256(content).hexdigest()
    first = upload(actors, actors.registrar, content)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "sha256": digest,
        "media_type": "application/pdf",
        "size": len(content),
        "url": f"/api/v1/evidence/{digest}",
    }
    again = upload(actors, actors.registrar, content, media_type="application/octet-stream")
    assert (again.status_code, again.json()) == (201, first.json())  # 201 either way
    served = read(actors, actors.assessor, digest)  # any staff of the uploader
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert f'filename="{digest}.pdf"' in served.headers["content-disposition"]
    for reader in (actors.auditor, actors.admin):
        assert read(actors, reader, digest).content == content
    problem(read(actors, actors.other, digest), 403, "forbidden")
    # the other institution uploading the same bytes may then read them too (it has them)
    assert upload(actors, actors.other, content, institution="OTHER-U").status_code == 201
    assert read(actors, actors.other, digest).status_code == 200


def test_files_are_checked(actors: Actors) -> None:
    too_big = upload(actors, actors.registrar, PDF + bytes(MAX_BYTES))
    assert "at most 4096 bytes" in problem(too_big, 413, "evidence-too-large")["detail"]
    html = upload(actors, actors.registrar, b"<html></html>", media_type="text/html")
    assert (
        "not one of the accepted types" in problem(html, 415, "unsupported-evidence-type")["detail"]
    )
    disguised = upload(actors, actors.registrar, PDF, media_type="image/png")
    assert (
        problem(disguised, 415, "unsupported-evidence-type")["detail"]
        == "the file is declared as image/png but its content is application/pdf"
    )
    problem(upload(actors, actors.registrar, b""), 422, "invalid-evidence")
    assert upload(actors, actors.registrar, PNG, media_type="image/png").json()["media_type"] == (
        "image/png"
    )
    problem(upload(actors, actors.assessor, unique_pdf()), 403, "forbidden")
    problem(upload(actors, actors.registrar, unique_pdf(), institution="OTHER-U"), 403, "forbidden")
    assert upload(actors, actors.admin, unique_pdf(), institution="OTHER-U").status_code == 201
    problem(upload(actors, actors.admin, PDF, institution="NOWHERE"), 404, "institution-not-found")


def test_unknown_and_malformed_hashes(actors: Actors) -> None:
    unknown = hashlib.sha256(b"never uploaded").hexdigest()
    problem(read(actors, actors.admin, unknown), 404, "evidence-not-found")
    problem(read(actors, actors.registrar, unknown), 403, "forbidden")  # no existence oracle
    problem(read(actors, actors.admin, "not-a-hash"), 422, "invalid-evidence")


def outcome(
    actors: Actors, client: httpx2.Client, sha256: str, institution: str = "JSVC"
) -> httpx2.Response:
    response = client.post(
        "/api/v1/outcomes",
        json={
            "institution": institution,
            "account_number": actors.account,
            "record_id": f"EV-{next(_serial)}",
            "item_code": "CAD-201",
            "level": "4",
            "credits": "3",
            "assessed_on": "2024-06-30",
            "evidence_sha256": sha256,
        },
    )
    documented(actors, "post", "/api/v1/outcomes", response)
    return response


def test_a_deposit_names_evidence_its_institution_uploaded(actors: Actors) -> None:
    content = unique_pdf()
    digest = hashlib.sha256(content).hexdigest()
    missing = outcome(actors, actors.registrar, digest)
    assert (
        f"the bank holds no evidence file {digest} uploaded by JSVC; upload it first "
        "(POST /api/v1/evidence)" in problem(missing, 422, "invalid-outcome")["problems"]
    )
    upload(actors, actors.registrar, content).raise_for_status()
    deposited = outcome(actors, actors.registrar, digest)
    assert deposited.status_code == 201 and deposited.json()["evidence_sha256"] == digest
    # another institution cannot name a file it never uploaded, even one the bank holds
    problem(outcome(actors, actors.other, digest, institution="OTHER-U"), 422, "invalid-outcome")
    malformed = outcome(actors, actors.registrar, digest.upper())
    assert problem(malformed, 422, "invalid-outcome")["problems"] == [
        "evidence_sha256 must be 64 lower-case hexadecimal characters"
    ]
