"""The learner's accreditation pages over HTTP, on both databases: a learner applies with an
uploaded file and follows the status; bad input lists every problem and stores nothing (not
even the files); appeal and more evidence on the learner's page; another learner gets nothing;
the pages in each language. The staff's pages: ``test_accreditation_staff_pages``."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from creditbank.accreditation.model import Decision, State
from creditbank.evidence.tables import EvidenceUploadRow
from tests import accreditation_world as world
from tests.api.accreditation_scene import (
    STATEMENT,
    UNIT_CHOICE,
    Scene,
    application,
    application_form,
    applied,
    apply_on_the_page,
    build_scene,
    counts,
    decided,
    learner,
    new_learner,
    pdf,
    post,
    section,
    staff,
    text,
)
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, page_client


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> Scene:
    """The accreditation world, every staff user with a web password."""
    return build_scene(live_bank)


def test_a_learner_applies_with_an_uploaded_file_and_sees_the_status(
    bank: str, scene: Scene
) -> None:
    number = new_learner(scene)
    content = pdf("employer letter")
    with learner(bank, number) as client:
        form = client.get("/account/accreditations/new")
        assert form.status_code == 200
        page = form.text
        assert 'enctype="multipart/form-data"' in page
        unit = text(page)
        assert f'value="{UNIT_CHOICE}"' in page
        assert f'value="{world.STANDARD}/1/{world.UNIT_2}"' in page
        assert "Station passenger service" in unit and "LOFOUC 4" in unit and "4 credits" in unit
        assert "Handles complaints" in unit and "一年以上站务工作经历" in unit
        assert "单位出具的工作证明 (required)" in unit
        assert "Portfolio 40% / Interview 60%, pass mark 60" in unit  # in the page's language
        centres = section(page, "select", "centre")
        assert f'<option value="{world.CENTRE}"' in centres
        assert f'value="{world.COLLEGE}"' not in centres  # a college is not a centre
        assert "Informal learning" in text(section(page, "fieldset", "setting-choice"))

        public_id = apply_on_the_page(client, content)
        status = client.get(f"/account/accreditations/{public_id}?done=applied").text
        shown = text(status)
        assert 'id="application-state"' in status and 'data-state="submitted"' in status
        assert "The application is filed" in shown
        assert "The centre assigns an assessor certified for the unit." in shown
        due = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
        assert due in text(section(status, "p", "deadline"))
        evidence = section(status, "table", "evidence")
        assert "单位出具的工作证明" in text(evidence)
        assert STATEMENT in text(section(status, "dd", "application-statement"))
        assert "Informal learning" in shown and "the learner" in text(
            section(status, "table", "history")
        )
        link = re.search(
            r'href="(/account/accreditations/[0-9a-f]{32}/evidence/[0-9a-f]{64})"', evidence
        )
        assert link is not None
        download = client.get(link.group(1))
        assert download.status_code == 200 and download.content == content
        assert download.headers["content-type"] == "application/pdf"

        listing = client.get("/account/accreditations").text
        row = section(listing, "table", "applications")
        assert f'data-application="{public_id}" data-state="submitted"' in row
        assert world.UNIT in text(row) and world.CENTRE in text(row) and due in text(row)

    stored = application(scene, public_id)
    assert (stored.account_number, stored.centre, stored.setting) == (
        number,
        world.CENTRE,
        "informal",
    )
    assert (stored.applied_by, stored.applied_by_institution) == ("learner", None)
    assert [e.name for e in stored.evidence] == ["单位出具的工作证明"]
    with scene.live.database.unit_of_work() as uow:
        upload = uow.session.scalars(
            select(EvidenceUploadRow).where(EvidenceUploadRow.sha256 == stored.evidence[0].sha256)
        ).one()
    assert upload.uploaded_by == "learner"


def test_bad_input_shows_every_problem_keeps_what_was_typed_and_stores_nothing(
    bank: str, scene: Scene
) -> None:
    number = new_learner(scene)
    before = counts(scene)
    with learner(bank, number) as client:
        refused = post(
            client,
            "/account/accreditations/new",
            application_form(
                unit="",
                centre=world.COLLEGE,
                setting="hobby",
                statement=" ",
                evidence_name_1="",
                evidence_name_2="年度考核记录",
            ),
            "/account/accreditations/new",
            files={"evidence_file_1": ("notes.txt", b"just some text", "text/plain")},
        )
        assert refused.status_code == 422, text(refused.text)
        shown = text(section(refused.text, "div", "form-errors"))
        for problem in (
            "Choose the unit to have your learning accredited against",
            "Choose an accreditation centre",
            "Choose how you learned: formal, non-formal or informal",
            "Say in a statement what was learned, where and how",
            "Say what the file is, e.g. an employer's letter",
            "The content is not one of the accepted types",
            "Choose the file this row describes",
        ):
            assert problem in shown, problem
        assert 'id="evidence_1-errors"' in refused.text and 'id="evidence_2-errors"' in refused.text
        assert 'id="statement-errors"' in refused.text
        assert 'aria-invalid="true" aria-describedby="centre-errors"' in refused.text
        # what was typed comes back
        assert 'name="evidence_name_2" maxlength="200" value="年度考核记录"' in refused.text
        assert re.search(rf'<option value="{world.COLLEGE}"', refused.text)  # still offered
        # no file at all
        refused = post(
            client,
            "/account/accreditations/new",
            application_form(evidence_name_1="", statement="我的陈述"),
            "/account/accreditations/new",
        )
        assert refused.status_code == 422
        assert "An application needs at least one evidence file" in text(refused.text)
        assert ">我的陈述</textarea>" in refused.text
        assert f'value="{UNIT_CHOICE}" checked' in refused.text
        # a file over the size limit
        limit = scene.live.settings.evidence_max_bytes
        refused = post(
            client,
            "/account/accreditations/new",
            application_form(),
            "/account/accreditations/new",
            files={"evidence_file_1": ("big.pdf", world.PDF + b"0" * limit, "application/pdf")},
        )
        assert refused.status_code == 422
        assert f"An evidence file may have at most {limit} bytes" in text(refused.text)
        assert counts(scene) == before

        # refusals only the service finds: a second open application for the same unit; the
        # file sent with it is not kept either
        apply_on_the_page(client)
        after_first = counts(scene)
        again = post(
            client,
            "/account/accreditations/new",
            application_form(),
            "/account/accreditations/new",
            files={"evidence_file_1": ("again.pdf", pdf("again"), "application/pdf")},
        )
        assert again.status_code == 409, text(again.text)
        assert "is still open" in text(section(again.text, "div", "form-errors"))
        assert counts(scene) == after_first


def test_the_learner_appeals_once(bank: str, scene: Scene) -> None:
    number = new_learner(scene)
    public_id = applied(scene, number)
    decided(scene, public_id, Decision.NOT_ACCREDITED, {"portfolio": 70, "interview": 40})
    path = f"/account/accreditations/{public_id}"
    with learner(bank, number) as client:
        status = client.get(path).text
        assert "The weighted mark 52 is below the pass mark 60" in text(status)
        assert "You may appeal once, below" in text(section(status, "p", "next-step"))
        assert 'id="appeal-form"' in status and 'id="evidence-form"' not in status
        empty = post(client, f"{path}/appeal", {"reason": " "}, path)
        assert empty.status_code == 422
        assert "Say why the decision should be reconsidered" in text(
            section(empty.text, "ul", "reason-errors")
        )
        assert application(scene, public_id).state is State.NOT_ACCREDITED
        appealed = post(client, f"{path}/appeal", {"reason": "面谈时未考虑夜班处置经历"}, path)
        assert (
            appealed.status_code == 303 and appealed.headers["location"] == f"{path}?done=appealed"
        )
        after = client.get(appealed.headers["location"]).text
        assert 'data-state="appealed"' in section(after, "span", "application-state")
        assert "appeal" in text(section(after, "dd", "application-round"))
        assert 'id="appeal-form"' not in after
        assert "面谈时未考虑夜班处置经历" in text(section(after, "table", "history"))
    stored = application(scene, public_id)
    assert (stored.state, stored.round, stored.assessor) == (State.APPEALED, 2, None)
    # the appeal goes to a different assessor: the officer sees the refusal on the page
    with staff(bank, world.OFFICER_1) as officer:
        page = f"/staff/accreditations/{public_id}"
        refused = post(officer, f"{page}/assign", {"assessor": world.ASSESSOR_A}, page)
        assert refused.status_code == 422
        assert "An appeal goes to an assessor who has not decided on it before" in text(
            section(refused.text, "div", "application-errors")
        )
        assert (
            post(officer, f"{page}/assign", {"assessor": world.ASSESSOR_B}, page).status_code == 303
        )


def test_the_learner_adds_the_evidence_the_assessor_asks_for(bank: str, scene: Scene) -> None:
    number = new_learner(scene)
    public_id = applied(scene, number)
    decided(scene, public_id, Decision.MORE_EVIDENCE, {"portfolio": 50, "interview": 50})
    path = f"/account/accreditations/{public_id}"
    with learner(bank, number) as client:
        status = client.get(path).text
        assert 'data-state="more_evidence"' in section(status, "span", "application-state")
        assert "请补充近一年的考核记录" in text(section(status, "q", "evidence-asked"))
        assert 'id="appeal-form"' not in status
        before = counts(scene)
        nothing = post(client, f"{path}/evidence", {"note": "已补充"}, path)
        assert nothing.status_code == 422
        assert "An application needs at least one evidence file" in text(nothing.text)
        assert ">已补充</textarea>" in nothing.text
        assert counts(scene) == before
        added = post(
            client,
            f"{path}/evidence",
            {"evidence_name_1": "年度考核记录", "note": "已补充"},
            path,
            files={"evidence_file_1": ("record.pdf", pdf("record"), "application/pdf")},
        )
        assert added.status_code == 303 and added.headers["location"] == f"{path}?done=evidence"
        after = client.get(added.headers["location"]).text
        assert 'data-state="assigned"' in section(after, "span", "application-state")
        evidence = text(section(after, "table", "evidence"))
        assert "单位出具的工作证明" in evidence and "年度考核记录" in evidence
        assert 'id="evidence-form"' not in after
    stored = application(scene, public_id)
    assert (stored.state, stored.assessor) == (State.ASSIGNED, world.ASSESSOR_A)


def test_another_learner_gets_nothing_of_an_application(bank: str, scene: Scene) -> None:
    owner, other = new_learner(scene), new_learner(scene)
    public_id = applied(scene, owner)
    sha = application(scene, public_id).evidence[0].sha256
    path = f"/account/accreditations/{public_id}"
    with learner(bank, other) as client:
        seen = client.get(path)
        missing = client.get(f"/account/accreditations/{'0' * 32}")
        assert seen.status_code == missing.status_code == 404
        assert STATEMENT not in seen.text and world.UNIT not in seen.text
        assert f"there is no application {public_id}" in text(seen.text)
        assert client.get(f"{path}/evidence/{sha}").status_code == 404
        token = csrf_of(client.get("/account/accreditations").text)
        appeal = client.post(f"{path}/appeal", data={"csrf_token": token, "reason": "x"})
        assert appeal.status_code == 404
        assert client.get(f"/staff/accreditations/{public_id}").status_code == 403
        assert client.get("/staff/accreditation/queue").status_code == 403
        assert f'data-application="{public_id}"' not in client.get("/account/accreditations").text
    with staff(bank, world.OFFICER_1) as officer:
        assert officer.get("/account/accreditations").status_code == 403
    with page_client(bank) as anonymous:
        redirected = anonymous.get(path)
        assert redirected.status_code == 303
        assert redirected.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pages_render_in_each_language(bank: str, scene: Scene, language: str) -> None:
    lang = 'lang="zh-CN"' if language == "zh" else 'lang="en"'
    number = new_learner(scene)
    public_id = applied(scene, number)
    with learner(bank, number, language) as client:
        for path in (
            "/account/accreditations",
            "/account/accreditations/new",
            f"/account/accreditations/{public_id}",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-language"] == language and lang in response.text
    with staff(bank, world.OFFICER_1, language) as officer:
        for path in ("/staff/accreditation/queue", f"/staff/accreditations/{public_id}"):
            response = officer.get(path)
            assert response.status_code == 200, path
            assert lang in response.text and public_id in response.text
