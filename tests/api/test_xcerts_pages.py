"""The staff's 1+X pages over HTTP, on both databases: each institution's desk; the provider
declares and withdraws offerings and records a teacher's training and certification; a pilot
school schedules a session and registers candidates; the results template lists the session's
candidates; a results file is previewed (every problem by line, nothing stored) and then
recorded, and the session's page shows each candidate's weighted mark and outcome; who may not
act is refused."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import httpx2
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, update

from creditbank import clock
from creditbank.accounts.tables import OutcomeRow
from creditbank.institutions.tables import UserRow
from creditbank.xcerts import api as xcerts
from creditbank.xcerts.tables import ResultRow
from tests import xcerts_world as world
from tests.api.signed_in import SignedIn
from tests.bulk_files import id_number
from tests.conftest import TEST_HASHER, LiveBank
from tests.support.pages import csrf_of

PASSWORD = "correct horse battery"
STAFF = (
    world.PROVIDER_REGISTRAR,
    world.CENTRE_REGISTRAR,
    world.SCHOOL_REGISTRAR,
    world.ADMIN,
    world.AUDITOR,
)
BIM_PAGE = "/staff/xcerts/LFZK/BIM"


@dataclass(frozen=True)
class Scene:
    live: LiveBank
    session: int
    """HBVC's intermediate session, held ten days ago: three candidates, no results yet."""
    people: tuple[world.Person, ...]
    """Its candidates (the second fee-exempt), then a learner registered nowhere."""
    signed_in: SignedIn


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank, bank: str) -> Scene:
    database, cipher = live_bank.database, live_bank.cipher
    with database.unit_of_work() as uow:
        world.build(uow, cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        session = xcerts.schedule_session(
            uow=uow,
            ref=world.BIM,
            centre=world.CENTRE,
            level="intermediate",
            held_on=world.session_day(),
            by=world.CENTRE_REGISTRAR,
            today=clock.today(),
        )
        people = tuple(world.learner(uow, cipher, serial) for serial in (801, 802, 803, 804))
        for person in people[:3]:
            xcerts.register_candidate(
                uow=uow,
                session_id=session.id,
                account_number=person.account,
                fee_exempt=person is people[1],
                by=world.CENTRE_REGISTRAR,
            )
    signed_in = SignedIn(bank, PASSWORD).log_in("staff", *STAFF)
    return Scene(live_bank, session.id, people, signed_in)


@pytest.fixture
def provider(scene: Scene) -> Iterator[httpx2.Client]:
    with scene.signed_in.staff(world.PROVIDER_REGISTRAR) as client:
        yield client


@pytest.fixture
def centre(scene: Scene) -> Iterator[httpx2.Client]:
    with scene.signed_in.staff(world.CENTRE_REGISTRAR) as client:
        yield client


def text(html: str) -> str:
    """The page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', html, re.DOTALL)
    assert found is not None, f"no <{tag} id={element_id}>"
    return found.group(0)


def post(
    client: httpx2.Client,
    path: str,
    data: Mapping[str, str | list[str]],
    form_page: str,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx2.Response:
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **data}, files=files)


def results_count(scene: Scene) -> int:
    with scene.live.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(ResultRow)) or 0


# --- desks ------------------------------------------------------------------------------------


def test_each_institution_sees_its_part_on_its_desk(scene: Scene) -> None:
    with scene.signed_in.staff(world.PROVIDER_REGISTRAR) as client:
        answer = client.get("/staff/xcerts")
        assert answer.status_code == 200
        provided = section(answer.text, "table", "provided")
        assert 'data-xcert="LFZK:BIM"' in provided and f'href="{BIM_PAGE}"' in provided
        assert 'id="offered"' not in answer.text  # a provider offers nothing
        assert f'data-session="{scene.session}"' in section(answer.text, "table", "sessions")
        assert 'href="/staff/xcerts"' in answer.text  # the menu's link
    with scene.signed_in.staff(world.CENTRE_REGISTRAR, "zh") as client:
        desk = client.get("/staff/xcerts").text
        assert "1+X 工作台" in desk and "你的学校开设的等级" in desk
        offered = section(desk, "table", "offered")
        assert offered.count('data-centre="1"') == 3
        assert f'href="/staff/sessions/{scene.session}"' in section(desk, "table", "sessions")
        assert "中级" in section(desk, "table", "sessions")
    with scene.signed_in.staff(world.SCHOOL_REGISTRAR) as client:
        desk = client.get("/staff/xcerts").text
        offered = section(desk, "table", "offered")
        assert 'data-level="beginner" data-centre="0"' in offered
        assert 'id="no-sessions"' in desk  # SHSV holds no session and provides none
    with scene.signed_in.staff(world.AUDITOR) as client:
        desk = client.get("/staff/xcerts").text
        assert 'data-xcert="LFZK:BIM"' in desk and f'data-session="{scene.session}"' in desk


def test_the_public_page_links_staff_to_the_staff_pages(
    scene: Scene, provider: httpx2.Client
) -> None:
    page = provider.get("/xcerts/LFZK/BIM").text
    assert f'href="{BIM_PAGE}"' in page
    assert f'href="/staff/sessions/{scene.session}"' in page
    with httpx2.Client(base_url=str(provider.base_url)) as visitor:
        public = visitor.get("/xcerts/LFZK/BIM", headers={"Accept-Language": "en"}).text
    assert "/staff/" not in public
    assert provider.get("/staff/xcerts/LFZK/NOPE").status_code == 404


# --- the provider's certificate ------------------------------------------------------------------


def test_the_provider_declares_and_withdraws_an_offering(
    scene: Scene, provider: httpx2.Client
) -> None:
    page = provider.get(BIM_PAGE).text
    form = section(page, "form", "offering-form")
    assert '<option value="SHSV">' in form and '<option value="LFZK">' not in form
    path = f"{BIM_PAGE}/offerings"
    empty = post(provider, path, {"school": "", "level": ""}, BIM_PAGE)
    assert empty.status_code == 422
    assert "Choose the pilot school" in text(section(empty.text, "ul", "school-errors"))
    centre = {"school": "SHSV", "level": "beginner", "assessment_centre": "1"}
    done = post(provider, path, centre, BIM_PAGE)
    assert done.status_code == 303 and done.headers["location"] == f"{BIM_PAGE}?done=offering"
    after = provider.get(done.headers["location"]).text
    assert "The offering is recorded" in after
    row = re.search(r'<tr data-school="SHSV" data-level="beginner"[^>]*>', after)
    assert row is not None and 'data-centre="1"' in row.group(0)
    # SHSV may now schedule beginner sessions
    with scene.signed_in.staff(world.SCHOOL_REGISTRAR) as school:
        assert '<option value="SHSV">' in section(school.get(BIM_PAGE).text, "form", "session-form")
    withdrawn = post(
        provider, path, {"school": "SHSV", "level": "beginner", "active": "0"}, BIM_PAGE
    )
    assert withdrawn.status_code == 303
    assert 'data-school="SHSV"' not in section(provider.get(BIM_PAGE).text, "table", "offerings")


def test_an_offering_the_service_refuses_is_shown_on_the_form(provider: httpx2.Client) -> None:
    refused = post(
        provider, f"{BIM_PAGE}/offerings", {"school": "LFZK", "level": "beginner"}, BIM_PAGE
    )
    assert refused.status_code == 422
    problems = text(section(refused.text, "div", "offering-errors"))
    assert "The provider itself is not a pilot school of its certificate" in problems
    assert '<option value="beginner" selected>' in section(refused.text, "form", "offering-form")


def test_the_provider_records_a_training_then_certifies(provider: httpx2.Client) -> None:
    path = f"{BIM_PAGE}/teachers"
    today = clock.today()
    certify: dict[str, str | list[str]] = {
        "email": world.UNCERTIFIED,
        "id_number": id_number(9100),
        "kinds": ["teacher", "assessor"],
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    untrained = post(provider, path, certify, BIM_PAGE)
    assert untrained.status_code == 422
    assert "Record the teacher's training for this certificate first" in text(
        section(untrained.text, "div", "teacher-errors")
    )
    assert id_number(9100) not in untrained.text  # the identity number is not shown back
    training: dict[str, str | list[str]] = {
        "course": "BIM 师资培训",
        "days": "5",
        "completed_on": (today - timedelta(days=3)).isoformat(),
    }
    done = post(provider, path, {**certify, **training}, BIM_PAGE)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=teacher")
    after = provider.get(done.headers["location"]).text
    assert world.UNCERTIFIED in section(after, "table", "trainings")
    certifications = section(after, "table", "certifications")
    assert f'data-email="{world.UNCERTIFIED}" data-kind="assessor"' in certifications
    assert f'data-email="{world.UNCERTIFIED}" data-kind="teacher"' in certifications


def test_only_the_provider_keeps_the_certificate(scene: Scene, centre: httpx2.Client) -> None:
    page = centre.get(BIM_PAGE).text
    assert 'id="offering-form"' not in page and 'id="teacher-form"' not in page
    refused = post(
        centre, f"{BIM_PAGE}/offerings", {"school": "SHSV", "level": "beginner"}, BIM_PAGE
    )
    assert refused.status_code == 403
    with scene.signed_in.staff(world.SCHOOL_REGISTRAR) as school:
        assert 'id="session-form"' not in school.get(BIM_PAGE).text  # SHSV assesses nothing


# --- a pilot school's sessions -----------------------------------------------------------------


def test_a_centre_schedules_a_session_and_registers_candidates(
    scene: Scene, centre: httpx2.Client
) -> None:
    form = section(centre.get(BIM_PAGE).text, "form", "session-form")
    assert '<option value="HBVC">' in form
    day = (clock.today() + timedelta(days=30)).isoformat()
    path = f"{BIM_PAGE}/sessions"
    scheduled = post(
        centre, path, {"centre": "HBVC", "level": "advanced", "held_on": day}, BIM_PAGE
    )
    assert scheduled.status_code == 303
    found = re.fullmatch(r"/staff/sessions/(\d+)\?done=scheduled", scheduled.headers["location"])
    assert found is not None
    page_path = f"/staff/sessions/{found.group(1)}"
    page = centre.get(scheduled.headers["location"]).text
    assert "The session is scheduled" in page and day in section(page, "dd", "held-on")
    assert 'id="no-candidates"' in page and 'id="results-form"' not in page  # the provider's
    again = post(centre, path, {"centre": "HBVC", "level": "advanced", "held_on": day}, BIM_PAGE)
    assert again.status_code == 409
    assert "holds a session of this level on" in text(section(again.text, "div", "session-errors"))

    register = f"{page_path}/candidates"
    learner = scene.people[3]
    done = post(centre, register, {"account_number": learner.account, "fee_exempt": "1"}, page_path)
    assert done.status_code == 303 and done.headers["location"] == f"{page_path}?done=registered"
    row = section(centre.get(page_path).text, "table", "candidates")
    assert f'data-account="{learner.account}" data-outcome="registered" data-fee-exempt="1"' in row
    twice = post(centre, register, {"account_number": learner.account}, page_path)
    assert twice.status_code == 409
    assert "is registered for session" in text(section(twice.text, "div", "candidate-errors"))
    bad = post(centre, register, {"account_number": "CB12"}, page_path)
    assert bad.status_code == 422
    assert 'value="CB12"' in section(bad.text, "form", "candidate-form")
    assert "is not an account number" in text(section(bad.text, "div", "candidate-errors"))


def test_the_provider_and_the_school_apart_are_refused(scene: Scene) -> None:
    page = f"/staff/sessions/{scene.session}"
    with scene.signed_in.staff(world.SCHOOL_REGISTRAR) as school:
        assert school.get(page).status_code == 403  # neither its centre nor its provider
        assert school.get(f"{page}/template.csv").status_code == 403
    with scene.signed_in.staff(world.PROVIDER_REGISTRAR) as provider:
        assert 'id="candidate-form"' not in provider.get(page).text  # the centre registers
        refused = post(
            provider, f"{page}/candidates", {"account_number": scene.people[3].account}, page
        )
        assert refused.status_code == 403
    with scene.signed_in.staff(world.CENTRE_REGISTRAR) as centre:
        token = csrf_of(centre.get(page).text)
        refused = centre.post(
            f"{page}/results/preview",
            data={"csrf_token": token, "assessor": world.ASSESSOR},
            files={"file": ("results.csv", b"id_number,name,theory,practice\n", "text/csv")},
        )
        assert refused.status_code == 403
    assert results_count(scene) == 0


# --- results: template, preview, record -------------------------------------------------------


def test_the_template_lists_the_candidates_in_chinese_and_english(
    scene: Scene, provider: httpx2.Client
) -> None:
    page = f"/staff/sessions/{scene.session}"
    results = section(provider.get(page).text, "section", "results")
    assert f'href="{page}/template.xlsx"' in results and world.ASSESSOR in results
    assert world.EXPIRED not in results  # certified, but not on the session's day
    answer = provider.get(f"{page}/template.csv")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith(f'session-{scene.session}-results.csv"')
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["账户号码", "身份证号码", "姓名", "理论", "实操"]
    assert [row[0] for row in rows[1:]] == [person.account for person in scene.people[:3]]
    workbook = load_workbook(io.BytesIO(provider.get(f"{page}/template.xlsx").content))
    sheet = workbook.worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("账户号码", "身份证号码", "姓名", "理论", "实操")
    assert cells[1] == ("account_number", "id_number", "name", "theory", "practice")
    assert [row[0] for row in cells[2:]] == [person.account for person in scene.people[:3]]
    assert sheet["B3"].number_format == "@" and sheet["A3"].number_format == "@"
    assert provider.get(f"{page}/template.pdf").status_code == 422


def filled(scene: Scene, marks: list[tuple[str, str]], *, chinese: bool = True) -> bytes:
    """The CSV template filled in: each candidate by account number and name, with marks."""
    lines = [["账户号码", "姓名", "理论", "实操"]] if chinese else []
    lines.append(["account_number", "name", "theory", "practice"])
    for person, (theory, practice) in zip(scene.people, marks, strict=False):
        lines.append([person.account, person.name, theory, practice])
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue().encode()


def preview(client: httpx2.Client, scene: Scene, name: str, content: bytes) -> httpx2.Response:
    page = f"/staff/sessions/{scene.session}"
    return post(
        client,
        f"{page}/results/preview",
        {"assessor": world.ASSESSOR},
        page,
        files={"file": (name, content, "application/octet-stream")},
    )


def test_a_preview_names_every_problem_by_line_and_stores_nothing(
    scene: Scene, provider: httpx2.Client
) -> None:
    content = filled(scene, [("30", "75"), ("70", "abc")])
    content += f"{scene.people[3].account},{scene.people[3].name},50,50\n".encode()
    answer = preview(provider, scene, "results.csv", content)
    assert answer.status_code == 422
    problems = text(section(answer.text, "div", "preview-problems"))
    assert "Line 4, practice: a mark is a number with at most two decimals" in problems
    assert "Line 5, account_number: not a registered candidate of this session" in problems
    assert 'id="record-form"' not in answer.text
    rows = section(answer.text, "table", "preview-rows")
    assert '<tr data-line="3" data-outcome="passed">' in rows  # 0.2 * 30 + 0.8 * 75 = 66
    assert ">66<" in rows
    assert scene.people[0].account in rows
    assert results_count(scene) == 0
    # sent straight to be recorded (a file chosen again): refused whole, shown on the preview
    page = f"/staff/sessions/{scene.session}"
    refused = post(
        provider,
        f"{page}/results",
        {"assessor": world.ASSESSOR, "filename": "results.csv"},
        page,
        files={"file": ("results.csv", content, "text/csv")},
    )
    assert refused.status_code == 422
    problems = text(section(refused.text, "div", "preview-problems"))
    assert problems.startswith("2 problems in 3 rows; nothing was recorded")
    assert "Line 5, account_number: not a registered candidate of this session" in problems
    assert results_count(scene) == 0
    # an assessor whose certification expired, and a header that does not fit the scheme
    wrong = post(
        provider,
        f"{page}/results/preview",
        {"assessor": world.EXPIRED},
        page,
        files={"file": ("r.csv", b"id_number,name,theory,portfolio\n", "text/csv")},
    )
    problems = text(section(wrong.text, "div", "preview-problems"))
    assert f"{world.EXPIRED[1:]} holds no assessor certification" in problems
    assert "Unknown column portfolio" in problems and "Missing column practice" in problems


def xlsx_of(scene: Scene, marks: list[tuple[str, str]]) -> bytes:
    """The XLSX template as a provider fills it: identity numbers typed in, no account numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["身份证号码", "姓名", "理论", "实操"])
    sheet.append(["id_number", "name", "theory", "practice"])
    for person, (theory, practice) in zip(scene.people, marks, strict=False):
        sheet.append([person.id_number, person.name, float(theory), float(practice)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_provider_previews_then_records_and_the_session_shows_each_outcome(
    scene: Scene, provider: httpx2.Client
) -> None:
    content = xlsx_of(scene, [("30", "75"), ("70", "40")])
    shown = preview(provider, scene, "成绩.xlsx", content)
    assert shown.status_code == 200, text(shown.text)
    assert "No problem found: 1 pass, 1 fail" in text(section(shown.text, "p", "ready"))
    rows = section(shown.text, "table", "preview-rows")
    assert '<tr data-line="3" data-outcome="passed">' in rows
    assert '<tr data-line="4" data-outcome="failed">' in rows  # 0.2 * 70 + 0.8 * 40 = 46
    shown_number = scene.people[0].id_number
    assert f"{shown_number[:4]}{'*' * 10}{shown_number[-4:]}" in rows  # masked, as read
    assert shown_number not in rows
    assert results_count(scene) == 0
    form = section(shown.text, "form", "record-form")
    carried = re.search(r'name="content" value="([^"]+)"', form)
    assert carried is not None and base64.b64decode(carried.group(1)) == content
    recorded = provider.post(
        f"/staff/sessions/{scene.session}/results",
        data={
            "csrf_token": csrf_of(form),
            "assessor": world.ASSESSOR,
            "filename": "成绩.xlsx",
            "format": "",
            "content": carried.group(1),
        },
    )
    assert recorded.status_code == 303
    assert recorded.headers["location"] == f"/staff/sessions/{scene.session}?done=recorded"
    page = provider.get(recorded.headers["location"]).text
    assert "The results are recorded" in page
    table = section(page, "table", "candidates")
    passed, failed, absent = scene.people[:3]
    assert f'data-account="{passed.account}" data-outcome="passed"' in table
    assert f'data-account="{failed.account}" data-outcome="failed"' in table
    assert f'data-account="{absent.account}" data-outcome="absent"' in table
    with scene.live.database.unit_of_work() as uow:
        deposited = uow.session.scalars(select(OutcomeRow.public_id)).all()
    assert len(deposited) == 1 and deposited[0] in table
    assert ">66<" in table and ">46<" in table
    assert "1 certified" in text(section(page, "dd", "tally"))
    with scene.signed_in.staff(world.CENTRE_REGISTRAR, "zh") as centre:
        closed = centre.get(f"/staff/sessions/{scene.session}").text
    assert 'data-outcome="absent"' in closed and "缺考" in closed
    assert 'id="candidate-form"' not in closed  # candidates are closed once results are in
    # the same file again: the service's refusal on the preview page, nothing more stored
    again = provider.post(
        f"/staff/sessions/{scene.session}/results",
        data={
            "csrf_token": csrf_of(form),
            "assessor": world.ASSESSOR,
            "filename": "成绩.xlsx",
            "content": carried.group(1),
        },
    )
    assert again.status_code == 422
    assert "the candidate's result is recorded already" in text(
        section(again.text, "div", "preview-problems")
    )
    assert results_count(scene) == 2


def test_the_session_and_its_preview_in_chinese(scene: Scene) -> None:
    with scene.signed_in.staff(world.PROVIDER_REGISTRAR, "zh") as client:
        page = client.get(f"/staff/sessions/{scene.session}").text
        assert f"考核批次 {scene.session}" in page
        assert "等待成绩" in section(page, "table", "candidates")
        assert "成绩模板（XLSX）" in page and "预览" in page
        shown = preview(client, scene, "成绩.xlsx", xlsx_of(scene, [("30", "75")]))
    assert shown.status_code == 200
    assert "未发现问题：1 人通过，0 人未通过。" in text(shown.text)
    header = text(section(shown.text, "table", "preview-rows"))
    assert "身份证号码 id_number 姓名 name 理论 theory 实操 practice" in header
