"""A headless Debian chromium driven by Playwright; a missing browser fails under CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import browser_available, launch_chromium, require_browser
from tests.support.requirements import require_or_skip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_or_skip(
        browser_available(), required=require_browser(), setting="CREDITBANK_REQUIRE_BROWSER"
    )
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests keep their screenshots (tests/artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
