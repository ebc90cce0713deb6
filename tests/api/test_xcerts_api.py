"""The 1+X operations over HTTP, on both databases: the catalogue with schemes and pilot
schools, sessions at assessment centres, candidates with the fee exemption, results in bulk
weighed by the BIM scheme (seed 004) into X-certificate outcomes, refusals of uncertified
assessors and of bad files, and statistics that match what was made."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from creditbank import clock
from creditbank.accounts.tables import OutcomeRow
from creditbank.institutions import service as institutions
from creditbank.xcerts.tables import RegistrationRow, ResultRow
from tests import xcerts_world as world
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"
_serial = count(500)


@dataclass
class Bank:
    live: LiveBank
    provider: httpx2.Client
    centre: httpx2.Client
    school: httpx2.Client
    auditor: httpx2.Client
    spec: dict[str, Any]

    def clients(self) -> list[httpx2.Client]:
        return [self.provider, self.centre, self.school, self.auditor]


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
        world.build(uow, live_bank.cipher)
    found = Bank(
        live_bank,
        client_for(live_bank, world.PROVIDER_REGISTRAR),
        client_for(live_bank, world.CENTRE_REGISTRAR),
        client_for(live_bank, world.SCHOOL_REGISTRAR),
        client_for(live_bank, world.AUDITOR),
        {},
    )
    found.spec = found.auditor.get("/openapi.json").json()
    yield found
    for client in found.clients():
        client.close()


def documented(bank: Bank, method: str, template: str, response: httpx2.Response) -> None:
    """The status is declared for the endpoint in /openapi.json, with the problem schema."""
    declared = bank.spec["paths"][template][method]["responses"]
    assert str(response.status_code) in declared, (template, response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def people(bank: Bank, how_many: int) -> list[world.Person]:
    with bank.live.database.unit_of_work() as uow:
        return [world.learner(uow, bank.live.cipher, next(_serial)) for _ in range(how_many)]


def results_csv(rows: Sequence[tuple[world.Person, str, str]]) -> bytes:
    """A results file: each person with their theory and practice marks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id_number", "name", "theory", "practice"])
    for person, theory, practice in rows:
        writer.writerow([person.id_number, person.name, theory, practice])
    return buffer.getvalue().encode("utf-8")


def schedule(bank: Bank, level: str, days_ago: int = 10) -> int:
    held_on = (clock.today() - timedelta(days=days_ago)).isoformat()
    made = bank.centre.post(
        "/api/v1/xcerts/BIM/sessions",
        json={"centre": world.CENTRE, "level": level, "held_on": held_on},
    )
    documented(bank, "post", "/api/v1/xcerts/{code}/sessions", made)
    assert made.status_code == 201, made.text
    session_id: int = made.json()["id"]
    return session_id


def register(bank: Bank, session_id: int, person: world.Person, *, exempt: bool = False) -> None:
    made = bank.centre.post(
        f"/api/v1/sessions/{session_id}/candidates",
        json={"account_number": person.account, "fee_exempt": exempt},
    )
    documented(bank, "post", "/api/v1/sessions/{session_id}/candidates", made)
    assert made.status_code == 201, made.text


def upload(
    bank: Bank,
    session_id: int,
    content: bytes,
    *,
    assessor: str = world.ASSESSOR,
    client: httpx2.Client | None = None,
) -> httpx2.Response:
    answer = (client or bank.provider).post(
        f"/api/v1/sessions/{session_id}/results",
        data={"assessor": assessor},
        files={"file": ("results.csv", content, "text/csv")},
    )
    documented(bank, "post", "/api/v1/sessions/{session_id}/results", answer)
    return answer


def x_outcomes(bank: Bank, person: world.Person) -> list[dict[str, Any]]:
    """The person's outcomes the provider issued, as its registrar reads them."""
    found = bank.provider.get(f"/api/v1/accounts/{person.account}/outcomes")
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["outcomes"]
    return items


def test_the_catalogue_shows_bim_with_its_schemes_schools_and_teachers(bank: Bank) -> None:
    listed = bank.auditor.get("/api/v1/xcerts", params={"round": 1})
    documented(bank, "get", "/api/v1/xcerts", listed)
    assert listed.status_code == 200
    [bim] = [x for x in listed.json() if x["code"] == world.BIM]
    assert bim["approval_round"] == 1
    assert bim["provider"]["code"] == world.PROVIDER
    assert bim["provider"]["type"] == "training_evaluation_organisation"
    assert bim["profile"] == {
        "industry": "土木建筑",
        "industry_en": "Civil engineering and construction",
        "valid_years": 5,
    }
    assert [level["code"] for level in bim["levels"]] == list(world.LEVELS)
    assert (bim["pilot_schools"], bim["assessment_centres"]) == (2, 1)
    assert bank.auditor.get("/api/v1/xcerts", params={"round": 4}).json() == []

    detail = bank.auditor.get("/api/v1/xcerts/BIM")
    documented(bank, "get", "/api/v1/xcerts/{code}", detail)
    body = detail.json()
    weights = {
        s["level"]["code"]: tuple(c["weight"] for c in s["components"]) for s in body["schemes"]
    }
    assert weights == {"beginner": (20, 80), "intermediate": (20, 80), "advanced": (60, 40)}
    assert {Decimal(s["pass_mark"]) for s in body["schemes"]} == {Decimal(60)}
    assert all(c["pass_mark"] is None for s in body["schemes"] for c in s["components"])
    offered = {
        (o["school"]["code"], o["level"]["code"], o["assessment_centre"]) for o in body["offerings"]
    }
    assert offered == {
        ("HBVC", "beginner", True),
        ("HBVC", "intermediate", True),
        ("HBVC", "advanced", True),
        ("SHSV", "beginner", False),
    }
    # the assessor is dual-certified: as teacher and as assessor, after the 5-day training
    dual = {c["kind"] for c in body["certifications"] if c["email"] == world.ASSESSOR}
    assert dual == {"teacher", "assessor"}
    assert [t["days"] for t in body["trainings"] if t["email"] == world.ASSESSOR] == [5]
    missing = bank.auditor.get("/api/v1/xcerts/NOPE")
    documented(bank, "get", "/api/v1/xcerts/{code}", missing)
    assert missing.json()["type"] == "/problems/xcert-not-found"


def test_the_bim_weights_decide_at_every_level(bank: Bank) -> None:
    """Theory 30 and practice 75: 20/80 weighs 66 (a pass), 60/40 weighs 48 (a fail)."""
    expected = {
        "beginner": ("66.00", "passed"),
        "intermediate": ("66.00", "passed"),
        "advanced": ("48.00", "failed"),
    }
    for level, (weighted, status) in expected.items():
        session_id = schedule(bank, level)
        [same, strong] = people(bank, 2)
        register(bank, session_id, same)
        register(bank, session_id, strong)
        answer = upload(bank, session_id, results_csv([(same, "30", "75"), (strong, "90", "95")]))
        assert answer.status_code == 201, answer.text
        recorded = answer.json()
        passed = 1 + (status == "passed")
        assert (recorded["assessed"], recorded["passed"], recorded["failed"]) == (
            2,
            passed,
            2 - passed,
        )
        by_account = {c["account_number"]: c for c in recorded["session"]["registrations"]}
        mine = by_account[same.account]
        assert (mine["weighted"], mine["status"]) == (weighted, status)
        assert mine["marks"] == {"theory": "30", "practice": "75"}
        assert mine["assessor"] == world.ASSESSOR
        assert Decimal(by_account[strong.account]["weighted"]) == (
            Decimal("94.00") if level != "advanced" else Decimal("92.00")
        )
        # a pass is an X-certificate outcome in the account; a fail is not
        held = x_outcomes(bank, same)
        if status == "passed":
            [outcome] = held
            assert outcome["id"] == mine["outcome"]
            assert outcome["item_code"] == "BIM"
            assert outcome["item_kind"] == "x_certificate"
            assert outcome["level"]["level"] == level
            assert Decimal(outcome["score"]) == Decimal(weighted)
            assert outcome["setting"] == "non-formal"
            assert outcome["assessed_on"] == recorded["session"]["held_on"]
        else:
            assert held == []
            assert mine["outcome"] is None
        assert len(x_outcomes(bank, strong)) == 1
        # the session shows the same to the centre's staff
        read = bank.centre.get(f"/api/v1/sessions/{session_id}")
        documented(bank, "get", "/api/v1/sessions/{session_id}", read)
        assert read.json()["candidates"] == {
            "registered": 2,
            "fee_exempt": 0,
            "assessed": 2,
            "certified": passed,
            "pass_rate": str(Decimal(100 * passed / 2).quantize(Decimal("0.1"))),
        }


def test_only_a_certified_assessor_can_score(bank: Bank) -> None:
    session_id = schedule(bank, "intermediate", days_ago=12)
    [candidate] = people(bank, 1)
    register(bank, session_id, candidate)
    content = results_csv([(candidate, "80", "80")])
    for assessor in (world.UNCERTIFIED, world.EXPIRED, world.CENTRE_REGISTRAR):
        refused = upload(bank, session_id, content, assessor=assessor)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"] == "/problems/assessor-not-certified"
        assert assessor in problem["detail"]
        assert "only a certified assessor can score" in problem["detail"]
    read = bank.provider.get(f"/api/v1/sessions/{session_id}").json()
    assert [c["status"] for c in read["registrations"]] == ["registered"]
    assert x_outcomes(bank, candidate) == []
    # the certified one may
    assert upload(bank, session_id, content).status_code == 201
    assert len(x_outcomes(bank, candidate)) == 1


def test_a_file_with_one_bad_row_records_nothing_and_names_the_line(bank: Bank) -> None:
    session_id = schedule(bank, "beginner", days_ago=14)
    first, second, third = people(bank, 3)
    [stranger] = people(bank, 1)  # has an account, not registered for this session
    for person in (first, second, third):
        register(bank, session_id, person, exempt=person is second)
    bad = results_csv([(first, "70", "70"), (second, "70", "120"), (third, "70", "70")])
    refused = upload(bank, session_id, bad)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/results-rejected"
    assert problem["detail"] == "1 problems in 3 rows; nothing was recorded"
    assert problem["problems"] == ["line 3, -: practice: a mark is between 0 and 100, not 120"]
    stranger_file = results_csv([(first, "70", "70"), (stranger, "90", "90")])
    refused = upload(bank, session_id, stranger_file)
    assert refused.json()["problems"] == [
        "line 3, id_number: not a registered candidate of this session"
    ]
    assert stranger.id_number not in refused.text  # never echoes personal data
    assert stranger.name not in refused.text
    with bank.live.database.unit_of_work() as uow:
        assert (
            uow.session.scalar(
                select(func.count())
                .select_from(ResultRow)
                .join(RegistrationRow, RegistrationRow.id == ResultRow.registration_id)
                .where(RegistrationRow.session_id == session_id)
            )
            == 0
        )
    assert all(x_outcomes(bank, person) == [] for person in (first, second, third))
    # corrected, the same file goes in whole; the fee exemption is kept
    good = results_csv([(first, "70", "70"), (second, "70", "40"), (third, "50", "55")])
    recorded = upload(bank, session_id, good)
    assert recorded.status_code == 201, recorded.text
    session = recorded.json()["session"]
    assert session["candidates"]["fee_exempt"] == 1
    statuses = {
        c["account_number"]: (c["status"], c["fee_exempt"]) for c in session["registrations"]
    }
    assert statuses == {
        first.account: ("passed", False),
        second.account: ("failed", True),  # 70 x 0.2 + 40 x 0.8 = 46
        third.account: ("failed", False),  # 54
    }
    # results once per candidate: the same file again is refused, and so is a late candidate
    again = upload(bank, session_id, good)
    assert again.status_code == 422
    assert len(again.json()["problems"]) == 3
    late = bank.centre.post(
        f"/api/v1/sessions/{session_id}/candidates",
        json={"account_number": stranger.account},
    )
    assert late.status_code == 409
    assert late.json()["type"] == "/problems/session-conflict"
    # and the results are facts: the database refuses to change them
    with pytest.raises((IntegrityError, DBAPIError)), bank.live.database.unit_of_work() as uow:
        uow.session.execute(text("UPDATE xcert_results SET passed = true"))


def test_who_may_schedule_register_and_record(bank: Bank) -> None:
    held_on = (clock.today() - timedelta(days=20)).isoformat()
    # the school is no assessment centre; the centre does not hold what is not offered
    not_centre = bank.school.post(
        "/api/v1/xcerts/BIM/sessions",
        json={"centre": world.SCHOOL, "level": "beginner", "held_on": held_on},
    )
    assert not_centre.status_code == 422
    assert not_centre.json()["type"] == "/problems/invalid-session"
    assert (
        "SHSV is not an assessment centre of LFZK:BIM at level beginner"
        in (not_centre.json()["problems"])
    )
    other = bank.school.post(
        "/api/v1/xcerts/BIM/sessions",
        json={"centre": world.CENTRE, "level": "beginner", "held_on": held_on},
    )
    documented(bank, "post", "/api/v1/xcerts/{code}/sessions", other)
    assert other.status_code == 403
    # the provider may schedule at its centre; twice the same day and level is a conflict
    made = bank.provider.post(
        "/api/v1/xcerts/BIM/sessions",
        json={"centre": world.CENTRE, "level": "advanced", "held_on": held_on},
    )
    assert made.status_code == 201, made.text
    session_id = made.json()["id"]
    twice = bank.centre.post(
        "/api/v1/xcerts/BIM/sessions",
        json={"centre": world.CENTRE, "level": "advanced", "held_on": held_on},
    )
    documented(bank, "post", "/api/v1/xcerts/{code}/sessions", twice)
    assert twice.status_code == 409
    [person] = people(bank, 1)
    # the centre registers; the provider and other schools do not
    for client in (bank.provider, bank.school):
        refused = client.post(
            f"/api/v1/sessions/{session_id}/candidates", json={"account_number": person.account}
        )
        assert refused.status_code == 403
    register(bank, session_id, person)
    again = bank.centre.post(
        f"/api/v1/sessions/{session_id}/candidates", json={"account_number": person.account}
    )
    assert again.status_code == 409
    unknown = bank.centre.post(
        f"/api/v1/sessions/{session_id}/candidates", json={"account_number": "CB000000000000"}
    )
    assert unknown.status_code in {404, 422}
    # the provider records results; the centre does not
    refused = upload(bank, session_id, results_csv([(person, "60", "60")]), client=bank.centre)
    assert refused.status_code == 403
    assert bank.school.get(f"/api/v1/sessions/{session_id}").status_code == 403
    assert bank.auditor.get(f"/api/v1/sessions/{session_id}").status_code == 200
    assert bank.auditor.get("/api/v1/sessions/999999").status_code == 404
    # only the provider manages the certificate
    for path, body in (
        ("/api/v1/xcerts/BIM/profile", {"industry": "x"}),
        ("/api/v1/xcerts/BIM/offerings", {"school": "SHSV", "level": "advanced"}),
    ):
        assert bank.centre.post(path, json=body).status_code == 403


@pytest.fixture
def admin(bank: Bank) -> Iterator[httpx2.Client]:
    with client_for(bank.live, world.ADMIN) as client:
        yield client


def test_statistics_match_what_was_made(bank: Bank, admin: httpx2.Client) -> None:
    """A certificate of its own (round 2, a provider and a centre in 四川) so that its figures
    are exactly known, whatever the other tests made."""
    live = bank.live
    for code, name, kind in (
        ("SCTEO", "四川某培训评价组织", "training_evaluation_organisation"),
        ("SCTS", "四川某技工学校", "technical_school"),
    ):
        admin.post(
            "/api/v1/institutions",
            json={"code": code, "name": name, "type": kind, "region": "四川"},
        ).raise_for_status()
    admin.post(
        "/api/v1/catalog/items",
        json={
            "institution": "SCTEO",
            "code": "CHEF-X",
            "kind": "x_certificate",
            "name": "中式烹调职业技能等级证书",
            "framework": "1X",
            "levels": ["beginner"],
            "provider": "四川某培训评价组织",
            "approval_round": 2,
        },
    ).raise_for_status()
    for path, body in (
        (
            "/api/v1/xcerts/SCTEO:CHEF-X/schemes",
            {
                "level": "beginner",
                "components": [
                    {"kind": "theory", "weight": 40},
                    {"kind": "practice", "weight": 60},
                ],
            },
        ),
        (
            "/api/v1/xcerts/CHEF-X/offerings",
            {"school": "SCTS", "level": "beginner", "assessment_centre": True},
        ),
        (
            "/api/v1/xcerts/CHEF-X/teachers",
            {
                "email": world.ASSESSOR,
                "id_number": "E1234567",
                "training": {"course": "师资培训", "days": 5, "completed_on": "2024-01-05"},
                "certify": {
                    "kinds": ["assessor"],
                    "valid_from": "2024-02-01",
                    "valid_until": (clock.today() + timedelta(days=30)).isoformat(),
                },
            },
        ),
    ):
        made = admin.post(path, json=body)
        assert made.status_code in {200, 201}, (path, made.text)
    session_id = admin.post(
        "/api/v1/xcerts/CHEF-X/sessions",
        json={
            "centre": "SCTS",
            "level": "beginner",
            "held_on": (clock.today() - timedelta(days=3)).isoformat(),
        },
    ).json()["id"]
    a, b, c = people(bank, 3)
    for person, exempt in ((a, True), (b, False), (c, False)):
        admin.post(
            f"/api/v1/sessions/{session_id}/candidates",
            json={"account_number": person.account, "fee_exempt": exempt},
        ).raise_for_status()
    # a passes (40 x 0.4 + 90 x 0.6 = 70), b fails (58), c is absent
    answer = upload(bank, session_id, results_csv([(a, "40", "90"), (b, "40", "70")]), client=admin)
    assert answer.status_code == 201, answer.text

    stats = bank.auditor.get("/api/v1/stats/1x")
    documented(bank, "get", "/api/v1/stats/1x", stats)
    body = stats.json()
    assert body["certificates_by_round"] == [
        {"approval_round": 1, "certificates": 1},
        {"approval_round": 2, "certificates": 1},
    ]
    assert {row["type"]: row["schools"] for row in body["pilot_schools_by_type"]} == {
        "higher_vocational_college": 1,
        "secondary_vocational_school": 1,
        "technical_school": 1,
    }
    tally = {"registered": 3, "fee_exempt": 1, "assessed": 2, "certified": 1, "pass_rate": "50.0"}
    [sichuan] = [row for row in body["by_province"] if row["province"] == "四川"]
    assert sichuan == {"province": "四川", **tally}
    [chef] = [row for row in body["by_certificate"] if row["xcert"] == "SCTEO:CHEF-X"]
    assert chef == {
        "xcert": "SCTEO:CHEF-X",
        "name": "中式烹调职业技能等级证书",
        "approval_round": 2,
        **tally,
    }
    # the totals are the sums of the rows, and the sessions all those made
    for key in ("registered", "fee_exempt", "assessed", "certified"):
        assert body["candidates"][key] == sum(row[key] for row in body["by_province"])
        assert body["candidates"][key] == sum(row[key] for row in body["by_certificate"])
    with live.database.unit_of_work() as uow:
        sessions = uow.session.scalar(text("SELECT count(*) FROM xcert_sessions"))
        certified = uow.session.scalar(
            select(func.count()).select_from(OutcomeRow).where(OutcomeRow.setting == "non-formal")
        )
    assert body["sessions"] == sessions
    assert body["candidates"]["certified"] == certified
