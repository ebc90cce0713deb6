"""The staff's accreditation pages over HTTP, on both databases: the centre's officer assigns
from the queue, the assessor scores (the weighted mark shows) and decides, a second officer
confirms, and the learner sees the accredited outcome; an assessor not assigned gets 403; the
queue puts stalled applications first."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from creditbank.accreditation.model import State
from creditbank.accreditation.tables import ApplicationRow
from tests import accreditation_world as world
from tests.api.accreditation_scene import (
    STATEMENT,
    Scene,
    application,
    applied,
    apply_on_the_page,
    build_scene,
    learner,
    new_learner,
    post,
    section,
    staff,
    text,
)
from tests.conftest import LiveBank
from tests.support.pages import csrf_of


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> Scene:
    """The accreditation world, every staff user with a web password."""
    return build_scene(live_bank)


# --- from the queue to an accredited outcome ----------------------------------------------------


QUEUE = "/staff/accreditation/queue"


def officer_assigns_from_the_queue(bank: str, scene: Scene, public_id: str, number: str) -> None:
    """The first officer reads the queue, is refused an uncertified assessor, assigns one."""
    queue_path = QUEUE
    with staff(bank, world.OFFICER_1) as officer:
        queue = officer.get(queue_path).text
        row = section(queue, "tr", f"entry-{public_id}")
        assert 'data-state="submitted"' in row and 'data-stalled="0"' in row
        assert number in text(row) and world.UNIT in text(row) and "not assigned" in text(row)
        assert f'action="/staff/accreditations/{public_id}/assign"' in row
        # an uncertified assessor: the service's refusal on the queue, with its status
        refused = post(
            officer,
            f"/staff/accreditations/{public_id}/assign",
            {"assessor": world.ASSESSOR_D, "from": "queue", "centre": ""},
            queue_path,
        )
        assert refused.status_code == 422
        errors = text(section(refused.text, "div", "queue-errors"))
        assert f"{world.ASSESSOR_D[1:]} holds no assessor certification for unit {world.UNIT}" in (
            errors
        )
        assert f'value="{world.ASSESSOR_D}" aria-invalid="true"' in refused.text
        assert application(scene, public_id).state is State.SUBMITTED
        done = post(
            officer,
            f"/staff/accreditations/{public_id}/assign",
            {"assessor": world.ASSESSOR_A, "from": "queue", "centre": ""},
            queue_path,
        )
        assert done.status_code == 303
        assert done.headers["location"] == f"{queue_path}?centre=&done=assigned"
        after = officer.get(done.headers["location"]).text
        assert "The assessor is assigned" in after
        assert world.ASSESSOR_A in text(section(after, "tr", f"entry-{public_id}"))
        # the officer does not score
        assert 'id="scores-form"' not in officer.get(f"/staff/accreditations/{public_id}").text


def assessor_scores_and_decides(bank: str, scene: Scene, public_id: str) -> None:
    """The assessor finds the application, scores it (a bad mark first) and decides."""
    queue_path, page = QUEUE, f"/staff/accreditations/{public_id}"
    with staff(bank, world.ASSESSOR_A) as assessor:
        mine = assessor.get(queue_path).text
        assert public_id in section(mine, "table", "assigned-to-me")
        form = section(assessor.get(page).text, "form", "scores-form")
        assert "Portfolio" in text(form) and "(weight 40%; minimum none; 0 to 100)" in text(form)
        assert "Interview" in text(form) and "(weight 60%" in text(form)
        # a bad mark stays next to its field; nothing is recorded
        bad = post(
            assessor, f"{page}/scores", {"mark_portfolio": "80", "mark_interview": "101"}, page
        )
        assert bad.status_code == 422
        assert "Enter a mark from 0 to 100" in text(
            section(bad.text, "ul", "mark_interview-errors")
        )
        assert 'name="mark_portfolio" inputmode="decimal" required value="80"' in bad.text
        assert application(scene, public_id).marks is None
        scored = post(
            assessor,
            f"{page}/scores",
            {"mark_portfolio": "80", "mark_interview": "70", "comment": "面谈记录已存档"},
            page,
        )
        assert scored.status_code == 303 and scored.headers["location"] == f"{page}?done=scored"
        marked = assessor.get(scored.headers["location"]).text
        assert 'id="weighted">74<' in marked  # 0.4 * 80 + 0.6 * 70
        assert "passes" in text(section(marked, "p", "weighted-result"))
        assert "面谈记录已存档" in marked
        # deciding "more evidence" needs a reason: the service's refusal, nothing recorded
        no_reason = post(assessor, f"{page}/decide", {"decision": "more_evidence"}, page)
        assert no_reason.status_code == 422
        assert "Say what evidence is missing" in text(
            section(no_reason.text, "div", "application-errors")
        )
        decided_ = post(
            assessor,
            f"{page}/decide",
            {"decision": "accredited", "reasons": "工作证明与面谈一致"},
            page,
        )
        assert decided_.status_code == 303
        # the assessor may not confirm their own decision (the policy refuses the role)
        assert post(assessor, f"{page}/confirm", {}, page).status_code == 403


def second_officer_confirms(bank: str, public_id: str) -> None:
    """The second officer sees the pending decision in the queue and confirms it."""
    queue_path, page = QUEUE, f"/staff/accreditations/{public_id}"
    with staff(bank, world.OFFICER_2) as second:
        queue = second.get(queue_path).text
        row = section(queue, "tr", f"entry-{public_id}")
        assert 'data-state="decided"' in row
        assert "accredited" in text(row) and "weighted mark 74" in text(row)
        no_reason = post(
            second,
            f"/staff/accreditations/{public_id}/return",
            {"return_reason": " ", "from": "queue", "centre": world.CENTRE},
            queue_path,
        )
        assert no_reason.status_code == 422
        assert "Say why the decision goes back to the assessor" in text(no_reason.text)
        confirmed = post(
            second,
            f"/staff/accreditations/{public_id}/confirm",
            {"from": "queue", "centre": world.CENTRE},
            queue_path,
        )
        assert confirmed.status_code == 303
        after = second.get(confirmed.headers["location"]).text
        assert "The decision is confirmed" in after and f'id="entry-{public_id}"' not in after
        staff_view = second.get(page).text
        assert 'data-state="accredited"' in section(staff_view, "span", "application-state")
        assert f"confirmed by {world.OFFICER_2}" in text(section(staff_view, "table", "decisions"))


def test_assign_score_decide_confirm_and_the_learner_sees_the_outcome(
    bank: str, scene: Scene
) -> None:
    number = new_learner(scene)
    with learner(bank, number) as client:
        public_id = apply_on_the_page(client)
    officer_assigns_from_the_queue(bank, scene, public_id, number)
    assessor_scores_and_decides(bank, scene, public_id)
    second_officer_confirms(bank, public_id)
    stored = application(scene, public_id)
    assert stored.state is State.ACCREDITED and stored.outcome is not None
    with learner(bank, number) as client:
        status = client.get(f"/account/accreditations/{public_id}").text
        assert 'data-state="accredited"' in section(status, "span", "application-state")
        assert stored.outcome in text(section(status, "p", "outcome"))
        decisions = text(section(status, "table", "decisions"))
        assert "LOFOUC 4 · 4 credits" in decisions and "工作证明与面谈一致" in decisions
        assert 'id="weighted">74<' in status
        steps = re.findall(r'<tr data-step="([a-z_]+)"', section(status, "table", "history"))
        assert steps == ["submit", "assign", "score", "decide", "confirm"]
        listing = text(section(client.get("/account/accreditations").text, "table", "applications"))
        assert "accredited at LOFOUC 4 with 4 credits" in listing
        outcomes = client.get("/me").text
        assert world.UNIT in outcomes or "Station passenger service" in outcomes


# --- appeal and more evidence -------------------------------------------------------------------


def test_an_assessor_not_assigned_gets_403(bank: str, scene: Scene) -> None:
    number = new_learner(scene)
    public_id = applied(scene, number)
    page = f"/staff/accreditations/{public_id}"
    with staff(bank, world.OFFICER_1) as officer:
        post(officer, f"{page}/assign", {"assessor": world.ASSESSOR_A}, page)
        staff_view = officer.get(page).text
        assert 'id="assign-form"' in staff_view  # still assignable (another assessor)
        sha = application(scene, public_id).evidence[0].sha256
        assert officer.get(f"{page}/evidence/{sha}").content.startswith(b"%PDF-")
    with staff(bank, world.ASSESSOR_B) as other:
        refused = other.get(page)
        assert refused.status_code == 403 and STATEMENT not in refused.text
        assert other.get(f"{page}/evidence/{sha}").status_code == 403
        token = csrf_of(other.get("/staff/accreditation/queue").text)
        scored = other.post(
            f"{page}/scores",
            data={"csrf_token": token, "mark_portfolio": "90", "mark_interview": "90"},
        )
        assert scored.status_code == 403
        assert f"only the assessor assigned to application {public_id} may do this" in text(
            scored.text
        )
        assert STATEMENT not in scored.text
    with staff(bank, world.REGISTRAR) as registrar:  # neither the centre nor the applicant
        assert registrar.get(page).status_code == 403
    with staff(bank, world.AUDITOR) as auditor:  # reads, takes no step
        seen = auditor.get(page).text
        assert STATEMENT in seen
        assert not re.search(r'id="(assign|scores|decide|confirm)-form"', seen)
    with staff(bank, world.ASSESSOR_A) as assigned:
        assert 'id="scores-form"' in assigned.get(page).text
    assert application(scene, public_id).marks is None


def test_the_queue_puts_stalled_applications_first_and_flags_them(bank: str, scene: Scene) -> None:
    fresh = applied(scene, new_learner(scene))
    stale = applied(scene, new_learner(scene))
    with scene.live.database.unit_of_work() as uow:  # submitted ten days ago: due three days ago
        ten_days_ago = datetime.now(UTC) - timedelta(days=10)
        uow.session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.public_id == stale)
            .values(state_since=ten_days_ago, due_on=ten_days_ago.date() + timedelta(days=7))
        )
    with staff(bank, world.ADMIN) as admin:
        choose = admin.get("/staff/accreditation/queue").text
        assert 'id="choose-centre"' in choose and 'id="queue"' not in choose
        queue = admin.get(f"/staff/accreditation/queue?centre={world.CENTRE}").text
    rows = re.findall(r'<tr id="entry-([0-9a-f]{32})"', section(queue, "table", "queue"))
    assert rows[0] == stale and fresh in rows
    flagged = section(queue, "tr", f"entry-{stale}")
    assert 'data-stalled="1"' in flagged and "stalled" in text(flagged)
    assert "stalled" not in text(section(queue, "tr", f"entry-{fresh}"))
    assert "stalled: " in text(section(queue, "p", "queue-summary"))
    with staff(bank, world.REGISTRAR) as registrar:
        assert registrar.get(f"/staff/accreditation/queue?centre={world.CENTRE}").status_code == 403
