"""Credentials in a real browser, in Chinese, JavaScript switched off: a visitor pastes a
credential on the verifier page, reads the verdict and opens its details, then pastes a
tampered copy and sees why it fails; a learner downloads a credential that verifies, makes a
share link, and the verifier who opens it sees each shared credential checked."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from creditbank.accounts import api as accounts
from creditbank.credentials import issuing
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.support.records import Record, build_record

pytestmark = pytest.mark.browser

ISSUER = "江苏某职业技术学院"


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    return build_record(live_bank.database, live_bank.cipher)


def signed(live: LiveBank, outcome_id: str) -> dict[str, Any]:
    with live.database.unit_of_work() as uow:
        document = issuing.issue(
            uow=uow, outcome_id=outcome_id, fmt="ob3", now=datetime.now(UTC)
        ).document
    assert document is not None
    return document


def verify(page: Page, credential: str) -> None:
    page.locator("#credential").fill(credential)
    page.locator("#verify-form button[type=submit]").click()


def test_a_visitor_verifies_a_pasted_credential(
    visitors: Visitors, bank: str, *, live_bank: LiveBank, record: Record
) -> None:
    page = visitors.page("zh-CN")
    document = signed(live_bank, record.outcomes["C-3"])
    page.goto(f"{bank}/")
    page.locator('nav a[href="/verify"]').click()
    expect(page).to_have_url(f"{bank}/verify")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    verify(page, json.dumps(document, ensure_ascii=False, indent=2))

    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verified", "true")
    expect(verdict.locator(".verdict-mark")).to_have_text("✓")
    expect(verdict.locator(".issuer")).to_contain_text(ISSUER)
    expect(verdict.locator(".credential-name")).to_have_text("计算机辅助设计")
    expect(verdict.locator(".credits")).to_contain_text("3 学分")
    checks = verdict.locator("details.checks tbody tr")
    expect(checks).to_have_count(7)
    expect(checks.first).to_be_hidden()  # the details are one click away
    visitors.shot(page, "credential-verified-zh")
    verdict.locator("details.checks summary").click()
    expect(checks.first).to_be_visible()
    for check in ("syntax", "schema", "issuer_key", "signature", "validity", "status", "ledger"):
        expect(verdict.locator(f'tr[data-check="{check}"]')).to_have_attribute(
            "data-result", "passed"
        )
    visitors.shot(page, "credential-verified-details-zh")

    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["creditsEarned"] = 30
    verify(page, json.dumps(tampered, ensure_ascii=False))
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verified", "false")
    expect(verdict.locator(".verdict-mark")).to_have_text("✗")
    expect(verdict.locator(".verdict-reason")).to_be_visible()
    verdict.locator("details.checks summary").click()
    expect(verdict.locator('tr[data-check="signature"]')).to_have_attribute("data-result", "failed")
    visitors.shot(page, "credential-tampered-zh")


def test_a_learner_downloads_and_shares_credentials(
    visitors: Visitors, bank: str, *, live_bank: LiveBank, record: Record
) -> None:
    page = visitors.page("zh-CN", learner=record.account)
    page.goto(f"{bank}/me/credentials")
    expect(page).to_have_url(f"{bank}/me/credentials")
    with live_bank.database.unit_of_work() as uow:
        standing = accounts.standing_outcome_ids(uow=uow, account_number=record.account)
    expect(page.locator("#credentials tbody tr")).to_have_count(len(standing))
    visitors.shot(page, "learner-credentials-zh")

    outcome_id = record.outcomes["B-1"]
    with page.expect_download() as download:
        page.locator(f'tr[data-outcome="{outcome_id}"] a.json').click()
    assert download.value.suggested_filename == f"credential-{outcome_id}.json"
    content = Path(download.value.path()).read_bytes()
    verdict = httpx2.post(f"{bank}/api/v1/verify", content=content, timeout=30).json()
    assert verdict["verified"] is True

    page.locator('nav a[href="/me/shares"]').click()
    for chosen in ("C-3", "B-1"):
        page.locator(f'input[name="outcome"][value="{record.outcomes[chosen]}"]').check()
    page.get_by_role("button", name="生成链接").click()
    link = page.locator("#share-link").inner_text().strip()
    assert link.startswith(f"{bank}/shared/")

    verifier = visitors.page("zh-CN")
    verifier.goto(link)
    expect(verifier.locator("#credentials li.verified")).to_have_count(2)
    expect(verifier.locator("#credentials li.not-verified")).to_have_count(0)
    visitors.shot(verifier, "shared-credentials-zh")
    with verifier.expect_download() as shared:
        verifier.locator(f'#credentials a[href$="/credentials/{outcome_id}.json"]').click()
    content = Path(shared.value.path()).read_bytes()
    verdict = httpx2.post(f"{bank}/api/v1/verify", content=content, timeout=30).json()
    assert verdict["verified"] is True
