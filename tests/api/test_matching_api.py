"""Matching over HTTP, on both databases (tests/matching_world.py): a learner's gaps (an
occupation or a job) and fits, a job's matches for its employer, a programme's coverage; who may
(403 for staff without the learner's consent, for another enterprise's employer); bad questions
answer 400/404/422 problems that name them; the answers are in the OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2
import pytest

from creditbank.accounts import api as accounts
from creditbank.consents import service as consents
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests import conversion_world
from tests import matching_world as world
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"


@dataclass
class Bank:
    built: world.World
    admin: httpx2.Client
    employer: httpx2.Client
    other_employer: httpx2.Client
    registrar: httpx2.Client

    def clients(self) -> list[httpx2.Client]:
        return [self.admin, self.employer, self.other_employer, self.registrar]


def client_for(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=30,
    )


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> Iterator[Bank]:
    with live_bank.database.unit_of_work() as uow:
        built = world.build(uow, live_bank.cipher)
        institutions.add_institution(
            uow=uow, code="OTHERCO", name="另一公司", type=InstitutionType.ENTERPRISE
        )
        institutions.add_user(
            uow=uow, email="hr@otherco.example", role=Role.EMPLOYER, institution="OTHERCO"
        )
    found = Bank(
        built,
        client_for(live_bank, conversion_world.ADMINS[0]),
        client_for(live_bank, world.EMPLOYER),
        client_for(live_bank, "hr@otherco.example"),
        client_for(live_bank, conversion_world.SHVC_REGISTRAR),
    )
    yield found
    for client in found.clients():
        client.close()


def test_gaps_to_an_occupation_and_a_job(bank: Bank) -> None:
    built = bank.built
    answer = bank.admin.get(
        f"/api/v1/accounts/{built.x_holder}/gaps", params={"occupation": world.BIM}
    )
    assert answer.status_code == 200, answer.text
    gap = answer.json()
    assert gap["share"] == "0.5000"
    assert gap["target"] == {
        "kind": "occupation",
        "code": world.BIM,
        "name": "建筑信息模型技术员",
        "name_en": "BIM technician",
        "institution": None,
    }
    assert [c["skill"]["uri"] for c in gap["covered"]] == [f"{world.URI}coord", f"{world.URI}model"]
    assert [p["item"] for p in gap["plan"]] == ["SHVC:DRAW-100"]
    assert gap["plan"][0]["credits"] == "2.0"
    assert [s["name_en"] for s in gap["unteachable"]] == ["Survey sites"]
    assert gap["explanation"][0] == "2 of 4 required skills covered (50%)."
    chinese = bank.admin.get(
        f"/api/v1/accounts/{built.x_holder}/gaps",
        params={"occupation": world.BIM},
        headers={"Accept-Language": "zh"},
    ).json()
    assert chinese["explanation"][0] != gap["explanation"][0]
    job = bank.admin.get(f"/api/v1/accounts/{built.drawer}/gaps", params={"job": built.bim_job})
    assert job.status_code == 200, job.text
    assert [(p["item"], p["level"] is not None) for p in job.json()["plan"]] == [
        ("BIMTEO:BIM-X", True)
    ]


def test_fits(bank: Bank) -> None:
    answer = bank.admin.get(f"/api/v1/accounts/{bank.built.x_holder}/fits")
    assert answer.status_code == 200, answer.text
    fits = answer.json()
    assert [(f["target"]["code"], f["share"]) for f in fits["occupations"]] == [
        (world.BIM, "0.5000")
    ]
    assert [f["target"]["code"] for f in fits["jobs"]] == [str(bank.built.bim_job)]


def test_staff_read_gaps_only_with_the_learner_s_consent(bank: Bank, live_bank: LiveBank) -> None:
    url = f"/api/v1/accounts/{bank.built.drawer}/gaps"
    refused = bank.registrar.get(url, params={"occupation": world.BIM})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert bank.employer.get(url, params={"occupation": world.BIM}).status_code == 403
    with live_bank.database.unit_of_work() as uow:
        consents.grant_consent(
            uow=uow,
            learner_id=accounts.learner_id_of(uow, bank.built.drawer),
            institution="SHVC",
            until=None,
            today=conversion_world.ON,
            now=datetime.now(UTC),
        )
    assert bank.registrar.get(url, params={"occupation": world.BIM}).status_code == 200


def test_a_job_s_matches_for_its_employer(bank: Bank) -> None:
    url = f"/api/v1/jobs/{bank.built.bim_job}/matches"
    answer = bank.employer.get(url)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [(m["name"], m["account_number"], m["share"]) for m in found["learners"]] == [
        ("张三", bank.built.x_holder, "0.6667"),
        ("李四", bank.built.drawer, "0.3333"),
    ]
    evidence = found["learners"][1]["covered"][0]["evidence"]
    assert [(e["outcome"], e["item"], e["by_conversion"]) for e in evidence] == [
        (bank.built.draw_outcome, "SHVC:DRAW-100", False)
    ]
    refused = bank.other_employer.get(url)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert bank.registrar.get(url).status_code == 403
    assert bank.admin.get(url, params={"limit": 1}).json()["learners"][0]["name"] == "张三"


def test_a_programme_s_coverage(bank: Bank) -> None:
    url = f"/api/v1/programmes/{conversion_world.DIPLOMA}/coverage"
    answer = bank.registrar.get(url, params={"occupation": world.BIM})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["share"] == "0.7500"
    assert [s["name_en"] for s in found["untaught"]] == ["Survey sites"]
    region = bank.registrar.get(url, params={"region": "true"}).json()
    assert (region["kind"], region["region"]) == ("region", "CN-SH")
    assert bank.employer.get(url, params={"occupation": world.BIM}).status_code == 403


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/accounts/{x}/gaps", {}, 400),
        ("/api/v1/accounts/{x}/gaps", {"occupation": world.BIM, "job": "1"}, 400),
        ("/api/v1/accounts/{x}/gaps", {"occupation": "9-99-99-99"}, 404),
        ("/api/v1/accounts/{x}/gaps", {"job": "999999"}, 404),
        ("/api/v1/accounts/{x}/gaps", {"job": "abc"}, 422),
        ("/api/v1/accounts/CB000000000000/gaps", {"occupation": world.BIM}, 404),
        ("/api/v1/accounts/{x}/fits", {"limit": "0"}, 422),
        ("/api/v1/accounts/{x}/gaps", {"job": str(2**62)}, 422),  # more than the bank stores
        ("/api/v1/accounts/{x}/gaps", {"occupation": "4-08-08-2\x00"}, 422),
        ("/api/v1/jobs/999999/matches", {}, 404),
        ("/api/v1/jobs/4611686018427387904/matches", {}, 422),
        ("/api/v1/jobs/0/matches", {}, 422),
        ("/api/v1/programmes/NOPE/coverage", {"occupation": world.BIM}, 404),
        ("/api/v1/programmes/" + conversion_world.DIPLOMA + "/coverage", {}, 400),
    ],
)
def test_bad_questions(bank: Bank, path: str, params: dict[str, str], status: int) -> None:
    answer = bank.admin.get(path.replace("{x}", bank.built.x_holder), params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["detail"]


def test_documented(bank: Bank) -> None:
    spec = bank.admin.get("/openapi.json").json()
    for path in (
        "/api/v1/accounts/{number}/gaps",
        "/api/v1/accounts/{number}/fits",
        "/api/v1/jobs/{job_id}/matches",
        "/api/v1/programmes/{code}/coverage",
    ):
        assert "get" in spec["paths"][path], path


def test_a_job_s_certificates_in_gaps_fits_and_matches(bank: Bank, live_bank: LiveBank) -> None:
    built = bank.built
    bim_x = "BIMTEO:BIM-X@intermediate"
    with live_bank.database.unit_of_work() as uow:
        job = world.post_job(
            uow,
            world.ENTERPRISE,
            {built.skills["model"]: "essential", built.skills["draw"]: "essential"},
            region="CN-BJ",
            certificates=(bim_x,),
        )
    held = bank.admin.get(f"/api/v1/accounts/{built.x_holder}/gaps", params={"job": job}).json()
    assert held["share"] == "0.6667"  # MODEL and the certificate, of two skills and it
    assert [c["certificate"] for c in held["certificates_held"]] == [bim_x]
    ((reason,),) = [c["evidence"] for c in held["certificates_held"]]
    assert (reason["outcome"], reason["by_conversion"]) == (built.x_outcome, False)
    assert held["certificates_missing"] == []
    assert [(p["item"], p["certificate"]) for p in held["plan"]] == [("SHVC:DRAW-100", None)]
    missing = bank.admin.get(f"/api/v1/accounts/{built.drawer}/gaps", params={"job": job}).json()
    assert [c["certificate"] for c in missing["certificates_missing"]] == [bim_x]
    ((step),) = missing["plan"]
    assert (step["item"], step["certificate"], step["offered_by"]) == (
        "BIMTEO:BIM-X",
        bim_x,
        ["BIMTEO"],
    )
    assert step["level"].endswith(":intermediate")
    assert [s["uri"] for s in step["teaches"]] == [f"{world.URI}model"]
    assert missing["explanation"][1] == (
        f"Certificate {bim_x} (建筑信息模型（BIM）职业技能等级证书) is missing."
    )
    fits = bank.admin.get(f"/api/v1/accounts/{built.drawer}/fits").json()
    (fitting,) = [f for f in fits["jobs"] if f["target"]["code"] == str(job)]
    assert (fitting["certificates_held"], fitting["certificates_missing"]) == ([], [bim_x])
    found = bank.employer.get(f"/api/v1/jobs/{job}/matches").json()
    assert found["certificates"] == [bim_x]
    assert [
        (m["account_number"], m["share"], m["certificates_held"], m["certificates_missing"])
        for m in found["learners"]
    ] == [
        (built.x_holder, "0.6667", [bim_x], []),
        (built.drawer, "0.3333", [], [bim_x]),
    ]
