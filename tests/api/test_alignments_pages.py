"""The alignments' pages over HTTP, on both databases: a registrar asks for an item's proposed
skills (scores, matched words), ticks two and saves a draft, submits it; a bank administrator
other than the author approves it from the queue (the author may not), a rejection needs a
reason; the version in force is retired with a reason; refusals are shown on the page with the
API's status and store nothing; the pages in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest
from sqlalchemy import func, select, update

from creditbank.alignments import store
from creditbank.alignments.model import AlignmentStatus
from creditbank.alignments.tables import AlignmentRow
from creditbank.institutions.tables import UserRow
from tests import alignments_world as world
from tests import conversion_world
from tests.api.signed_in import SignedIn
from tests.conftest import TEST_HASHER, LiveBank
from tests.support.conversion_pages import PASSWORD, text
from tests.support.pages import post_form

TEO = conversion_world.TEO_REGISTRAR
ADMIN1, ADMIN2 = conversion_world.ADMINS


@pytest.fixture(scope="module")
def signed_in(live_bank: LiveBank, bank: str) -> SignedIn:
    with live_bank.database.unit_of_work() as uow:
        world.build(uow)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
    return SignedIn(bank, PASSWORD).log_in("staff", TEO, ADMIN1, ADMIN2, world.AUDITOR)


@pytest.fixture
def teo(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(TEO) as client:
        yield client


@pytest.fixture
def admin1(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(ADMIN1) as client:
        yield client


@pytest.fixture
def admin2(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(ADMIN2) as client:
        yield client


def _version(live_bank: LiveBank, alignment_id: int) -> store.AlignmentVersion:
    with live_bank.database.unit_of_work() as uow:
        return store.get_alignment(uow=uow, alignment_id=alignment_id)


def _count(live_bank: LiveBank) -> int:
    with live_bank.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(AlignmentRow)) or 0


DESK = f"/staff/alignments?item={world.ITEM}&level=intermediate"


def test_proposed_ticked_drafted_submitted_and_approved(
    teo: httpx2.Client, admin1: httpx2.Client, admin2: httpx2.Client, live_bank: LiveBank
) -> None:
    desk = teo.get(DESK)
    assert desk.status_code == 200
    rows = re.findall(r'<tr data-uri="([^"]+)">', desk.text)
    assert rows[0] == world.BIM
    assert world.TEAMWORK in rows
    shown = text(desk.text)
    assert "Build BIM models" in shown  # the English name on the English page
    assert re.search(r'class="number">0\.\d{3}<', desk.text)
    drafted = post_form(
        teo,
        "/staff/alignments",
        {
            "item": world.ITEM,
            "level": "intermediate",
            "skill": [world.BIM, world.TEAMWORK],
            "note": "from the syllabus",
        },
        form_page=DESK,
    )
    assert drafted.status_code == 303
    alignment_id = int(drafted.headers["location"].split("/")[-1].split("?")[0])
    version = _version(live_bank, alignment_id)
    assert version.status is AlignmentStatus.DRAFT
    assert [s.uri for s in version.skills] == [world.BIM, world.TEAMWORK]
    page = teo.get(drafted.headers["location"]).text
    assert "The draft is saved" in page
    submitted = post_form(teo, f"/staff/alignments/{alignment_id}/submit", {}, form_page=DESK)
    assert submitted.headers["location"] == f"/staff/alignments/{alignment_id}?done=submitted"
    queue = admin2.get("/staff/alignments/queue").text
    assert f'data-alignment="{alignment_id}"' in queue
    assert "from the syllabus" in queue
    # the author of a draft of their own may not approve it: shown on the queue with 403
    own = post_form(
        admin1,
        "/staff/alignments",
        {"item": world.ITEM, "level": "advanced", "skill": [world.SQL]},
        form_page="/staff/alignments",
    )
    own_id = int(own.headers["location"].split("/")[-1].split("?")[0])
    post_form(admin1, f"/staff/alignments/{own_id}/submit", {}, form_page="/staff/alignments")
    refused = post_form(
        admin1, f"/staff/alignments/{own_id}/approve", {"reason": ""}, form_page="/staff/alignments"
    )
    assert refused.status_code == 403
    assert "another administrator" in refused.text
    approved = post_form(
        admin1,
        f"/staff/alignments/{alignment_id}/approve",
        {"reason": "checked"},
        form_page="/staff/alignments/queue",
    )
    assert approved.headers["location"] == "/staff/alignments/queue?done=approved"
    assert _version(live_bank, alignment_id).status is AlignmentStatus.APPROVED
    reasonless = post_form(
        admin2, f"/staff/alignments/{own_id}/reject", {"reason": ""}, form_page="/staff/alignments"
    )
    assert reasonless.status_code == 422
    assert 'id="queue-errors"' in reasonless.text
    in_force = teo.get(DESK).text
    assert 'id="in-force"' in in_force
    # a new draft starts from the version in force: its skills ticked
    ticked = re.findall(r'<tr data-uri="([^"]+)"[^>]*>\s*<td><input [^>]*checked', in_force)
    assert sorted(ticked) == sorted([world.BIM, world.TEAMWORK])
    retired = post_form(
        teo,
        f"/staff/alignments/{alignment_id}/retire",
        {"reason": "the syllabus changed"},
        form_page=f"/staff/alignments/{alignment_id}",
    )
    assert retired.headers["location"] == f"/staff/alignments/{alignment_id}?done=retired"
    assert _version(live_bank, alignment_id).status is AlignmentStatus.RETIRED


def test_refusals_are_shown_and_store_nothing(teo: httpx2.Client, live_bank: LiveBank) -> None:
    before = _count(live_bank)
    choices = teo.get("/staff/alignments").text
    assert 'id="own-items"' in choices  # the registrar's institution's items, each level
    assert "/staff/alignments?item=BIMTEO%3ABIM-X&amp;level=intermediate" in choices
    nothing_ticked = post_form(
        teo, "/staff/alignments", {"item": world.ITEM, "level": ""}, form_page="/staff/alignments"
    )
    assert nothing_ticked.status_code == 422
    assert "at least one skill" in nothing_ticked.text
    unknown = teo.get("/staff/alignments?item=BIMTEO:NOPE")
    assert unknown.status_code == 404
    assert "no catalogue item" in unknown.text
    others = teo.get("/staff/alignments?item=SHVC:BIM-101")
    assert others.status_code == 403
    assert teo.get("/staff/alignments/999999").status_code == 404
    assert _count(live_bank) == before


def test_the_pages_in_chinese(signed_in: SignedIn) -> None:
    with signed_in.staff(TEO, "zh") as teo:
        desk = teo.get(DESK).text
    with signed_in.staff(ADMIN1, "zh") as admin:
        queue = admin.get("/staff/alignments/queue").text
    assert "课程" in desk or "技能" in desk
    assert "Skills of catalogue items" not in desk
    assert "Alignments to approve" not in queue
