"""Accreditation in a real browser, JavaScript switched off: a learner fills in the application
form in Chinese with an evidence file (once with a problem, then right) and reads the status;
the assessor fills in the scoring form and decides; a second officer confirms from the centre's
queue, where a stalled application is flagged first; the learner then sees the accredited unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from creditbank import clock
from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation import applications, assessment, filing
from creditbank.accreditation.tables import ApplicationRow
from creditbank.db import UnitOfWork
from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import accreditation_world as world
from tests.browser.conftest import Visitors
from tests.bulk_files import id_number
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
STATEMENT = "在地铁站做了三年站务员，负责客运服务与投诉处理。"


@dataclass(frozen=True)
class Scene:
    applicant: str
    """Applies through the form."""
    assessed: str
    """Has an application assigned to ASSESSOR_A, waiting for marks."""
    assessed_application: str
    stalled_application: str
    """Another learner's application, submitted ten days ago: stalled."""


def open_learner(uow: UnitOfWork, live_bank: LiveBank, serial: int) -> str:
    number = accounts.open_account(
        uow=uow,
        cipher=live_bank.cipher,
        id_number=parse_id_number(id_number(serial)),
        name="李华",
    ).number
    sessions.set_learner_password(
        uow=uow,
        account_number=number,
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    return number


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> Scene:
    with live_bank.database.unit_of_work() as uow:
        built = world.build(uow, live_bank.cipher)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        applicant = open_learner(uow, live_bank, 701)
        assessed = open_learner(uow, live_bank, 702)
        stalled_learner = open_learner(uow, live_bank, 703)
        ids = []
        for number, serial in ((assessed, 702), (stalled_learner, 703)):
            sha = world.upload(uow, serial, institution=world.CENTRE)
            ids.append(
                filing.apply(
                    uow=uow,
                    account_number=number,
                    centre=world.CENTRE,
                    standard=world.STANDARD,
                    unit=world.UNIT,
                    setting="informal",
                    statement=STATEMENT,
                    evidence_files=[(sha, "单位出具的工作证明")],
                    by=applications.LEARNER,
                ).public_id
            )
        assessment.assign(
            uow=uow,
            public_id=ids[0],
            assessor_email=world.ASSESSOR_A,
            by=world.OFFICER_1,
            by_user_id=built.users[world.OFFICER_1],
            on=clock.today(),
        )
        ten_days_ago = datetime.now(UTC) - timedelta(days=10)
        uow.session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.public_id == ids[1])
            .values(state_since=ten_days_ago, due_on=ten_days_ago.date() + timedelta(days=7))
        )
    return Scene(applicant, assessed, ids[0], ids[1])


def open_as_logged_in(page: Page, bank: str, target: str) -> None:
    """Open ``target`` with the page's session: the page itself, not the login form."""
    page.goto(f"{bank}{target}")
    expect(page).to_have_url(f"{bank}{target}")


def evidence_file(label: str) -> dict[str, object]:
    return {
        "name": f"{label}.pdf",
        "mimeType": "application/pdf",
        "buffer": world.PDF + f"% {label}\n".encode(),
    }


def test_a_learner_applies_in_chinese_with_a_file(
    visitors: Visitors, bank: str, scene: Scene
) -> None:
    page = visitors.page("zh-CN", learner=scene.applicant)
    open_as_logged_in(page, bank, "/account/accreditations/new")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    unit = page.locator(f"#unit-{world.STANDARD}-{world.UNIT}")
    form = page.locator("#apply-form")
    option = page.locator(f'.unit[data-unit="{world.STANDARD}/1/{world.UNIT}"]')
    expect(option).to_contain_text("车站客运服务")
    expect(option).to_contain_text("LOFOUC 4")
    option.locator("summary").click()
    expect(option.locator(".statements li")).to_have_count(3)
    expect(option.locator(".statements")).to_contain_text("能处理乘客投诉")
    expect(option.locator(".criteria")).to_contain_text("一年以上站务工作经历")
    expect(option.locator(".evidence-needed")).to_contain_text("单位出具的工作证明")
    expect(option.locator('.scheme tr[data-component="interview"]')).to_contain_text("60%")
    # first without a statement: the form comes back with the problem next to the field
    unit.check()
    page.locator("#centre").select_option(world.CENTRE)
    page.locator("#setting-informal").check()
    page.locator("#evidence_file_1").set_input_files(evidence_file("letter"))  # type: ignore[arg-type]
    page.locator("#evidence_name_1").fill("单位出具的工作证明")
    form.locator("button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#statement")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#statement-errors")).to_be_visible()
    expect(unit).to_be_checked()
    expect(page.locator("#centre")).to_have_value(world.CENTRE)
    expect(page.locator("#setting-informal")).to_be_checked()
    expect(page.locator("#evidence_name_1")).to_have_value("单位出具的工作证明")
    visitors.shot(page, "accreditation-apply-problems-zh")
    # then right: the file is chosen again
    page.locator("#statement").fill(STATEMENT)
    page.locator("#evidence_file_1").set_input_files(evidence_file("letter"))  # type: ignore[arg-type]
    page.locator("#apply-form button[type=submit]").click()
    expect(page).to_have_url(
        re.compile(rf"{bank}/account/accreditations/[0-9a-f]{{32}}\?done=applied")
    )
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#application-state")).to_have_attribute("data-state", "submitted")
    expect(page.locator("#deadline")).to_be_visible()
    expect(page.locator("#evidence tbody tr")).to_have_count(1)
    expect(page.locator("#evidence")).to_contain_text("单位出具的工作证明")
    expect(page.locator("#application-statement")).to_have_text(STATEMENT)
    expect(page.locator('#history tr[data-step="submit"]')).to_have_count(1)
    visitors.shot(page, "accreditation-status-zh")
    page.goto(f"{bank}/account/accreditations")
    expect(page.locator("#applications tbody tr")).to_have_count(1)
    expect(page.locator("#applications tbody tr")).to_have_attribute("data-state", "submitted")


def test_the_assessor_scores_and_a_second_officer_confirms_from_the_queue(
    visitors: Visitors, bank: str, scene: Scene
) -> None:
    assessor = visitors.page("en-GB", staff=world.ASSESSOR_A)
    assessor_scores_and_decides(assessor, visitors, bank, scene)
    officer = visitors.page("en-GB", staff=world.OFFICER_2)
    officer_confirms_from_the_queue(officer, visitors, bank, scene)
    learner = visitors.page("zh-CN", learner=scene.assessed)
    open_as_logged_in(learner, bank, f"/account/accreditations/{scene.assessed_application}")
    expect(learner.locator("#application-state")).to_have_attribute("data-state", "accredited")
    expect(learner.locator("#outcome")).to_be_visible()
    expect(learner.locator('#decisions tr[data-confirmed="agreed"]')).to_contain_text("LOFOUC 4")
    expect(learner.locator("#weighted")).to_have_text("74")
    visitors.shot(learner, "accreditation-accredited-zh")


def assessor_scores_and_decides(page: Page, visitors: Visitors, bank: str, scene: Scene) -> None:
    open_as_logged_in(page, bank, f"/staff/accreditations/{scene.assessed_application}?lang=en")
    scoring = page.locator("#scores-form")
    expect(scoring).to_contain_text("Portfolio")
    expect(scoring).to_contain_text("weight 40%")
    expect(scoring).to_contain_text("Interview")
    expect(scoring).to_contain_text("weight 60%")
    page.locator("#mark_portfolio").fill("80")
    page.locator("#mark_interview").fill("170")
    scoring.locator("button[type=submit]").click()
    expect(page.locator("#mark_interview")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#mark_interview-errors")).to_be_visible()
    expect(page.locator("#mark_portfolio")).to_have_value("80")
    page.locator("#mark_interview").fill("70")
    page.locator("#comment").fill("面谈记录已存档")
    page.locator("#scores-form button[type=submit]").click()
    expect(page.locator("#notice")).to_contain_text("The marks are recorded")
    expect(page.locator("#weighted")).to_have_text("74")
    expect(page.locator("#marks")).to_have_attribute("data-passed", "1")
    expect(page.locator("#mark_portfolio")).to_have_value("80")  # the form keeps the marks
    visitors.shot(page, "accreditation-scoring-en")
    page.locator("#decision-accredited").check()
    page.locator("#reasons").fill("工作证明与面谈一致")
    page.locator("#decide-form button[type=submit]").click()
    expect(page.locator("#application-state")).to_have_attribute("data-state", "decided")
    expect(page.locator('#decisions tr[data-confirmed="pending"]')).to_have_count(1)
    expect(page.locator("#confirm-form")).to_have_count(0)


def officer_confirms_from_the_queue(
    officer: Page, visitors: Visitors, bank: str, scene: Scene
) -> None:
    open_as_logged_in(officer, bank, "/staff/accreditation/queue?lang=en")
    rows = officer.locator("#queue tbody tr")
    expect(rows.first).to_have_attribute("data-application", scene.stalled_application)
    expect(rows.first).to_have_attribute("data-stalled", "1")
    expect(rows.first.locator(".stalled")).to_have_text("stalled")
    entry = officer.locator(f"#entry-{scene.assessed_application}")
    expect(entry).to_have_attribute("data-state", "decided")
    expect(entry.locator(".pending-decision")).to_contain_text("weighted mark 74")
    visitors.shot(officer, "accreditation-queue-en")
    entry.locator("form.confirm button").click()
    expect(officer.locator("#notice")).to_contain_text("The decision is confirmed")
    expect(officer.locator(f"#entry-{scene.assessed_application}")).to_have_count(0)
