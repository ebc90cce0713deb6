"""Matching's pages over HTTP on both databases (tests/matching_world.py): the learner's
`/me/jobs` (jobs and occupations that fit, a gap with what to learn next and what nothing
teaches, the switch to consent to being matched, saying what employers see), in Chinese and
English; a school's `/staff/programmes/{code}/coverage`; who may see them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import conversion_world
from tests import matching_world as world
from tests.api.signed_in import SignedIn
from tests.conftest import TEST_HASHER, LiveBank
from tests.support.conversion_pages import PASSWORD
from tests.support.pages import page_client, post_form


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> world.World:
    with live_bank.database.unit_of_work() as uow:
        found = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        for number in (found.x_holder, found.drawer, found.revoked):
            sessions.set_learner_password(
                uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
            )
    return found


@pytest.fixture(scope="module")
def signed_in(bank: str, built: world.World) -> SignedIn:
    return (
        SignedIn(bank, PASSWORD)
        .log_in("staff", conversion_world.SHVC_REGISTRAR, world.EMPLOYER)
        .log_in("learner", built.x_holder, built.revoked)
    )


def _text(html: str, element: str) -> str:
    found = html.split(f'id="{element}"', 1)[1].split(">", 1)[1]
    end = re.search(r"</(table|ul|p|section)>", found)
    assert end is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found[: end.start()]).split())


def test_the_learner_s_jobs_page(signed_in: SignedIn, built: world.World) -> None:
    with (
        signed_in.learner(built.x_holder) as english,
        signed_in.learner(built.x_holder, "zh") as chinese,
    ):
        page = english.get("/me/jobs")
        gap = english.get("/me/jobs", params={"occupation": world.BIM})
        zh = chinese.get("/me/jobs", params={"occupation": world.BIM})
        by_job = english.get("/me/jobs", params={"job": str(built.bim_job)})
    assert page.status_code == 200, page.text
    assert "BIM 建模员" in _text(page.text, "job-fits")
    assert "2 of 3" in _text(page.text, "job-fits")
    assert "4-08-08-23" in _text(page.text, "occupation-fits")
    assert 'data-consented="1"' in page.text
    assert "your name, your account number" in page.text
    assert 'id="gap"' not in page.text
    assert gap.status_code == 200
    assert "2 of 4 required skills covered (50%)." in gap.text
    assert "SHVC:DRAW-100" in _text(gap.text, "plan")
    assert "Survey sites" in _text(gap.text, "unteachable")
    assert "would earn through approved conversion rules" in _text(gap.text, "covered")
    assert zh.status_code == 200
    assert "现场测量" in _text(zh.text, "unteachable")
    assert f'href="/me/jobs?job={built.bim_job}#gap"' in page.text
    assert "2 of 3 required skills covered (67%)." in by_job.text
    assert "SHVC:DRAW-100" in _text(by_job.text, "plan")
    assert 'id="unteachable"' not in by_job.text
    assert "Jobs for me" not in zh.text


def test_a_bad_occupation_is_named_on_the_page(signed_in: SignedIn, built: world.World) -> None:
    with signed_in.learner(built.x_holder) as client:
        page = client.get("/me/jobs", params={"occupation": "9-99-99-99"})
    assert page.status_code == 404
    assert "No occupation has code 9-99-99-99." in _text(page.text, "problems")
    assert 'id="job-fits"' in page.text  # the rest of the page is there


def test_the_consent_switch(signed_in: SignedIn, built: world.World) -> None:
    with signed_in.learner(built.revoked) as client:
        page = client.get("/me/jobs")
        assert 'data-consented="0"' in page.text
        assert 'id="no-job-fits"' in page.text
        switched = post_form(client, "/me/jobs/consent", {"consent": "on"}, "/me/jobs")
        assert switched.status_code == 303
        after = client.get(switched.headers["location"])
        assert 'data-consented="1"' in after.text
        assert 'id="notice"' in after.text
        back = post_form(client, "/me/jobs/consent", {"consent": "off"}, "/me/jobs")
        assert 'data-consented="0"' in client.get(back.headers["location"]).text
        forged = client.post("/me/jobs/consent", data={"consent": "on"})
        assert forged.status_code == 403


def test_a_school_s_coverage_page(signed_in: SignedIn, built: world.World, bank: str) -> None:
    url = f"/staff/programmes/{conversion_world.DIPLOMA}/coverage"
    with (
        signed_in.staff(conversion_world.SHVC_REGISTRAR) as english,
        signed_in.staff(conversion_world.SHVC_REGISTRAR, "zh") as chinese,
    ):
        region = english.get(url)
        occupation = english.get(url, params={"occupation": world.BIM})
        zh = chinese.get(url, params={"occupation": world.BIM})
        index = english.get("/staff/coverage")
        unknown = english.get(url, params={"occupation": "9-99-99-99"})
        other = english.get("/staff/programmes/NOPE/coverage")
    assert region.status_code == 200, region.text
    assert "CN-SH" in _text(region.text, "coverage-share")
    assert "BIM 建模员" in _text(region.text, "jobs")
    assert occupation.status_code == 200
    assert "75%" in _text(occupation.text, "coverage-share")
    assert "Survey sites" in _text(occupation.text, "untaught")
    assert "DRAW-100" in _text(occupation.text, "skills")
    assert "现场测量" in _text(zh.text, "untaught")
    assert index.status_code == 200
    assert f'href="{url}"' in index.text
    assert 'id="menu-coverage"' in index.text
    assert unknown.status_code == 404
    assert other.status_code == 404
    with signed_in.staff(world.EMPLOYER) as employer:
        assert employer.get(url).status_code == 403
    with page_client(bank) as anonymous:
        assert anonymous.get(url, follow_redirects=False).status_code in {303, 401}


def test_certificates_on_the_gap_and_the_employer_s_matches(
    live_bank: LiveBank, signed_in: SignedIn, built: world.World
) -> None:
    bim_x = "BIMTEO:BIM-X@intermediate"
    with live_bank.database.unit_of_work() as uow:  # in Beijing: the region coverage above stays
        job = world.post_job(
            uow,
            world.ENTERPRISE,
            {built.skills["model"]: "essential", built.skills["draw"]: "essential"},
            region="CN-BJ",
            certificates=(bim_x,),
        )
    with (
        signed_in.learner(built.x_holder) as english,
        signed_in.learner(built.x_holder, "zh") as zh,
    ):
        gap = english.get("/me/jobs", params={"job": str(job)})
        chinese = zh.get("/me/jobs", params={"job": str(job)})
    assert gap.status_code == 200, gap.text
    assert (
        "1 of 2 required skills and 1 of 1 certificates held (67% of the requirements)."
        in _text(gap.text, "gap-share")
    )
    held = _text(gap.text, "certificates")
    assert bim_x in held and "held" in held and built.x_outcome in held
    assert f'data-code="{job}"' in gap.text and "1 of 1 certificates" in _text(gap.text, "job-fits")
    assert "已持有" in _text(chinese.text, "certificates")
    assert "满足要求的 67%" in _text(chinese.text, "gap-share")
    with signed_in.staff(world.EMPLOYER) as employer:
        page = employer.get(f"/staff/jobs/{job}")
    assert page.status_code == 200, page.text
    row = page.text.split(f'data-account="{built.x_holder}"', 1)[1].split("</tr>", 1)[0]
    assert f"Certificates held: {bim_x}" in row
    row = page.text.split(f'data-account="{built.drawer}"', 1)[1].split("</tr>", 1)[0]
    assert f"Certificates missing: {bim_x}" in row
