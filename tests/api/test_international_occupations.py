"""ESCO's and O*NET's occupations over HTTP on both databases: `GET /api/v1/occupations/{code}`
and the page `/occupations/{code}` answer for scheme-prefixed codes (the colon as it is or
percent-encoded), with their groups, URI, provenance and skills (O*NET's importance); the
search finds them beside China's; a learner's gap to an O*NET occupation (`/me/jobs`) shows
each missing skill's importance; a prefixed code the bank lacks is a 404, never a 5xx."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest

from creditbank.sessions import service as sessions
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.matching_world import learner
from tests.occupations.test_international import ESCO_DEVELOPER, import_esco, import_onet
from tests.support.conversion_pages import PASSWORD
from tests.support.pages import page_client


@pytest.fixture(scope="module")
def imported(live_bank: LiveBank) -> str:
    """The bank holds the small ESCO and O*NET files (tests/data) and a learner with a
    password and no outcomes: their account number."""
    with live_bank.database.unit_of_work() as uow:
        import_onet(uow)
        import_esco(uow)
        number = learner(uow, 2, "测试学员", live_bank.cipher)
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
    return number


@pytest.mark.usefixtures("imported")
def test_an_onet_occupation_with_its_skills_and_importance(client: httpx2.Client) -> None:
    for path in ("/api/v1/occupations/ONET:15-1252.00", "/api/v1/occupations/ONET%3A15-1252.00"):
        answer = client.get(path)
        assert answer.status_code == 200, answer.text
        shown = answer.json()
        assert (shown["code"], shown["name"], shown["level"]) == (
            "ONET:15-1252.00",
            "Software Developers",
            4,
        )
        assert shown["aliases"] == [
            "Application Developer",
            "Software Engineer",
            "Computer Programmer",
        ]
        assert "CC BY 4.0" in shown["source"]["licence"]
        assert [
            (s["name"], s["relation"], s["importance"], s["level"]) for s in shown["skills"]
        ] == [
            ("Computers and Electronics", "essential", 4.71, 5.98),
            ("Programming", "essential", 4.62, 5.25),
            ("Reading Comprehension", "essential", 3.75, 4.12),
            ("Troubleshooting", "optional", 2.88, 3.5),
        ]


@pytest.mark.usefixtures("imported")
def test_an_esco_occupation_with_its_groups_and_uri(client: httpx2.Client) -> None:
    answer = client.get("/api/v1/occupations/ESCO:2512.4")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["uri"] == ESCO_DEVELOPER
    assert shown["parent_codes"] == ["ESCO:2", "ESCO:25", "ESCO:251", "ESCO:2512"]
    assert [p["name"] for p in shown["parents"]][-1] == "Software developers"
    assert [c["code"] for c in shown["children"]] == ["ESCO:2512.4.1"]
    assert [(s["name"], s["relation"]) for s in shown["skills"]] == [
        ("computer programming", "essential"),
        ("debug software", "essential"),
        ("use markup languages", "optional"),
    ]
    found = client.get("/api/v1/occupations", params={"q": "web developer", "limit": 3}).json()
    assert {hit["code"] for hit in found["hits"][:2]} == {"ESCO:2512.4.1", "ONET:15-1254.00"}
    for missing in ("/api/v1/occupations/ESCO:9999.9", "/api/v1/occupations/ONET:99-9999.99"):
        refused = client.get(missing)
        assert refused.status_code == 404, refused.text
        assert refused.json()["type"].endswith("/unknown-occupation")


@pytest.mark.usefixtures("imported")
def test_the_occupation_page_for_prefixed_codes(bank: str) -> None:
    with page_client(bank, "en") as english:
        page = english.get("/occupations/ESCO:2512.4")
        encoded = english.get("/occupations/ESCO%3A2512.4.1")
        onet = english.get("/occupations/ONET:15-1252.00")
        missing = english.get("/occupations/ONET:99-9999.99")
    assert page.status_code == 200, page.text
    assert '<small class="code">ESCO:2512.4</small>' in page.text
    assert 'href="/occupations/ESCO:2512"' in page.text  # its group, linked
    assert 'href="/occupations/ESCO:2512.4.1"' in page.text  # below it
    assert "Chinese name" not in page.text
    assert encoded.status_code == 200, encoded.text
    assert "web developer" in encoded.text
    assert onet.status_code == 200, onet.text
    assert "Programming" in onet.text
    assert "4.62" in onet.text
    assert missing.status_code == 404


def test_a_learner_s_gap_to_an_onet_occupation_shows_importance(bank: str, imported: str) -> None:
    signed_in = SignedIn(bank, PASSWORD).log_in("learner", imported)
    with signed_in.learner(imported) as english, signed_in.learner(imported, "zh") as chinese:
        page = english.get("/me/jobs", params={"occupation": "ONET:15-1252.00"})
        zh = chinese.get("/me/jobs", params={"occupation": "ONET:15-1252.00"})
    assert page.status_code == 200, page.text
    assert "0 of 3 required skills covered (0%)." in page.text
    unteachable = page.text.split('id="unteachable"', 1)[1].split("</ul>", 1)[0]
    assert "Programming" in unteachable
    assert "importance 4.62 of 5" in unteachable
    optional = page.text.split('id="optional-missing"', 1)[1].split("</ul>", 1)[0]
    assert "Troubleshooting" in optional
    assert "importance 2.88 of 5" in optional
    assert zh.status_code == 200
    assert "重要程度 4.62（满分 5）" in zh.text
