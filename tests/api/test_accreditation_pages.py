"""The accreditation pages over HTTP, on both databases: a learner applies with an uploaded
file and follows the status; bad input lists every problem and stores nothing (not even the
files); the centre's officer assigns from the queue, the assessor scores (the weighted mark
shows) and decides, a second officer confirms, and the learner sees the accredited outcome;
appeal and more evidence on the learner's page; who may see what."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape
from itertools import count

import httpx2
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from creditbank import clock
from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation import service
from creditbank.accreditation.model import Decision, State
from creditbank.accreditation.tables import ApplicationRow
from creditbank.evidence.tables import EvidenceFileRow, EvidenceUploadRow
from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import accreditation_world as world
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, log_in, page_client

pytestmark = pytest.mark.xdist_group("accreditation-pages")

PASSWORD = "correct horse battery"
STATEMENT = "在地铁站做了三年站务员，负责客运服务与投诉处理。"
UNIT_CHOICE = f"{world.STANDARD}/1/{world.UNIT}"
_serial = count(500)


@dataclass(frozen=True)
class Scene:
    live: LiveBank
    users: dict[str, int]


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> Scene:
    """The accreditation world, every staff user with a web password."""
    with live_bank.database.unit_of_work() as uow:
        built = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=PasswordHasher().hash(PASSWORD)))
    return Scene(live_bank, built.users)


def new_learner(scene: Scene) -> str:
    """A learner with a web password: their account number."""
    with scene.live.database.unit_of_work() as uow:
        number = accounts.open_account(
            uow=uow,
            cipher=scene.live.cipher,
            id_number=parse_id_number(id_number(next(_serial))),
            name="学员",
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
    return number


@contextmanager
def staff(bank: str, email: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "staff", email, PASSWORD).status_code == 303
        yield client


@contextmanager
def learner(bank: str, number: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "learner", number, PASSWORD).status_code == 303
        yield client


def text(html: str) -> str:
    """The page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', html, re.DOTALL)
    assert found is not None, f"no <{tag} id={element_id}>"
    return found.group(0)


def pdf(label: str) -> bytes:
    """A small PDF, different for each label."""
    return world.PDF + f"% {label} {next(_serial)}\n".encode()


def post(
    client: httpx2.Client,
    path: str,
    data: dict[str, str],
    form_page: str,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx2.Response:
    """Send a form (multipart when it has files) with the CSRF token of the page it is on."""
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **data}, files=files)


def application_form(**changes: str) -> dict[str, str]:
    return {
        "unit": UNIT_CHOICE,
        "centre": world.CENTRE,
        "setting": "informal",
        "taught_by": "",
        "statement": STATEMENT,
        "evidence_name_1": "单位出具的工作证明",
        **changes,
    }


def apply_on_the_page(client: httpx2.Client, content: bytes | None = None) -> str:
    """File an application through the form: its id."""
    response = post(
        client,
        "/account/accreditations/new",
        application_form(),
        "/account/accreditations/new",
        files={"evidence_file_1": ("letter.pdf", content or pdf("letter"), "application/pdf")},
    )
    assert response.status_code == 303, text(response.text)
    found = re.fullmatch(
        r"/account/accreditations/([0-9a-f]{32})\?done=applied", response.headers["location"]
    )
    assert found is not None, response.headers["location"]
    return found.group(1)


def applied(scene: Scene, number: str) -> str:
    """An application of the learner's, filed by the learner (through the service): its id."""
    with scene.live.database.unit_of_work() as uow:
        sha = world.upload(uow, next(_serial), institution=world.CENTRE)
        return service.apply(
            uow=uow,
            account_number=number,
            centre=world.CENTRE,
            standard=world.STANDARD,
            unit=world.UNIT,
            setting="informal",
            statement=STATEMENT,
            evidence_files=[(sha, "单位出具的工作证明")],
            by=service.LEARNER,
        ).public_id


def decided(scene: Scene, public_id: str, decision: Decision, marks: dict[str, int]) -> None:
    """Assign ASSESSOR_A, mark, decide and have OFFICER_2 confirm (through the service)."""
    users = scene.users
    today = clock.today()
    with scene.live.database.unit_of_work() as uow:
        service.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=world.ASSESSOR_A,
            by=world.OFFICER_1,
            by_user_id=users[world.OFFICER_1],
            on=today,
        )
        service.record_marks(
            uow=uow,
            public_id=public_id,
            marks={kind: Decimal(mark) for kind, mark in marks.items()},
            comment="",
            by=world.ASSESSOR_A,
            by_user_id=users[world.ASSESSOR_A],
            on=today,
        )
        service.decide(
            uow=uow,
            public_id=public_id,
            decision=decision,
            reasons="请补充近一年的考核记录" if decision is Decision.MORE_EVIDENCE else "",
            by=world.ASSESSOR_A,
            by_user_id=users[world.ASSESSOR_A],
            on=today,
        )
        service.confirm(
            uow=uow,
            public_id=public_id,
            agree=True,
            reason="",
            by=world.OFFICER_2,
            by_user_id=users[world.OFFICER_2],
        )


def application(scene: Scene, public_id: str) -> service.Application:
    with scene.live.database.unit_of_work() as uow:
        return service.get_application(uow=uow, public_id=public_id)


def counts(scene: Scene) -> tuple[int, int, int]:
    """Applications, evidence files and evidence uploads in the bank."""
    with scene.live.database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ApplicationRow, EvidenceFileRow, EvidenceUploadRow)
        )


# --- the learner applies ------------------------------------------------------------------------


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
        assert "portfolio 40 / interview 60, pass 60" in unit
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
        assert world.UNIT in outcomes or "车站客运服务" in outcomes


# --- appeal and more evidence -------------------------------------------------------------------


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


# --- who may see what ---------------------------------------------------------------------------


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
