"""Moving a learner's record over HTTP, between two banks served in this process, on both
databases: A's ``GET /api/v1/accounts/{number}/transfer-package``, B's ``POST /api/v1/transfers``,
``GET /api/v1/transfers/{id}``, the recognition queue and ``POST /api/v1/recognitions/{id}/decide``,
a one-time link, and refusals as problems in both languages; then the pages: the "move my record"
page (the learner downloads a package at A and hands it over at B) and the recognition queue
(B's officer recognises one outcome and refuses another), in Chinese and English, refusals shown
on the page with the API's status. One module, so that the two banks are built once per
database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import pytest

from creditbank.institutions import service as institutions
from creditbank.sessions import service as sessions
from tests.api.signed_in import SignedIn
from tests.support.pages import csrf_of
from tests.transfer_world import PASSWORD, World, two_banks

BACKENDS = ("sqlite", "postgresql")
OFFICER = "officer@gdou.example"


class Clients:
    """API clients of the world's users, by e-mail, and its users logged in to the pages."""

    def __init__(self, world: World, tokens: dict[str, tuple[str, str]]) -> None:
        self.world = world
        self._tokens = tokens
        for bank in (world.a, world.b):
            with bank.database.unit_of_work() as uow:
                sessions.set_learner_password(
                    uow=uow, account_number=bank.learner, password=PASSWORD, now=datetime.now(UTC)
                )
        self.a = SignedIn(world.a.url, PASSWORD).log_in("learner", world.a.learner)
        self.b = (
            SignedIn(world.b.url, PASSWORD)
            .log_in("learner", world.b.learner)
            .log_in("staff", OFFICER, "registrar@gdou.example")
        )

    def of(self, email: str, language: str = "en") -> httpx2.Client:
        url, secret = self._tokens[email]
        return httpx2.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": language},
            timeout=60,
        )


@pytest.fixture(scope="module", params=BACKENDS)
def clients(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Clients]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as world:
        tokens = {}
        for bank, emails in (
            (world.a, ("admin1@shou.example",)),
            (world.b, ("registrar@gdou.example", "officer@gdou.example", "admin1@gdou.example")),
        ):
            with bank.database.unit_of_work() as uow:
                for email in emails:
                    tokens[email] = (
                        bank.url,
                        institutions.create_token(uow=uow, email=email).secret,
                    )
        yield Clients(world, tokens)


@pytest.fixture(autouse=True)
def rolled_back(clients: Clients) -> Iterator[None]:
    with clients.world.pinned():
        yield


def package_of(clients: Clients, **query: str) -> httpx2.Response:
    world = clients.world
    with clients.of("admin1@shou.example") as admin:
        return admin.get(
            f"/api/v1/accounts/{world.a.learner}/transfer-package",
            params={"to": world.b.origin, **query},
        )


def test_a_package_made_at_a_is_imported_and_recognised_at_b(clients: Clients) -> None:
    world = clients.world
    made = package_of(clients)
    assert made.status_code == 200, made.text
    package = made.json()
    with clients.of("registrar@gdou.example") as registrar:
        imported = registrar.post(
            "/api/v1/transfers", json={"account_number": world.b.learner, "package": package}
        )
        assert imported.status_code == 201, imported.text
        transfer = imported.json()
        assert transfer["source"] == world.a.origin
        assert {o["status"] for o in transfer["outcomes"]} == {"pending"}
        shown = registrar.get(f"/api/v1/transfers/{transfer['id']}")
        assert shown.status_code == 200
        assert shown.json() == transfer
    with clients.of("officer@gdou.example") as officer:
        queue = officer.get("/api/v1/recognitions").json()
        assert [o["id"] for o in queue] == [o["id"] for o in transfer["outcomes"]]
        first = queue[0]["id"]
        decided = officer.post(
            f"/api/v1/recognitions/{first}/decide", json={"decision": "recognise"}
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "recognised"
        assert decided.json()["outcome"]
        again = officer.post(f"/api/v1/recognitions/{first}/decide", json={"decision": "refuse"})
        assert again.status_code == 409
        assert again.json()["type"].endswith("/problems/recognition-decided")
        assert len(officer.get("/api/v1/recognitions").json()) == len(queue) - 1


def test_refusals_are_problems_in_both_languages(clients: Clients) -> None:
    world = clients.world
    package = package_of(clients).json()
    body = {"account_number": world.b.learner, "package": package}
    with clients.of("registrar@gdou.example") as registrar:
        assert registrar.post("/api/v1/transfers", json=body).status_code == 201
        replay = registrar.post("/api/v1/transfers", json=body)
    assert replay.status_code == 409
    assert replay.json()["type"].endswith("/problems/transfer-package-replayed")
    assert "handed over here before" in replay.json()["detail"]
    with clients.of("registrar@gdou.example", "zh") as registrar:
        chinese = registrar.post("/api/v1/transfers", json=body)
    assert chinese.status_code == 409
    assert "之前" in chinese.json()["detail"], chinese.json()
    other = {"account_number": world.other_learner, "package": package_of(clients).json()}
    with clients.of("registrar@gdou.example") as registrar:
        mismatch = registrar.post("/api/v1/transfers", json=other)
    assert mismatch.status_code == 422
    assert mismatch.json()["type"].endswith("/problems/transfer-identity-mismatch")
    assert world.other_learner not in mismatch.text


def test_a_one_time_link_is_fetched_once(clients: Clients) -> None:
    world = clients.world
    made = package_of(clients, link="true")
    assert made.status_code == 200, made.text
    link = made.json()["link"]
    with clients.of("registrar@gdou.example") as registrar:
        imported = registrar.post(
            "/api/v1/transfers", json={"account_number": world.b.learner, "url": link}
        )
    assert imported.status_code == 201, imported.text
    gone = httpx2.get(link, timeout=30)
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/problems/transfer-link-not-found")


def test_the_api_asks_for_a_token_and_the_role(clients: Clients) -> None:
    world = clients.world
    anonymous = httpx2.post(
        f"{world.b.url}/api/v1/transfers",
        json={"account_number": world.b.learner, "package": {}},
        timeout=30,
    )
    assert anonymous.status_code == 401
    with clients.of("officer@gdou.example") as officer:
        refused = officer.post(
            "/api/v1/transfers", json={"account_number": world.b.learner, "package": {}}
        )
    assert refused.status_code == 403
    with clients.of("registrar@gdou.example") as registrar:
        decide = registrar.post("/api/v1/recognitions/x/decide", json={"decision": "recognise"})
    assert decide.status_code == 403


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def pages(clients: Clients) -> Clients:
    """The same banks, for the page tests."""
    return clients


def download(pages: Clients, language: str = "en") -> bytes:
    with pages.a.learner(pages.world.a.learner, language) as client:
        page = client.get("/me/transfers")
        assert page.status_code == 200
        assert pages.world.b.origin in page.text
        made = client.post(
            "/me/transfers/package",
            data={"csrf_token": csrf_of(page.text), "to": pages.world.b.origin, "form": "file"},
        )
    assert made.status_code == 200, made.text
    assert made.headers["content-disposition"].startswith("attachment;")
    return made.content


def hand_over(pages: Clients, package: bytes, language: str = "en") -> tuple[int, str]:
    with pages.b.learner(pages.world.b.learner, language) as client:
        page = client.get("/me/transfers")
        answer = client.post(
            "/me/transfers/import",
            data={"csrf_token": csrf_of(page.text)},
            files={"package": ("package.json", package, "application/json")},
        )
        if answer.status_code == 303:
            shown = client.get(answer.headers["location"])
            return 303, shown.text
    return answer.status_code, answer.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_learner_moves_the_record_and_the_officer_decides(
    pages: Clients, language: str
) -> None:
    status, text = hand_over(pages, download(pages, language), language)
    assert status == 303, text
    words = {"zh": "等待认可", "en": "awaiting recognition"}[language]
    assert text.count(words) == len(pages.world.outcomes)
    with pages.b.staff(OFFICER, language) as officer:
        queue = officer.get("/staff/recognitions")
        assert queue.status_code == 200
        ids = [part.split('"', 1)[0] for part in queue.text.split('data-id="')[1:]]
        assert len(ids) == len(pages.world.outcomes)
        recognised = officer.post(
            f"/staff/recognitions/{ids[0]}/decide",
            data={"csrf_token": csrf_of(queue.text), "decision": "recognise"},
        )
        assert recognised.status_code == 303
        no_reason = officer.post(
            f"/staff/recognitions/{ids[1]}/decide",
            data={"csrf_token": csrf_of(queue.text), "decision": "refuse", "reason": ""},
        )
        assert no_reason.status_code == 422
        refused = officer.post(
            f"/staff/recognitions/{ids[1]}/decide",
            data={"csrf_token": csrf_of(queue.text), "decision": "refuse", "reason": "重复"},
        )
        assert refused.status_code == 303
        left = officer.get("/staff/recognitions")
    assert ids[0] not in left.text
    assert ids[1] not in left.text
    assert ids[2] in left.text


def test_a_package_handed_over_twice_is_refused_on_the_page(pages: Clients) -> None:
    package = download(pages)
    assert hand_over(pages, package)[0] == 303
    status, text = hand_over(pages, package)
    assert status == 409
    assert "handed over here before" in text
    status, text = hand_over(pages, b"not json", "zh")
    assert status == 422
    assert "转移包" in text


def test_the_queue_is_for_staff_who_may_read_it(pages: Clients) -> None:
    with pages.b.learner(pages.world.b.learner) as learner:
        assert learner.get("/staff/recognitions").status_code in {303, 403}
    with pages.b.staff("registrar@gdou.example") as registrar:
        queue = registrar.get("/staff/recognitions")
        assert queue.status_code == 200
        refused = registrar.post(
            "/staff/recognitions/x/decide",
            data={"csrf_token": csrf_of(queue.text), "decision": "recognise"},
        )
        assert refused.status_code == 403
