"""The pages under their Content-Security-Policy in Chromium: nothing refused, forms still work.

Chromium reports every breach of the policy on the console ("Refused to ... because it violates
the following Content Security Policy directive"); none may appear, on any page visited here,
the Swagger UI included (its one inline script is allowed by its hash; its CDN assets cannot
load on this offline machine, which is not a breach of the policy).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, expect

from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.browser.conftest import Visitors
from tests.conftest import LiveBank

PASSWORD = "correct horse battery"
PAGES = ("/", "/login", "/frameworks", "/verify", "/xcerts", "/xcerts/stats", "/stats", "/problems")


@pytest.fixture(scope="module")
def staff(live_bank: LiveBank) -> str:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        institutions.add_user(
            uow=uow,
            email="csp@jsvc.example",
            role=Role.REGISTRAR,
            institution="JSVC",
            password=PASSWORD,
        )
    return "csp@jsvc.example"


def test_no_page_breaks_its_policy_and_login_works(
    visitors: Visitors, live_bank: LiveBank, staff: str
) -> None:
    page = visitors.page("en-GB", javascript=True, extra_http_headers={"Accept-Language": "en"})
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    for path in (*PAGES, "/api/docs"):
        response = page.goto(live_bank.url + path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # the stylesheet applies (from this site)
    page.goto(live_bank.url + "/login")
    colour = page.evaluate("getComputedStyle(document.querySelector('.brand')).color")
    assert colour == "rgb(163, 38, 42)"  # --accent of style.css
    # the login form posts to this site and the session begins
    form = page.locator("form", has=page.locator("input[name=kind][value=staff]"))
    form.locator("input[name=login]").fill(staff)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live_bank.url + "/staff")
    expect(page.locator("body")).to_contain_text(staff)
    assert refused == []
