"""Every URL of the bank in the credentials it issues is a public page, on both databases.

The module issues credentials as an issuer and the bank do (Open Badges 3.0 as JSON-LD and as
a VC-JWT, a learner's CLR 2.0), collects every http(s) URL of the bank's origin from them, and
asks each for HTML and for JSON-LD: each answers 200, the pages of the achievement
(``/catalog/OWNER/CODE``), the issuer (``/institutions/CODE``, the bank at ``/``) and the
framework levels (``/frameworks/CODE``) as HTML or JSON-LD as asked, and the JSON-LD says what
the credential embeds. Also: the pages in both languages, unknown items and institutions, the
favicon.

The world is tests/support/records.py's: JSVC's course CAD-201 (LOFOUC 4 and 5, with an English
name) and electrician's qualification ELEC (NVQC, whose crosswalk gives EQF levels), TEO-BIM's
BIM X certificate; learner 张晓梅 holds six outcomes of them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.conftest import LiveBank
from tests.support.records import Record, build_record

JSON_LD = "application/ld+json"
ADMIN = "admin@bank.example"
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Issued:
    """The credentials the module issued, and the bank's public origin."""

    origin: str
    badges: list[JsonObject]
    """Open Badges 3.0 credentials (JSON-LD, and the payloads of the JWTs)."""
    record: JsonObject
    """The learner's CLR."""

    @property
    def documents(self) -> list[JsonObject]:
        return [*self.badges, self.record]


def _token_client(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )


def _jwt_payload(token: str) -> JsonObject:
    payload = token.split(".")[1]
    decoded: JsonObject = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    built = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        institutions.add_user(uow=uow, email=ADMIN, role=Role.BANK_ADMIN)
    return built


@pytest.fixture(scope="module")
def issued(live_bank: LiveBank, record: Record) -> Iterator[Issued]:
    """Each outcome exported by its issuer's registrar (JSON-LD and JWT), and the learner's
    CLR by a bank administrator, through the API."""
    issuers = {"JSVC": "reg@jsvc.example", "TEO-BIM": "reg@teo-bim.example"}
    clients = {code: _token_client(live_bank, email) for code, email in issuers.items()}
    admin = _token_client(live_bank, ADMIN)
    try:
        badges = []
        for record_id, outcome_id in record.outcomes.items():
            client = clients["TEO-BIM" if record_id.startswith("B-") else "JSVC"]
            url = f"/api/v1/outcomes/{outcome_id}/credential"
            ob3 = client.get(url, params={"format": "ob3"})
            assert ob3.status_code == 200, ob3.text
            jwt = client.get(url, params={"format": "jwt"})
            assert jwt.status_code == 200, jwt.text
            badges += [ob3.json(), _jwt_payload(jwt.text)]
        clr = admin.get(f"/api/v1/learners/{record.account}/clr")
        assert clr.status_code == 200, clr.text
        origin = live_bank.settings.public_url
        yield Issued(origin, badges, clr.json())
    finally:
        for client in (*clients.values(), admin):
            client.close()


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def bank_urls(issued: Issued) -> set[str]:
    """Every http(s) URL of the bank's origin in the credentials."""
    return {
        text
        for document in issued.documents
        for text in _strings(document)
        if re.match(r"https?://", text) and (text + "/").startswith(issued.origin + "/")
    }


def local(url: str) -> str:
    """The path and query of one of the bank's URLs (what a client asks the bank for)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


PUBLIC_PAGE = re.compile(r"^/($|catalog/|institutions/[^/]+$|frameworks/)")


def test_every_url_in_the_credentials_answers_as_html_and_as_json_ld(
    client: httpx2.Client, issued: Issued
) -> None:
    urls = bank_urls(issued)
    paths = {local(url) for url in urls}
    kinds = {
        "achievement": r"^/catalog/JSVC/CAD-201$",
        "issuer": r"^/institutions/TEO-BIM$",
        "the bank": r"^/$",
        "a framework version's level": r"^/frameworks/LOFOUC\?version=\d+$",
        "an EQF correspondence": r"^/frameworks/EQF$",
        "a status list": r"^/api/v1/credentials/status/\d+/revocation$",
        "a ledger receipt": r"^/api/v1/records/[0-9a-f]+/receipt\?leaf_index=",
    }
    for kind, pattern in kinds.items():  # the collection finds what credentials hold
        assert any(re.search(pattern, path) for path in paths), (kind, sorted(paths))
    for path in sorted(paths):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        linked = client.get(path, headers={"Accept": JSON_LD})
        assert linked.status_code == 200, (path, linked.status_code, linked.text[:300])
        if PUBLIC_PAGE.match(path):
            assert page.headers["content-type"].startswith("text/html"), path
            assert linked.headers["content-type"].startswith(JSON_LD), path
            assert "Accept" in page.headers["vary"] and "Accept" in linked.headers["vary"]
            assert linked.json()["@context"][0] == "https://www.w3.org/ns/credentials/v2"


def linked_data(client: httpx2.Client, url: str) -> JsonObject:
    answer = client.get(local(url), headers={"Accept": JSON_LD})
    assert answer.status_code == 200, (url, answer.text)
    document: JsonObject = answer.json()
    return document


def test_an_achievement_answers_what_the_credentials_embed(
    client: httpx2.Client, issued: Issued
) -> None:
    achievements = [badge["credentialSubject"]["achievement"] for badge in issued.badges]
    achievements += issued.record["credentialSubject"]["achievement"]
    assert len(achievements) == 2 * 6 + 6
    for embedded in achievements:
        found = linked_data(client, embedded["id"])
        assert found["id"] == embedded["id"]
        same = ("type", "achievementType", "name", "humanCode", "creditsAvailable", "inLanguage")
        assert {k: found.get(k) for k in same} == {k: embedded.get(k) for k in same}
        # an outcome is at one of the item's levels; the item's page names them all
        for alignment in embedded["alignment"]:
            assert alignment in found["alignment"], (embedded["id"], alignment)
        for result in embedded["resultDescription"]:
            assert result in found["resultDescription"]
        assert embedded["description"].startswith(found["description"].split(", ")[0])


def test_an_issuer_answers_its_profile_as_the_credentials_embed_it(
    client: httpx2.Client, issued: Issued
) -> None:
    issuers = {json.dumps(d["issuer"], sort_keys=True): d["issuer"] for d in issued.documents}
    assert {issuer["name"] for issuer in issuers.values()} == {
        "江苏某职业技术学院",
        "某培训评价组织",
        "学分银行 Credit Bank",
    }
    for issuer in issuers.values():
        found = linked_data(client, issuer["url"])
        assert found.pop("@context")
        assert found == issuer


def test_framework_levels_answer_as_the_alignments_name_them(
    client: httpx2.Client, issued: Issued
) -> None:
    alignments = [
        alignment
        for badge in issued.badges
        for alignment in badge["credentialSubject"]["achievement"]["alignment"]
    ]
    assert {a["targetFramework"] for a in alignments} >= {"European Qualifications Framework (EQF)"}
    for alignment in alignments:
        page = linked_data(client, alignment["targetUrl"])
        nodes = {node["id"]: node for node in page["@graph"]}
        node = nodes[alignment["targetUrl"]]
        for term in ("type", "targetName", "targetUrl", "targetFramework", "targetCode"):
            assert node[term] == alignment[term], (alignment["targetUrl"], term)
        html = client.get(local(alignment["targetUrl"]), headers={"Accept": "text/html"}).text
        assert f'id="level-{alignment["targetCode"]}"' in html  # the fragment names a row


def test_the_pages_show_names_in_the_readers_language(
    client: httpx2.Client, record: Record
) -> None:
    del record  # the world, built (whichever test of the module runs first)
    english = client.get("/catalog/JSVC/CAD-201", headers={"Accept": "text/html"}).text
    assert "Computer-aided design" in english and "Course" in english
    assert 'href="/institutions/JSVC"' in english and "Jiangsu Vocational College" in english
    assert 'href="/frameworks/LOFOUC?version=' in english
    chinese = client.get(
        "/catalog/JSVC/CAD-201", headers={"Accept": "text/html", "Accept-Language": "zh"}
    ).text
    assert "计算机辅助设计" in chinese and "江苏某职业技术学院" in chinese
    assert "Computer-aided design" not in chinese
    institution = client.get("/institutions/JSVC", headers={"Accept": "text/html"}).text
    assert "Jiangsu Vocational College" in institution
    assert "Higher vocational college" in institution
    assert 'href="/institutions/JSVC/did.json"' in institution
    chinese = client.get(
        "/institutions/JSVC", headers={"Accept": "text/html", "Accept-Language": "zh"}
    ).text
    assert "江苏某职业技术学院" in chinese and "高等职业院校" in chinese


@pytest.mark.parametrize(
    ("accept", "linked"),
    [
        ("text/html", False),
        ("*/*", False),
        ("", False),
        ("text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("application/ld+json", True),
        ("application/json", True),
        ("application/ld+json, text/html;q=0.5", True),
        ("text/html, application/ld+json;q=0.9", False),
    ],
)
def test_the_answer_follows_accept(
    client: httpx2.Client, record: Record, accept: str, linked: bool
) -> None:
    del record  # the world, built
    answer = client.get("/institutions/JSVC", headers={"Accept": accept})
    assert answer.status_code == 200
    expected = JSON_LD if linked else "text/html"
    assert answer.headers["content-type"].startswith(expected), accept


def test_unknown_items_and_institutions_are_404(client: httpx2.Client, record: Record) -> None:
    del record  # the world, built
    for path in ("/catalog/JSVC/NO-SUCH", "/catalog/NO-SUCH/CAD-201", "/institutions/NO-SUCH"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        problem = client.get(path, headers={"Accept": JSON_LD})
        assert problem.status_code == 404, path
        assert problem.headers["content-type"] == "application/problem+json"


def test_the_favicon(client: httpx2.Client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content == client.get("/static/favicon.svg").content
    assert icon.content.startswith(b"<svg")
    home = client.get("/", headers={"Accept": "text/html"}).text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home
