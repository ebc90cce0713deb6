"""The national platform and the bank's alliances over HTTP, both databases.

National: a trusted peer's signed batch is taken (201, no login) and counted once; a bad one is
a problem naming each bad reference by its position, storing nothing; the figures are public,
small counts suppressed as '<10', and so is their page, in Chinese and English; the pilot
schools are the administrators' (auditors read, others 403). Alliances: joining takes four eyes
and is logged, leaving is logged, other staff 403; the public list and page show the bank's
alliances in force. Joint certification: a scheme of two bodies (administrators define, anyone
reads), one assessment deposited under it makes an outcome at each body, linked to the other.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx2
import pytest

from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.ledger import notes
from creditbank.national.model import make_batch, signed_text
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.peer_logs import PeerLog, peer_fields

PROBLEM = "application/problem+json"
REGIONAL = PeerLog("regional.example/log")


@dataclass
class Tokens:
    admin1: str
    admin2: str
    auditor: str
    registrar: str


@pytest.fixture(scope="module")
def tokens(live_bank: LiveBank) -> Tokens:
    """Two administrators, an auditor and a registrar; REGIONAL trusted (four eyes)."""
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        people = (
            ("admin1@bank.example", Role.BANK_ADMIN, None),
            ("admin2@bank.example", Role.BANK_ADMIN, None),
            ("auditor@bank.example", Role.AUDITOR, None),
            ("reg@shou.example", Role.REGISTRAR, "SHOU"),
        )
        for email, role, institution in people:
            service.add_user(uow=uow, email=email, role=role, institution=institution)
        secrets = Tokens(*[service.create_token(uow=uow, email=p[0]).secret for p in people])
    with _as(live_bank.url, secrets.admin1) as admin1, _as(live_bank.url, secrets.admin2) as admin2:
        added = admin1.post("/api/v1/peers", json=peer_fields(REGIONAL))
        assert added.status_code == 201, added.text
        approved = admin2.post(f"/api/v1/peers/{added.json()['id']}/approve")
        assert approved.status_code == 200, approved.text
    return secrets


def _as(bank: str, token: str | None, language: str = "en") -> httpx2.Client:
    headers = {"Accept-Language": language}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.Client(base_url=bank, headers=headers, timeout=10)


@pytest.fixture
def anyone(bank: str, tokens: Tokens) -> Iterator[httpx2.Client]:
    del tokens  # the world is built
    with _as(bank, None) as client:
        yield client


def _problem(answer: httpx2.Response, status: int, slug: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = answer.json()
    assert problem["type"] == f"/problems/{slug}", problem
    return problem


def _reference(n: int, **changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "origin": REGIONAL.origin,
        "leaf_index": n,
        "leaf_hash": base64.b64encode(hashlib.sha256(f"api {n}".encode()).digest()).decode(),
        "item": {"owner": "SHOU", "code": "SH-101", "kind": "course"},
        "level": {"framework": "CQF", "version": 1, "code": "4"},
        "credits": "3.0",
        "year": 2024 + n % 2,
    }
    found.update(changes)
    return found


def _batch(references: list[dict[str, Any]], signer: notes.Signer | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {
        **make_batch(sender=REGIONAL.origin, sent_at="2026-12-07T10:00:00Z", references=[]),
        "references": references,
    }
    made["signature"] = notes.sign(signed_text(made), [signer or REGIONAL.signer])
    return made


def test_a_signed_batch_is_taken_counted_once_and_the_figures_are_public(
    anyone: httpx2.Client,
) -> None:
    batch = _batch([_reference(n) for n in range(12)])
    taken = anyone.post("/api/v1/national/batches", json=batch)
    assert taken.status_code == 201, taken.text
    assert taken.json()["new_references"] == 12
    again = anyone.post("/api/v1/national/batches", json=batch)
    assert (again.status_code, again.json()["new_references"]) == (201, 0)

    figures = anyone.get("/api/v1/national/counts", params={"item": "SHOU/SH-101"})
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert body["suppress_below"] == 10
    assert body["total"] == {"count": 12, "shown": "12"}
    assert body["by_bank"] == [{"bank": REGIONAL.origin, "count": 12, "shown": "12"}]
    assert body["by_year"] == [
        {"year": 2024, "count": None, "shown": "<10"},
        {"year": 2025, "count": None, "shown": "<10"},
    ]
    level = anyone.get("/api/v1/national/counts", params={"level": "CQF:4", "year": 2024})
    assert level.json()["total"] == {"count": None, "shown": "<10"}
    none = anyone.get("/api/v1/national/counts", params={"kind": "x_certificate"})
    assert none.json()["total"] == {"count": 0, "shown": "0"}
    bad = anyone.get("/api/v1/national/counts", params={"item": "SHOU", "level": "CQF"})
    assert len(_problem(bad, 422, "invalid-question")["problems"]) == 2


def test_a_bad_batch_is_a_problem_naming_each_reference_and_stores_nothing(
    anyone: httpx2.Client,
) -> None:
    bad = _batch([_reference(0), _reference(1, year="2025"), _reference(2, origin="x.example/log")])
    problem = _problem(anyone.post("/api/v1/national/batches", json=bad), 422, "invalid-batch")
    assert [p.split(":")[0] for p in problem["problems"]] == ["reference 2", "reference 3"]
    forged = _batch(
        [_reference(0)], notes.Signer.from_private_key(notes.generate_key(REGIONAL.origin)[0])
    )
    _problem(anyone.post("/api/v1/national/batches", json=forged), 403, "bad-batch-signature")
    stranger = {**_batch([_reference(0)]), "sender": "stranger.example/log"}
    _problem(anyone.post("/api/v1/national/batches", json=stranger), 403, "unknown-sender")
    _problem(
        anyone.post(
            "/api/v1/national/batches", content=b"{", headers={"Content-Type": "application/json"}
        ),
        422,
        "invalid-batch",
    )
    assert anyone.get("/api/v1/national/counts").json()["total"]["count"] == 0


def test_the_figures_page_in_chinese_and_english(bank: str, anyone: httpx2.Client) -> None:
    anyone.post("/api/v1/national/batches", json=_batch([_reference(n) for n in range(3)]))
    with _as(bank, None, "zh") as chinese:
        page = chinese.get("/national")
    assert page.status_code == 200
    assert "全国" in page.text
    assert "&lt;10" in page.text
    english = anyone.get("/national", params={"kind": "course", "year": "2024"})
    assert "National figures" in english.text
    assert 'data-bank="regional.example/log"' in english.text
    wrong = anyone.get("/national", params={"item": "SHOU"})
    assert wrong.status_code == 422
    assert "item must be OWNER/CODE" in wrong.text


def test_pilot_schools_are_the_administrators(bank: str, tokens: Tokens) -> None:
    private, key = notes.generate_key("school.example/results")
    school = {
        "code": "SCH-1",
        "name": "试点学校",
        "origin": "school.example/results",
        "verifier_key": key,
    }
    with _as(bank, tokens.registrar) as registrar:
        _problem(registrar.post("/api/v1/national/schools", json=school), 403, "forbidden")
    with _as(bank, tokens.admin1) as admin:
        added = admin.post("/api/v1/national/schools", json=school)
        assert added.status_code == 201, added.text
        _problem(admin.post("/api/v1/national/schools", json=school), 409, "school-exists")
    with _as(bank, tokens.auditor) as auditor:
        assert [s["code"] for s in auditor.get("/api/v1/national/schools").json()] == ["SCH-1"]
        _problem(auditor.post("/api/v1/national/send", json={"url": bank}), 403, "forbidden")
    with _as(bank, None) as anyone:
        made: dict[str, Any] = {
            **make_batch(
                sender="school.example/results", sent_at="2026-12-07T10:00:00Z", references=[]
            ),
            "references": [_reference(0, origin="school.example/results")],
        }
        made["signature"] = notes.sign(signed_text(made), [notes.Signer.from_private_key(private)])
        taken = anyone.post("/api/v1/national/batches", json=made)
        assert (taken.status_code, taken.json()["sender_kind"]) == (201, "school"), taken.text
        assert anyone.get("/api/v1/national/schools").status_code == 401


# --- alliances -------------------------------------------------------------------------------

ALLIANCE = {
    "code": "OU-MUTUAL",
    "name": "开放大学学习成果互认联盟",
    "name_en": "Open universities' mutual recognition alliance",
    "members": ["bank-a.example/log", "bank-b.example/log"],
    "frameworks": ["CQF"],
    "item_kinds": ["course"],
    "valid_from": "2026-01-01",
}


def test_joining_takes_four_eyes_and_joining_and_leaving_are_logged(
    bank: str, tokens: Tokens
) -> None:
    with _as(bank, tokens.registrar) as registrar:
        _problem(registrar.post("/api/v1/alliances", json=ALLIANCE), 403, "forbidden")
    with _as(bank, tokens.admin1) as admin1, _as(bank, tokens.admin2) as admin2:
        proposed = admin1.post("/api/v1/alliances", json=ALLIANCE)
        assert proposed.status_code == 201, proposed.text
        assert (proposed.json()["status"], proposed.json()["receipt"]) == ("proposed", None)
        alliance = proposed.json()["id"]
        _problem(admin1.post("/api/v1/alliances", json=ALLIANCE), 409, "alliance-exists")
        _problem(admin1.post(f"/api/v1/alliances/{alliance}/approve"), 403, "alliance-four-eyes")
        assert admin1.get("/api/v1/alliances/joined").json()["alliances"] == []
        joined = admin2.post(f"/api/v1/alliances/{alliance}/approve")
        assert joined.status_code == 200, joined.text
        assert joined.json()["receipt"]["kind"] == "alliance.joined"
        _problem(
            admin2.post(f"/api/v1/alliances/{alliance}/approve"), 409, "alliance-status-conflict"
        )
        public = admin1.get("/api/v1/alliances/joined").json()
        assert [(a["code"], a["members"]) for a in public["alliances"]] == [
            ("OU-MUTUAL", ["bank-a.example/log", "bank-b.example/log"])
        ]
        with _as(bank, None) as anyone:
            page = anyone.get("/alliances")
            assert 'data-code="OU-MUTUAL"' in page.text
            assert "Open universities&#39; mutual recognition alliance" in page.text
            assert 'id="alliances-link"' in anyone.get("/peers").text
        _problem(
            admin1.post(f"/api/v1/alliances/{alliance}/leave", json={"reason": " "}),
            422,
            "invalid-alliance",
        )
        left = admin1.post(
            f"/api/v1/alliances/{alliance}/leave", json={"reason": "the agreement ended"}
        )
        assert left.status_code == 200, left.text
        assert left.json()["receipt"]["kind"] == "alliance.left"
        assert [e["kind"] for e in left.json()["events"]] == ["proposed", "joined", "left"]
        assert admin1.get("/api/v1/alliances/joined").json()["alliances"] == []
    with _as(bank, tokens.auditor) as auditor:
        listed = auditor.get("/api/v1/alliances", params={"status": "left"})
        assert [a["code"] for a in listed.json()] == ["OU-MUTUAL"]


def test_an_alliance_that_cannot_be_joined_names_each_problem(bank: str, tokens: Tokens) -> None:
    wrong = {
        **ALLIANCE,
        "code": "bad code",
        "members": [],
        "item_kinds": ["diploma"],
        "valid_until": "2025-01-01",
    }
    with _as(bank, tokens.admin1) as admin:
        problem = _problem(admin.post("/api/v1/alliances", json=wrong), 422, "invalid-alliance")
        assert len(problem["problems"]) == 4
        assert admin.get("/api/v1/alliances").json() == []


# --- one test, several certificates --------------------------------------------------------

SCHEME = {
    "code": "GBA-CAD",
    "name": "计算机辅助设计一试两证",
    "name_en": "CAD: one test, two certificates",
    "result_levels": ["pass"],
    "bodies": [
        {"institution": "GDVTC", "item_code": "CAD-GD", "levels": "pass=4"},
        {"institution": "HKVTC", "item_code": "CAD-HK", "levels": "pass=5"},
    ],
}


@pytest.fixture(scope="module")
def joint_account(live_bank: LiveBank, tokens: Tokens) -> str:
    """Two bodies with their items (GDLEQF and EQF) and a learner's account."""
    del tokens
    with live_bank.database.unit_of_work() as uow:
        for code, item, framework, level in (
            ("GDVTC", "CAD-GD", "GDLEQF", "4"),
            ("HKVTC", "CAD-HK", "EQF", "5"),
        ):
            service.add_institution(
                uow=uow,
                code=code,
                name=f"{code} 学院",
                type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
            )
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=code,
                    code=item,
                    kind=ItemKind.VOCATIONAL_QUALIFICATION,
                    name=f"计算机辅助设计 {code}",
                    framework=framework,
                    levels=(level,),
                ),
                on=date(2025, 1, 1),
            )
        return accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(41)),
            name="陈小明",
        ).number


def test_one_assessment_makes_an_outcome_at_each_body(
    bank: str, tokens: Tokens, joint_account: str
) -> None:
    with _as(bank, tokens.registrar) as registrar:
        _problem(registrar.post("/api/v1/joint/schemes", json=SCHEME), 403, "forbidden")
    with _as(bank, tokens.admin1) as admin:
        defined = admin.post("/api/v1/joint/schemes", json=SCHEME)
        assert defined.status_code == 201, defined.text
        _problem(admin.post("/api/v1/joint/schemes", json=SCHEME), 409, "joint-scheme-exists")
        wrong = {**SCHEME, "code": "GBA-X", "bodies": SCHEME["bodies"][:1]}
        _problem(admin.post("/api/v1/joint/schemes", json=wrong), 422, "invalid-joint-scheme")
        result = {
            "account_number": joint_account,
            "record_id": "GBA-2025-01",
            "result": "pass",
            "assessed_on": "2025-06-30",
        }
        made = admin.post("/api/v1/joint/schemes/GBA-CAD/outcomes", json=result)
        assert made.status_code == 201, made.text
        outcomes = made.json()["outcomes"]
        assert [o["institution"] for o in outcomes] == ["GDVTC", "HKVTC"]
        bad = admin.post(
            "/api/v1/joint/schemes/GBA-CAD/outcomes", json={**result, "result": "merit"}
        )
        _problem(bad, 422, "invalid-joint-outcome")
    with _as(bank, None) as anyone:
        assert [s["code"] for s in anyone.get("/api/v1/joint/schemes").json()] == ["GBA-CAD"]
        linked = anyone.get(f"/api/v1/joint/outcomes/{outcomes[0]['outcome']}/linked")
        assert linked.json() == [outcomes[1]]
        _problem(
            anyone.get(f"/api/v1/joint/outcomes/{'0' * 32}/linked"), 404, "joint-outcome-not-found"
        )
