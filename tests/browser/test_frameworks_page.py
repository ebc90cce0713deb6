"""The /frameworks page in a real browser, in Chinese and English, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Visitors

pytestmark = pytest.mark.browser


@pytest.fixture
def page(visitors: Visitors) -> Page:
    """A Chinese visitor with JavaScript on."""
    return visitors.page("zh-CN", javascript=True, viewport={"width": 1400, "height": 1000})


def placement(page: Page, level: str) -> object:
    return page.locator(f'#alignment .placement[data-level="{level}"]')


def test_frameworks_side_by_side_in_chinese(page: Page, bank: str, visitors: Visitors) -> None:
    page.goto(f"{bank}/frameworks")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("资历框架")
    # aligned on EQF by default: NVQC 3 sits at EQF 4, an assumption, marked in the page
    row = page.locator("#alignment tbody tr", has=page.locator("th", has_text="第4级"))
    nvqc3 = row.locator('.placement[data-level="NVQC:3"]')
    expect(nvqc3).to_have_attribute("data-kind", "assumed")
    expect(nvqc3.locator(".badge")).to_have_text("推定")
    # frameworks that no crosswalk reaches are listed, not silently dropped
    expect(page.locator(".unaligned")).to_contain_text("LOFOUC")
    visitors.shot(page, "frameworks-zh")


def test_published_correspondences_are_not_marked_assumed(page: Page, bank: str) -> None:
    page.goto(f"{bank}/frameworks?ref=NVQC&lang=en")
    row = page.locator("#alignment tbody tr", has=page.locator("th", has_text="Advanced worker"))
    junior = row.locator('.placement[data-level="QCPTP:junior"]')
    expect(junior).to_have_attribute("data-kind", "published")
    expect(junior.locator(".badge")).to_have_count(0)
    # Table 14 laid out: QCPTP senior beside NVQC 1, QCSW primary beside NVQC 5
    top = page.locator("#alignment tbody tr").first
    expect(top.locator("th")).to_contain_text("Senior technician")
    expect(top.locator('.placement[data-level="QCPTP:senior"]')).to_have_attribute(
        "data-kind", "published"
    )
    bottom = page.locator("#alignment tbody tr").last
    expect(bottom.locator('.placement[data-level="QCSW:primary"]')).to_have_attribute(
        "data-kind", "published"
    )


def test_language_switch_is_remembered(page: Page, bank: str, visitors: Visitors) -> None:
    page.goto(f"{bank}/frameworks")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Qualifications frameworks")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visitors.shot(page, "frameworks-en")
    page.get_by_role("link", name="NVQC", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("National Vocational Qualification")
    expect(page.locator("table").first).to_contain_text("Senior technician")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_contain_text("国家职业资格")


def test_usable_without_javascript(visitors: Visitors, bank: str) -> None:
    page = visitors.page("en-GB")
    page.goto(f"{bank}/frameworks?lang=en")
    page.select_option("#ref", "ISCED")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{bank}/frameworks?lang=en&ref=ISCED")
    expect(page.locator("#alignment thead th").first).to_contain_text("ISCED")


def test_descriptors_and_missing_levels(page: Page, bank: str) -> None:
    page.goto(f"{bank}/frameworks/NVQC")
    # Table 13 gives the competence demand in English only: shown, and said to be the source text
    expect(page.locator("table").first).to_contain_text("Can complete regular work independently")
    expect(page.locator("table").first).to_contain_text("原文为英文")
    response = page.goto(f"{bank}/frameworks/NOPE")
    assert response is not None and response.status == 404
    expect(page.locator(".problem")).to_contain_text("NOPE")
