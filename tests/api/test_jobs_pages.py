"""The jobs' pages over HTTP on both databases (tests/matching_world.py: BUILDCO's employer, two
open jobs, two learners who consented to be matched): the list, posting a job (the bank's
suggestions with scores and matched words, the employer's ticks, a refusal shown with what was
typed), a job's page with its matches (the matching area's MatchJob) and closing it once, in
English and Chinese; what a school's registrar may and may not see."""

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
from tests.support.pages import post_form

REGISTRAR = conversion_world.SHVC_REGISTRAR


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> world.World:
    with live_bank.database.unit_of_work() as uow:
        found = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        sessions.set_learner_password(
            uow=uow, account_number=found.x_holder, password=PASSWORD, now=datetime.now(UTC)
        )
    return found


@pytest.fixture(scope="module")
def signed_in(bank: str, built: world.World) -> SignedIn:
    del built
    return SignedIn(bank, PASSWORD).log_in("staff", world.EMPLOYER, REGISTRAR)


def _text(html: str, element: str, ends: str = "table|ul|p|section|dl|div") -> str:
    found = html.split(f'id="{element}"', 1)[1].split(">", 1)[1]
    end = re.search(rf"</({ends})>", found)
    assert end is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found[: end.start()]).split())


def test_the_employer_s_list(signed_in: SignedIn, built: world.World) -> None:
    with signed_in.staff(world.EMPLOYER) as english, signed_in.staff(world.EMPLOYER, "zh") as zh:
        page = english.get("/staff/jobs")
        beijing = english.get("/staff/jobs", params={"region": "北京"})
        chinese = zh.get("/staff/jobs")
        odd = english.get("/staff/jobs", params={"status": "pending"})
    assert page.status_code == 200
    assert f'data-job="{built.bim_job}"' in page.text and f'data-job="{built.dba_job}"' in page.text
    assert 'id="post-a-job"' in page.text and 'id="menu-jobs"' in page.text
    assert "Jobs of BUILDCO only." in page.text
    assert "Shanghai" in _text(page.text, "jobs") and "Beijing" in _text(page.text, "jobs")
    assert f'data-job="{built.bim_job}"' not in beijing.text
    assert chinese.status_code == 200 and "发布岗位" in chinese.text and "上海" in chinese.text
    assert odd.status_code == 422 and "open or closed" in _text(odd.text, "job-problems")


def test_posting_a_job_with_the_bank_s_suggestions(signed_in: SignedIn, built: world.World) -> None:
    text = {
        "title": "BIM建模员",
        "description": "建立建筑信息模型，绘制工程图",
        "language": "zh",
        "region": "上海",
        "institution": world.ENTERPRISE,
    }
    with signed_in.staff(world.EMPLOYER) as client:
        form = client.get("/staff/jobs/new")
        suggested = post_form(client, "/staff/jobs/new", {**text, "step": "suggest"})
        refused = post_form(
            client, "/staff/jobs/new", {**text, "step": "post"}, form_page="/staff/jobs/new"
        )
        model, draw = built.skills["model"], built.skills["draw"]
        posted = post_form(
            client,
            "/staff/jobs/new",
            {
                **text,
                "step": "post",
                "occupation": world.BIM,
                "keep": [str(model), str(draw)],
                f"relation-{model}": "essential",
                f"relation-{draw}": "optional",
            },
            form_page="/staff/jobs/new",
        )
        assert posted.status_code == 303, posted.text
        location = posted.headers["location"]
        assert location.endswith("?done=posted")
        page = client.get(location)
    assert form.status_code == 200 and 'id="suggestions"' not in form.text
    assert 'name="region" value="CN-SH"' in form.text  # where the enterprise is, to start with
    assert suggested.status_code == 200
    occupations = _text(suggested.text, "suggested-occupations")
    assert world.BIM in occupations and "BIM" in occupations
    skills = _text(suggested.text, "suggested-skills")
    assert "Build BIM models" in skills and "Draw engineering drawings" in skills
    assert re.search(r"0\.\d{3}", skills)  # each with its score
    assert "建筑" in skills  # and the words that matched
    assert refused.status_code == 422
    assert "A job needs at least one skill" in _text(refused.text, "job-problems")
    assert 'value="BIM建模员"' in refused.text and 'id="suggested-skills"' in refused.text
    assert page.status_code == 200 and "The job is posted." in page.text
    assert f'data-skill="{model}" data-relation="essential"' in page.text
    assert f'data-skill="{draw}" data-relation="optional"' in page.text
    assert world.BIM in _text(page.text, "job-occupation")
    # the learner holding BIM-X has the essential skill: among the matches, with the outcome
    matches = _text(page.text, "matched-learners", "table")
    assert built.x_holder in matches and "张三" in matches and "BIMTEO:BIM-X" in matches


def test_a_job_s_page_its_matches_and_closing_it_once(
    signed_in: SignedIn, built: world.World
) -> None:
    path = f"/staff/jobs/{built.dba_job}"
    with signed_in.staff(world.EMPLOYER, "zh") as client:
        page = client.get(f"/staff/jobs/{built.bim_job}")
        closed = post_form(client, f"{path}/close", {}, form_page=path)
        assert closed.status_code == 303
        after = client.get(closed.headers["location"])
        again = post_form(client, f"{path}/close", {}, form_page=f"/staff/jobs/{built.bim_job}")
        missing = client.get("/staff/jobs/999999")
    assert page.status_code == 200
    matches = _text(page.text, "matched-learners", "table")
    assert built.x_holder in matches and built.drawer in matches
    assert "张三" in matches and "李四" in matches and "SHVC:DRAW-100" in matches
    assert "只显示同意被匹配的学习者" in page.text
    assert after.status_code == 200 and 'id="close-job"' not in after.text
    assert "已关闭" in _text(after.text, "job-status")
    assert again.status_code == 409 and f"岗位 {built.dba_job} 已关闭" in again.text
    assert missing.status_code == 404


def test_a_school_reads_jobs_but_neither_posts_nor_sees_matches(
    signed_in: SignedIn, built: world.World
) -> None:
    with signed_in.staff(REGISTRAR) as client:
        listed = client.get("/staff/jobs")
        new = client.get("/staff/jobs/new")
        page = client.get(f"/staff/jobs/{built.bim_job}")
        refused = post_form(
            client,
            "/staff/jobs/new",
            {"title": "BIM", "step": "suggest"},
            form_page=f"/staff/jobs/{built.bim_job}",
        )
    assert listed.status_code == 200 and f'data-job="{built.bim_job}"' in listed.text
    assert 'id="post-a-job"' not in listed.text and 'id="menu-jobs"' not in listed.text
    assert new.status_code == 403 and refused.status_code == 403
    assert page.status_code == 200
    assert 'id="matches"' not in page.text and 'id="close-job"' not in page.text


def test_the_certificates_asked_for_by_name(
    live_bank: LiveBank, signed_in: SignedIn, built: world.World
) -> None:
    with live_bank.database.unit_of_work() as uow:
        skill = next(iter(built.skills.values()))
        job = world.post_job(
            uow, world.ENTERPRISE, {skill: "essential"}, certificates=("BIMTEO:BIM-X@advanced",)
        )
    with signed_in.staff(world.EMPLOYER, "zh") as client:
        page = client.get(f"/staff/jobs/{job}")
    asked = _text(page.text, "job-certificates", "ul")
    assert "BIMTEO:BIM-X@advanced" in asked
    assert "建筑信息模型（BIM）职业技能等级证书" in asked  # the catalogue's name, not only its code
