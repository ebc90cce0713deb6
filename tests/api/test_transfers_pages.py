"""The "move my record" page and the recognition queue over HTTP, between two banks served in
this process, on both databases, in Chinese and English: the learner downloads a package at A,
hands it over at B, B's officer recognises one outcome and refuses another; refusals show on
the page with the API's status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from creditbank.sessions import service as sessions
from tests.api.signed_in import SignedIn
from tests.support.pages import csrf_of
from tests.transfer_world import PASSWORD, World, two_banks

BACKENDS = ("sqlite", "postgresql")
OFFICER = "officer@gdou.example"


class Pages:
    def __init__(self, world: World) -> None:
        self.world = world
        with world.a.database.unit_of_work() as uow:
            sessions.set_learner_password(
                uow=uow, account_number=world.a.learner, password=PASSWORD, now=datetime.now(UTC)
            )
        with world.b.database.unit_of_work() as uow:
            sessions.set_learner_password(
                uow=uow, account_number=world.b.learner, password=PASSWORD, now=datetime.now(UTC)
            )
        self.a = SignedIn(world.a.url, PASSWORD).log_in("learner", world.a.learner)
        self.b = (
            SignedIn(world.b.url, PASSWORD)
            .log_in("learner", world.b.learner)
            .log_in("staff", OFFICER, "registrar@gdou.example")
        )


@pytest.fixture(scope="module", params=BACKENDS)
def pages(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pages]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as world:
        yield Pages(world)


@pytest.fixture(autouse=True)
def rolled_back(pages: Pages) -> Iterator[None]:
    with pages.world.pinned():
        yield


def download(pages: Pages, language: str = "en") -> bytes:
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


def hand_over(pages: Pages, package: bytes, language: str = "en") -> tuple[int, str]:
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
def test_the_learner_moves_the_record_and_the_officer_decides(pages: Pages, language: str) -> None:
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


def test_a_package_handed_over_twice_is_refused_on_the_page(pages: Pages) -> None:
    package = download(pages)
    assert hand_over(pages, package)[0] == 303
    status, text = hand_over(pages, package)
    assert status == 409
    assert "handed over here before" in text
    status, text = hand_over(pages, b"not json", "zh")
    assert status == 422
    assert "转移包" in text


def test_the_queue_is_for_staff_who_may_read_it(pages: Pages) -> None:
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
