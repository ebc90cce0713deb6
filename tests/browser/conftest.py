"""A headless Debian chromium driven by Playwright (a missing browser fails under CI), and the
pages a test opens in it (:class:`Visitors`): each in a browser context of its own that starts
without cookies (a page without JavaScript may be one an earlier test gave back, see
:class:`IdlePages`), logged in from the start where the test asks.

The bank a browser test opens is served on SQLite only (:func:`live_bank` here): what the
browser adds (rendering, forms without JavaScript, the content security policy, cookies) does not
depend on the database, and what the pages do on each database is tested over HTTP, on both,
by the page tests of tests/api/ (``test_*_pages.py``), which drive the same forms.

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

from tests.conftest import LiveBank, serve_live_bank
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


@pytest.fixture(scope="module", params=["sqlite"])
def live_bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBank]:
    """The module's bank (as tests/conftest.py's), on SQLite: see the module's docstring."""
    yield from serve_live_bank(request, request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_or_skip(
        browser_available(), required=require_browser(), setting="CREDITBANK_REQUIRE_BROWSER"
    )
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


class IdlePages:
    """Pages without JavaScript that a test has given back, kept for the next test that asks
    for a context with the same options.

    A new context costs Chromium a renderer process for its blank page and another for its
    first page of the bank (about 0.3 s of CPU and 0.5 s of waiting each time); a kept page
    stays on 127.0.0.1, the same site whichever module's bank it served, so the next test's
    first page is an ordinary navigation. What a page without JavaScript can leave in its
    context is what the server set: cookies (its session, its language, its CSRF cookie).
    They are cleared when the page is given back and again when it is taken, and the test
    starts with none (checked). The HTTP cache may keep /static/style.css; the pages carry no
    validators (and no-store with a session), so none is ever answered from it. Pages with
    JavaScript (which could write the context's storage) are never kept.
    """

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._idle: dict[str, list[Page]] = {}

    @staticmethod
    def _key(options: dict[str, Any]) -> str:
        return repr(sorted(options.items()))

    def take(self, options: dict[str, Any]) -> Page:
        """An idle page of a context made with ``options`` (JavaScript off), or a new one."""
        assert options["java_script_enabled"] is False, "pages with JavaScript are never kept"
        idle = self._idle.get(self._key(options), [])
        if not idle:
            return self._browser.new_context(**options).new_page()
        page = idle.pop()
        page.context.clear_cookies()
        assert page.context.cookies() == [], "a kept page must start without cookies"
        return page

    def give_back(self, page: Page, options: dict[str, Any]) -> None:
        """Keep ``page`` for the next test, or close its context if it cannot be kept (closed,
        or its context has another page: a popup)."""
        context = page.context
        if page.is_closed() or len(context.pages) != 1:
            context.close()
            return
        page.wait_for_load_state()
        context.clear_cookies()
        self._idle.setdefault(self._key(options), []).append(page)

    def close(self) -> None:
        for pages in self._idle.values():
            for page in pages:
                page.context.close()
        self._idle.clear()


@pytest.fixture(scope="session")
def idle_pages(browser: Browser) -> Iterator[IdlePages]:
    pages = IdlePages(browser)
    yield pages
    pages.close()


class Visitors:
    """The pages one test opens, each in a browser context of its own that starts without
    cookies (kept from an earlier test without them, see :class:`IdlePages`, or new), given
    back or closed when the test ends."""

    def __init__(self, browser: Browser, idle: IdlePages, request: pytest.FixtureRequest) -> None:
        self._browser = browser
        self._idle = idle
        self._request = request
        self._kept: list[tuple[Page, dict[str, Any]]] = []
        self._fresh: list[BrowserContext] = []

    def page(
        self,
        locale: str,
        *,
        javascript: bool = False,
        staff: str | None = None,
        learner: str | None = None,
        **options: Any,
    ) -> Page:
        """A page with ``locale`` in a context of its own, JavaScript off unless asked.

        Given ``staff`` (an e-mail) or ``learner`` (an account number), the context starts with
        the cookies of a session that user began through the login form (sent over HTTP, see
        :func:`~tests.support.browser.session_cookies`): for tests that are not about logging
        in. Other keywords go to ``Browser.new_context``. Without JavaScript the page may be one
        an earlier test gave back (:class:`IdlePages`); with it, always a new context.
        """
        assert staff is None or learner is None, "one user per context"
        settings = {
            "locale": locale,
            "java_script_enabled": javascript,
            "viewport": VIEWPORT,
            **options,
        }
        if javascript:
            context = self._browser.new_context(**settings)
            self._fresh.append(context)
            page = context.new_page()
        else:
            page = self._idle.take(settings)
            self._kept.append((page, settings))
        if staff is not None:
            page.context.add_cookies(session_cookies(self._bank(), "staff", staff, PASSWORD))
        if learner is not None:
            page.context.add_cookies(session_cookies(self._bank(), "learner", learner, PASSWORD))
        return page

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
        """Give the pages back (or close their contexts); after a failure, screenshot every
        page first and close every context."""
        failed = self._request.node.stash.get(_FAILED, False)
        contexts = [*self._fresh, *(page.context for page, _ in self._kept)]
        if failed:
            name = re.sub(r"[^\w.-]+", "-", self._request.node.nodeid.split("::")[-1]).strip("-")
            ARTIFACTS.mkdir(exist_ok=True)
            for number, context in enumerate(contexts):
                for index, page in enumerate(context.pages):
                    with contextlib.suppress(PlaywrightError):  # a crashed page: no picture
                        page.screenshot(
                            path=str(ARTIFACTS / f"failed-{name}-{number}-{index}.png"),
                            full_page=True,
                        )
                context.close()
        else:
            for context in self._fresh:
                context.close()
            for page, settings in self._kept:
                self._idle.give_back(page, settings)
        self._fresh.clear()
        self._kept.clear()


@pytest.fixture
def visitors(
    browser: Browser, idle_pages: IdlePages, request: pytest.FixtureRequest
) -> Iterator[Visitors]:
    """Open pages with ``visitors.page(locale, ...)``; all are given back or closed when the
    test ends."""
    opened = Visitors(browser, idle_pages, request)
    yield opened
    opened.close()
