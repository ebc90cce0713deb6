"""Credit conversion in a real browser, JavaScript switched off: a learner reads their progress
toward the diploma in Chinese (what counts, the plan, the what-if) and requests the conversion;
a bank administrator reads the approval queue and approves a version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.conversion import api as conversion
from creditbank.conversion.model import LevelBar, RuleDraft, SourceSpec, Target, TargetKind
from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import conversion_world as world
from tests.browser.conftest import Visitors
from tests.bulk_files import id_number
from tests.conftest import TEST_HASHER, LiveBank

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Scene:
    learner: str
    """Holds BIM-X (intermediate) and the course DRAW-100."""
    queued: int
    """A version BIMTEO's registrar submitted, waiting in the approval queue."""


@pytest.fixture(scope="module")
def scene(live_bank: LiveBank) -> Scene:
    with live_bank.database.unit_of_work() as uow:
        users = world.build(uow)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        world.approved(
            uow,
            users,
            RuleDraft(
                code="BIMX-ADV",
                programme=world.DIPLOMA,
                name="BIM 高级证书加 2 学分",
                sources=(SourceSpec(item="BIMTEO:BIM-X", level=LevelBar("1X", "advanced", "", 0)),),
                targets=(Target(TargetKind.ELECTIVE, credits=Decimal(2), category="elective"),),
                valid_from=date(2025, 9, 1),
            ),
            "SHVC",
        )
        queued = conversion.draft_rule(
            uow=uow, institution="BIMTEO", draft=world.course_rule(), user_id=users.teo
        )
        conversion.submit_rule(uow=uow, rule_id=queued.id, user_id=users.teo)
        number = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(301)),
            name="李华",
        ).number
        world.deposit(
            uow, number, institution="BIMTEO", item="BIM-X", level="intermediate", record="X-1"
        )
        world.deposit(uow, number, institution="SHVC", item="DRAW-100", level="4", record="D-1")
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
    return Scene(number, queued.id)


def test_a_learner_reads_their_progress_in_chinese_and_requests_the_conversion(
    visitors: Visitors, bank: str, scene: Scene
) -> None:
    page = visitors.page("zh-CN")
    page.goto(f"{bank}/account/progress")
    expect(page).to_have_url(f"{bank}/login?next=%2Faccount%2Fprogress")
    page.locator("#learner-login-name").fill(scene.learner)
    page.locator("#learner-password").fill(PASSWORD)
    page.get_by_role("button", name="学习者登录").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("navigation", name="主导航")).to_contain_text("我的学习成果")
    page.locator("#programme").select_option(world.DIPLOMA)
    page.locator("#choose-programme button").click()
    expect(page.locator("#programme-heading")).to_contain_text("建筑工程技术（高职）")
    # what counts: the course DRAW-100, met directly by the learner's outcome
    met = page.locator('#met tr[data-component="DRAW-100"]')
    expect(met).to_have_attribute("data-transferred", "0")
    expect(met).to_contain_text("工程制图")
    expect(page.locator("#credits-held")).to_have_text("2")
    expect(page.locator("#credits-planned")).to_have_text("4")
    # the plan exempts BIM-101; BIM-102 is passed over because the per-item cap leaves no room
    expect(page.locator("#plan-grants")).to_contain_text("BIMX-INT v1")
    expect(page.locator("#plan-grants .reason")).to_contain_text("BIM-101")
    expect(page.locator('#passed-over li[data-rule="BIMX-INT"]')).to_contain_text("per_source_item")
    # the what-if: the advanced-level rule does not apply, and says why
    advanced = page.locator('#what-if tr[data-rule="BIMX-ADV"]')
    expect(advanced).to_have_attribute("data-applicable", "0")
    expect(advanced).to_contain_text("BIMTEO:BIM-X 1X:advanced")
    expect(page.locator('#missing li[data-component="BIM-102"]')).to_be_visible()
    visitors.shot(page, "learner-progress-zh")

    page.locator("#request-conversion button").click()
    notice = page.locator("#requested")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("SHVC")
    expect(page.locator('.conversion[data-status="pending"]')).to_have_count(1)
    expect(page.locator('#met tr[data-component="BIM-101"]')).to_have_attribute("data-pending", "1")
    expect(page.locator("#no-plan")).to_be_visible()
    visitors.shot(page, "learner-conversion-requested-zh")


def test_an_administrator_approves_from_the_queue(
    visitors: Visitors, bank: str, scene: Scene
) -> None:
    page = visitors.page("en-GB", staff=world.ADMINS[1])
    page.goto(f"{bank}/staff?lang=en")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approval queue").click()
    expect(page.locator("h1")).to_have_text("Approval queue")
    panel = page.locator(f"#rule-{scene.queued}")
    expect(panel.locator("h2")).to_contain_text("BIM101-THEORY v1")
    expect(panel).to_contain_text(world.TEO_REGISTRAR)
    expect(panel).to_contain_text("SHVC:BIM-101")
    expect(panel).to_contain_text("Exemption THEORY 理论考试")
    expect(panel.locator(".conditions")).to_contain_text("80")
    expect(panel.get_by_role("button", name="Approve")).to_be_visible()
    expect(panel.get_by_role("button", name="Reject")).to_be_visible()
    visitors.shot(page, "approval-queue-en")
    panel.locator(f"#approve-note-{scene.queued}").fill("checked against the agreement")
    panel.get_by_role("button", name="Approve").click()
    expect(page.locator(".notice")).to_contain_text("The version is approved")
    expect(page.locator(f"#rule-{scene.queued}")).to_have_count(0)
    expect(page.locator("#empty-queue")).to_be_visible()
    page.goto(f"{bank}/staff/rules/{scene.queued}")
    expect(page.locator("#rule-status")).to_have_text("approved")
    expect(page.locator("#rule-history")).to_contain_text("checked against the agreement")


@pytest.mark.usefixtures("scene")  # its world: the institutions, the programme, the rules
def test_the_learner_s_timeline_shows_transferred_credit_as_such(
    visitors: Visitors, bank: str, live_bank: LiveBank
) -> None:
    """After SHVC confirms, the learner's record holds credit toward the diploma, in words,
    never the course BIM-101 as if they had taken it."""
    with live_bank.database.unit_of_work() as uow:
        number = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(302)),
            name="王芳",
        ).number
        world.deposit(
            uow, number, institution="BIMTEO", item="BIM-X", level="intermediate", record="X-2"
        )
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
        requested = conversion.request_conversion(
            uow=uow,
            account_number=number,
            programme=world.DIPLOMA,
            on=world.ON,
            requested_by=f"learner:{number}",
        )
        conversion.confirm_conversion(
            uow=uow, public_id=requested.public_id, by=world.SHVC_REGISTRAR
        )
    page = visitors.page("zh-CN", learner=number)
    page.goto(f"{bank}/me")
    credit = page.locator(f'.transfer[data-conversion="{requested.public_id}"]')
    expect(credit).to_be_visible()
    expect(credit).to_contain_text("转换学分 4.0 学分，计入专业")
    expect(credit).to_contain_text("免修课程 BIM 建模 (BIM-101)")
    expect(credit).to_contain_text("BIMX-INT 第 1 版")
    expect(page.locator(".outcome .name", has_text="转换学分：")).to_have_count(1)
    expect(page.locator(".outcome .kind", has_text="转换学分")).to_have_count(1)
    visitors.shot(page, "learner-transferred-credit-zh")
