"""Staff and learners in a real browser, in Chinese and English, with JavaScript switched off:
a registrar deposits an outcome through the form, and checks a bulk file before depositing it
(its first rows as read, identity numbers masked); a learner reads the timeline,
grants and withdraws a consent, reads who saw their data and shares outcomes with a verifier."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from creditbank.accounts import service as accounts
from creditbank.institutions import service as institutions
from tests.browser.conftest import Visitors
from tests.bulk_files import id_number, row
from tests.conftest import LiveBank
from tests.intake_files import chinese_csv
from tests.support.records import NAME, PASSWORD, Record, build_record

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    built = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        registrar = next(
            user
            for user in institutions.users_by_id(uow=uow, user_ids=range(1, 20)).values()
            if user.email == "reg@teo-bim.example"
        )
        accounts.read_personal_data(
            uow=uow,
            cipher=live_bank.cipher,
            number=built.account,
            user_id=registrar.id,
            purpose="核对证书上的姓名",
        )
    return built


def log_in(page: Page, kind: str, login: str, button: str) -> None:
    page.locator(f"#{kind}-login-name").fill(login)
    page.locator(f"#{kind}-password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_a_registrar_deposits_one_outcome(visitors: Visitors, bank: str, record: Record) -> None:
    page = visitors.page("zh-CN")
    page.goto(f"{bank}/staff")
    expect(page).to_have_url(f"{bank}/login?next=%2Fstaff")
    log_in(page, "staff", "reg@jsvc.example", "工作人员登录")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("#staff-institution")).to_contain_text("江苏某职业技术学院")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="存入成果").click()
    expect(page.locator("h1")).to_have_text("存入成果")
    page.locator("#account_number").fill(record.account)
    page.locator("#item_code").select_option("CAD-201")
    page.locator("#level").select_option(label="LOFOUC 5 · 5级")
    page.locator("#credits").fill("4")  # more than the course carries
    page.locator("#score").fill("86")
    page.locator("#assessed_on").fill("2026-06-30")
    page.locator("#setting").select_option("non-formal")
    page.get_by_role("button", name="存入", exact=True).click()
    # refused, nothing saved, the problem next to its field and the form as it was typed
    expect(page.locator("#credits-errors")).to_contain_text("超过")
    expect(page.locator("#credits")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#score")).to_have_value("86")
    visitors.shot(page, "staff-deposit-error-zh")
    page.locator("#credits").fill("2")
    page.get_by_role("button", name="存入", exact=True).click()
    expect(page.locator("h1")).to_have_text("成果已存入")
    expect(page.locator("#deposited-account")).to_have_text(record.account)
    expect(page.locator("#deposited-outcome")).to_contain_text("非正规学习")
    visitors.shot(page, "staff-deposited-zh")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def test_a_registrar_in_english(visitors: Visitors, bank: str, record: Record) -> None:
    page = visitors.page("en-GB", staff="reg@teo-bim.example")
    page.goto(f"{bank}/staff?lang=en")
    page.get_by_role("link", name="Deposit an outcome").first.click()
    page.locator("#account_number").fill(record.account)
    page.locator("#item_code").select_option("BIM-X")
    page.locator("#level").select_option(label="1X advanced · Advanced")
    page.locator("#assessed_on").fill("2026-09-01")
    page.get_by_role("button", name="Deposit", exact=True).click()
    expect(page.locator("h1")).to_have_text("Outcome deposited")
    expect(page.locator("#deposited-outcome")).to_contain_text("1X advanced")


def test_a_learner_reads_the_timeline_and_manages_a_consent(
    visitors: Visitors, bank: str, record: Record
) -> None:
    page = visitors.page("zh-CN", learner=record.account)
    page.goto(f"{bank}/me")
    expect(page.locator("h1")).to_have_text("我的学习成果")
    expect(page.locator("#learner-name")).to_have_text(NAME)
    groups = page.locator(".level-group")
    expect(groups.locator("h2")).to_contain_text(
        ["1X intermediate", "LOFOUC 5", "LOFOUC 4", "NVQC 2", "NVQC 3"]
    )
    lofouc4 = page.locator('.level-group[data-framework="LOFOUC"][data-level="4"] .outcome')
    expect(lofouc4.locator(".date")).to_have_text(["2024-06-30", "2023-01-15"])
    expect(lofouc4.first).to_contain_text("江苏某职业技术学院")
    expect(lofouc4.first).to_contain_text("2.5 学分")
    expect(lofouc4.first).to_contain_text("成绩 75")
    visitors.shot(page, "learner-timeline-zh")  # the -sqlite one is docs/screenshot-learner.png

    page.get_by_role("link", name="授权").first.click()
    page.locator("#institution").fill("OTHER-U")
    page.get_by_role("button", name="授权", exact=True).click()
    expect(page.locator(".notice")).to_have_text("已授权。")
    row = page.locator('#consents tr[data-institution="OTHER-U"]').first
    expect(row).to_have_attribute("data-status", "active")
    expect(row).to_contain_text("有效")
    visitors.shot(page, "learner-consents-zh")
    row.get_by_role("button", name="撤回").click()
    expect(page.locator(".notice")).to_have_text("已撤回授权。")
    expect(page.locator('#consents tr[data-institution="OTHER-U"]').first).to_have_attribute(
        "data-status", "withdrawn"
    )

    page.get_by_role("link", name="谁查看了我的信息").click()
    log = page.locator("#access-log")
    expect(log).to_contain_text("reg@teo-bim.example")
    expect(log).to_contain_text("核对证书上的姓名")
    expect(log).to_contain_text("TEO-BIM")
    visitors.shot(page, "learner-access-zh")


def test_a_learner_in_english(visitors: Visitors, bank: str, record: Record) -> None:
    page = visitors.page("en-GB", learner=record.account)
    page.goto(f"{bank}/me")
    expect(page.locator("h1")).to_have_text("My outcomes")
    expect(page.locator("#summary")).to_contain_text("Outcomes:")
    expect(page.locator('.level-group[data-framework="NVQC"][data-level="2"] h2')).to_contain_text(
        "Technician"
    )
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("我的学习成果")
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Consents").click()
    page.locator("#institution").fill("NOWHERE")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator("#institution-errors")).to_contain_text("There is no institution NOWHERE")


def test_a_verifier_sees_only_what_was_shared(
    visitors: Visitors, bank: str, *, record: Record
) -> None:
    page = visitors.page("en-GB", learner=record.account)
    page.goto(f"{bank}/me")
    page.get_by_role("link", name="Shares").click()
    for chosen in ("C-3", "B-1"):
        page.locator(f'input[name="outcome"][value="{record.outcomes[chosen]}"]').check()
    page.locator("#label").fill("BuildCo application")
    page.get_by_role("button", name="Make the link").click()
    link = page.locator("#share-link").inner_text().strip()
    assert link.startswith(f"{bank}/shared/")

    verifier = visitors.page("en-GB")
    verifier.goto(link)
    expect(verifier.locator("h1")).to_have_text(f"Learning outcomes shared by {NAME}")
    expect(verifier.locator(".outcome")).to_have_count(2)
    expect(verifier.locator(".outcome .name")).to_have_text(  # English names where they exist
        ["建筑信息模型（BIM）职业技能等级证书", "Computer-aided design"]
    )
    content = verifier.content()
    for secret in (record.id_number, record.account, "电工职业资格"):
        assert secret not in content
    visitors.shot(verifier, "verifier-en")

    page.goto(f"{bank}/me/shares")
    expect(page.locator("#shares tbody tr")).to_have_count(1)
    shares = page.locator("#shares tbody tr").first
    expect(shares.locator(".views")).to_contain_text("1")
    expect(shares).to_contain_text("BuildCo application")
    shares.get_by_role("button", name="Revoke").click()
    expect(page.locator('#shares tbody tr[data-status="revoked"]')).to_have_count(1)
    verifier.reload()
    expect(verifier.locator("h1")).to_have_text("This link does not work")


def test_a_registrar_checks_a_file_then_deposits_it(
    visitors: Visitors, bank: str, record: Record, tmp_path: Path
) -> None:
    """Upload a file with Chinese headers, see its first rows as read (identity numbers
    masked) while nothing is deposited yet, then deposit that same file (a small file: checked
    and deposited before the answers; a larger one's page refreshes itself, see
    tests/api/test_staff_pages.py)."""
    del record
    upload = tmp_path / "本学期.csv"
    upload.write_bytes(chinese_csv([row(n, record_id=f"UI-{n}") for n in (700, 701)]))
    page = visitors.page("zh-CN", staff="reg@jsvc.example")
    page.goto(f"{bank}/staff/batches/new")
    expect(page.locator("#template-xlsx")).to_have_attribute(
        "href", "/staff/batches/template?format=xlsx"
    )
    page.locator("#file").set_input_files(str(upload))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#upload-status")).to_have_attribute("data-status", "checked")
    expect(page.locator("#upload-status")).to_contain_text("每一行都没有问题")
    preview = page.locator("#upload-preview")
    expect(preview).to_contain_text(id_number(700)[:4] + "*" * 10 + id_number(700)[-4:])
    expect(preview).not_to_contain_text(id_number(700))
    expect(preview).to_contain_text("学员700")
    visitors.shot(page, "staff-upload-checked-zh")
    page.get_by_role("button", name="存入 2 行").click()
    expect(page.locator("#batch-deposited")).to_have_text("2")
    expect(page.locator("#batch-status")).to_contain_text("已存入")


def test_a_registrar_in_english_sees_what_is_wrong_before_anything_is_deposited(
    visitors: Visitors, bank: str, record: Record, tmp_path: Path
) -> None:
    """The same page in English: a file with a bad date is checked, its problem named by line
    and column, and no Deposit button is offered."""
    del record
    upload = tmp_path / "term.csv"
    rows = [row(710, record_id="EN-710"), row(711, record_id="EN-711", assessed_on="2024-13-01")]
    upload.write_bytes(chinese_csv(rows))
    page = visitors.page("en-GB", staff="reg@jsvc.example")
    page.goto(f"{bank}/staff/batches/new")
    page.locator("#file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#upload-status")).to_contain_text(
        "Problems found: 1. Nothing can be deposited"
    )
    report = page.locator("#upload-report")
    expect(report).to_contain_text("assessed_on must be a date like 2024-06-30")
    expect(report.locator("tbody tr").first).to_contain_text("3")  # the second row's line
    expect(page.locator("#deposit-form")).to_have_count(0)
    expect(page.locator("#upload-preview")).not_to_contain_text(id_number(711))
