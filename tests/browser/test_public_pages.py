"""The menu on a phone, a credential's public pages and the API's documentation, in Chromium.

A learner on a phone-sized screen (Chinese): the menu's groups fit the screen's width, each a
dropdown that opens without script and leads on. An achievement's page and its issuer's
(English). The Swagger UI and ReDoc render from the bank's own files with nothing refused by
the Content-Security-Policy (the machine is offline, as a bank's intranet may be).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import Visitors
from tests.conftest import LiveBank
from tests.support.records import Record, build_record

PHONE = {"width": 375, "height": 740}
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    return build_record(live_bank.database, live_bank.cipher)


def _fits_its_width(page: Page) -> bool:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def test_a_learners_menu_on_a_phone(visitors: Visitors, bank: str, record: Record) -> None:
    page = visitors.page("zh-CN", learner=record.account, viewport=PHONE)
    page.goto(bank + "/me")
    menu = page.get_by_role("navigation", name="主导航")
    privacy = menu.locator("#menu-privacy")
    shares = privacy.get_by_role("link", name="分享")
    expect(shares).to_be_hidden()  # the groups are closed: the header holds one or two rows
    header: float = page.evaluate("document.querySelector('header.site').offsetHeight")
    assert header < PHONE["height"] / 3
    assert _fits_its_width(page)
    privacy.locator("summary").click()
    expect(shares).to_be_visible()
    assert _fits_its_width(page)
    visitors.shot(page, "menu-phone-open")
    shares.click()
    page.wait_for_url(bank + "/me/shares")
    expect(page.locator("h1")).to_contain_text("分享")


def test_an_achievement_and_its_issuer(visitors: Visitors, bank: str, record: Record) -> None:
    del record  # the world, built
    page = visitors.page("en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(bank + "/catalog/JSVC/CAD-201")
    expect(page.locator("h1")).to_contain_text("Computer-aided design")
    expect(page.locator("#levels")).to_contain_text("LOFOUC")
    visitors.shot(page, "public-achievement")
    page.locator("#owner a").click()
    page.wait_for_url(bank + "/institutions/JSVC")
    expect(page.locator("h1")).to_contain_text("Jiangsu Vocational College")
    expect(page.locator("#type")).to_contain_text("Higher vocational college")


@pytest.mark.parametrize(("path", "rendered"), [("/api/docs", ".opblock"), ("/api/redoc", "h1")])
def test_the_api_docs_render_from_the_banks_own_files(
    visitors: Visitors, bank: str, path: str, rendered: str
) -> None:
    page = visitors.page("en-GB", javascript=True)
    refused: list[str] = []
    elsewhere: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    page.on(
        "requestfinished", lambda r: None if r.url.startswith(bank) else elsewhere.append(r.url)
    )
    page.goto(bank + path)
    # ReDoc shows its first h1 once it has laid out the whole document: 4 s of a quiet machine,
    # over 15 s of a loaded one
    expect(page.locator(rendered).first).to_be_visible(timeout=30_000)
    expect(page.locator("body")).to_contain_text("creditbank")
    visitors.shot(page, "api-docs" if path == "/api/docs" else "api-redoc")
    assert [url for url in elsewhere if not url.startswith("data:")] == []  # nothing from outside
    if path == "/api/docs":
        assert refused == []
        return
    # ReDoc's sidebar asks for its maker's logo on their CDN, and its bundle makes a style
    # element or two before it knows the nonce: the policy refuses those (styles, an image),
    # never a script
    assert [t for t in refused if REDOC_LOGO not in t and "inline style" not in t] == []
