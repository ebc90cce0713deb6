"""Self-check of tests.support: a real PostgreSQL cluster and a real browser.

Skips when PostgreSQL/Chromium are missing, unless CREDITBANK_REQUIRE_POSTGRES
/ CREDITBANK_REQUIRE_BROWSER is "1" (as in CI), in which case it fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.support.browser import (
    LiveServer,
    browser_available,
    launch_chromium,
    require_browser,
)
from tests.support.postgres import PostgresCluster, postgres_available, require_postgres


def _skip_or_fail(reason: str | None, required: bool) -> None:
    if reason is None:
        return
    if required:
        pytest.fail(reason)
    pytest.skip(reason)


def test_postgres_cluster_roundtrip() -> None:
    _skip_or_fail(postgres_available(), require_postgres())
    with PostgresCluster() as cluster:
        directory = cluster.directory
        url = cluster.create_database("selfcheck")
        assert url == cluster.url("selfcheck")
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                version = conn.execute(text("SELECT version()")).scalar_one()
                listen = conn.execute(text("SHOW listen_addresses")).scalar_one()
                encoding = conn.execute(text("SHOW server_encoding")).scalar_one()
                fsync = conn.execute(text("SHOW fsync")).scalar_one()
        finally:
            engine.dispose()
        assert version.startswith("PostgreSQL ")
        assert listen == ""  # Unix socket only
        assert encoding == "UTF8"
        assert fsync == "off"
        cluster.drop_database("selfcheck")
        cluster.drop_database("selfcheck")  # IF EXISTS: no error the second time
    assert not directory.exists()


async def _hello(request: Request) -> HTMLResponse:
    started = request.app.state.started
    return HTMLResponse(f"<!doctype html><title>t</title><h1>hi</h1><p>{started}</p>")


def test_chromium_reads_h1() -> None:
    _skip_or_fail(browser_available(), require_browser())
    from playwright.sync_api import sync_playwright

    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.started = "lifespan-ran"
        events.append("startup")
        yield
        events.append("shutdown")

    app = Starlette(routes=[Route("/", _hello)], lifespan=lifespan)

    with LiveServer(app, ready_path="/") as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.goto("data:text/html,<h1>hi</h1>")
            assert page.locator("h1").inner_text() == "hi"
            page.goto(server.url("/"))
            assert page.locator("h1").inner_text() == "hi"
            assert page.locator("p").inner_text() == "lifespan-ran"
        finally:
            browser.close()
    assert events == ["startup", "shutdown"]
