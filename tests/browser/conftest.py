"""A headless Debian chromium driven by Playwright (a missing browser fails under CI), and the
pages a test opens in it (:class:`Visitors`): each in a fresh browser context of its own, logged
in from the start where the test asks, closed when the test ends.

Screenshots are artifacts for people, not checks: a test takes them with :meth:`Visitors.shot`,
which writes them to tests/artifacts/ only when ``CREDITBANK_SCREENSHOTS=1``; whatever the
setting, a test that fails leaves a screenshot of every page it still had open there.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.support.browser import (
    browser_available,
    launch_chromium,
    require_browser,
    session_cookies,
)
from tests.support.requirements import require_or_skip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
"""Where browser tests keep their screenshots (tests/artifacts/, not committed)."""
SCREENSHOTS_ENV: Final = "CREDITBANK_SCREENSHOTS"
"""``1``: the browser tests write their screenshots to tests/artifacts/ (else only on failure)."""
PASSWORD: Final = "correct horse battery"
"""The password every world of these tests gives its staff and learners."""
VIEWPORT: Final = {"width": 1280, "height": 900}
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note on the test whether its setup or call failed (for the screenshots of a failure)."""
    del call
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_or_skip(
        browser_available(), required=require_browser(), setting="CREDITBANK_REQUIRE_BROWSER"
    )
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


class Visitors:
    """The pages one test opens, each in a browser context of its own (its own cookies and
    cache, nothing left from another test), closed when the test ends."""

    def __init__(self, browser: Browser, request: pytest.FixtureRequest) -> None:
        self._browser = browser
        self._request = request
        self._contexts: list[BrowserContext] = []

    def page(
        self,
        locale: str,
        *,
        javascript: bool = False,
        staff: str | None = None,
        learner: str | None = None,
        **options: Any,
    ) -> Page:
        """A page in a new context with ``locale``, JavaScript off unless asked.

        Given ``staff`` (an e-mail) or ``learner`` (an account number), the context starts with
        the cookies of a session that user began through the login form (sent over HTTP, see
        :func:`~tests.support.browser.session_cookies`): for tests that are not about logging
        in. Other keywords go to ``Browser.new_context``.
        """
        context = self._browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            **{"viewport": VIEWPORT, **options},
        )
        self._contexts.append(context)
        assert staff is None or learner is None, "one user per context"
        if staff is not None:
            context.add_cookies(session_cookies(self._bank(), "staff", staff, PASSWORD))
        if learner is not None:
            context.add_cookies(session_cookies(self._bank(), "learner", learner, PASSWORD))
        return context.new_page()

    def _bank(self) -> str:
        bank: str = self._request.getfixturevalue("bank")
        return bank

    def shot(self, page: Page, name: str) -> None:
        """Screenshot the whole page as tests/artifacts/NAME-BACKEND.png, when
        ``CREDITBANK_SCREENSHOTS=1``."""
        if os.environ.get(SCREENSHOTS_ENV) != "1":
            return
        ARTIFACTS.mkdir(exist_ok=True)
        backend = self._request.node.callspec.id
        page.screenshot(path=str(ARTIFACTS / f"{name}-{backend}.png"), full_page=True)

    def close(self) -> None:
        """Close every context; after a failure, screenshot each page still open first."""
        failed = self._request.node.stash.get(_FAILED, False)
        name = re.sub(r"[^\w.-]+", "-", self._request.node.nodeid.split("::")[-1]).strip("-")
        for number, context in enumerate(self._contexts):
            if failed:
                ARTIFACTS.mkdir(exist_ok=True)
                for index, page in enumerate(context.pages):
                    with contextlib.suppress(PlaywrightError):  # a crashed page: no picture
                        page.screenshot(
                            path=str(ARTIFACTS / f"failed-{name}-{number}-{index}.png"),
                            full_page=True,
                        )
            context.close()
        self._contexts.clear()


@pytest.fixture
def visitors(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Visitors]:
    """Open pages with ``visitors.page(locale, ...)``; all are closed when the test ends."""
    opened = Visitors(browser, request)
    yield opened
    opened.close()
