"""Security headers on every response, and a TLS-terminating proxy trusted only when told to.

The headers are checked on the live bank (uvicorn in this process). The proxy settings are
checked on the bank as ``creditbank serve`` runs it (a separate process started with the
settings in its environment), on both databases: with CREDITBANK_PROXY_HEADERS on, a request
from loopback with ``X-Forwarded-Proto: https`` gets Secure cookies and HSTS, and
``X-Forwarded-For`` is the client address the login throttle counts; with it off, both
headers are ignored.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import httpx2
import pytest

from creditbank.bootstrap import build_app
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.web.security import PAGE_POLICY
from tests.conftest import ForkedPython
from tests.conftest import test_settings as settings_for
from tests.support.browser import LiveServer
from tests.support.pages import csrf_of

PASSWORD = "correct horse battery"
OWNER = "owner@jsvc.example"
HTTPS = {"X-Forwarded-Proto": "https"}
SAME_SITE_ONLY = re.compile(r"https?:|\*|'unsafe-inline'|'unsafe-eval'")


def directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def assert_common_headers(response: httpx2.Response) -> None:
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/frameworks",
        "/verify",
        "/shared/not-a-real-share-token",
        "/problems",
        "/api/v1/frameworks",
        "/api/v1/learners/CB000000000000/outcomes",
        "/openapi.json",
        "/healthz",
        "/static/style.css",
        "/no/such/page",
    ],
)
def test_every_response_sends_the_security_headers(bank: str, path: str) -> None:
    response = httpx2.get(bank + path, headers={"Accept": "text/html"}, timeout=15)
    assert_common_headers(response)
    policy = directives(response.headers["content-security-policy"])
    assert not SAME_SITE_ONLY.search(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["form-action"] == "'self'" and policy["base-uri"] == "'none'"
    assert "strict-transport-security" not in response.headers  # plain http here


@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
def test_the_api_docs_are_served_by_the_bank_under_the_page_policy(bank: str, path: str) -> None:
    """The Swagger UI and ReDoc work offline: every file they load is the bank's, under the
    policy of every other page (nothing inline, nothing from another site)."""
    docs = httpx2.get(bank + path, timeout=15)
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert_common_headers(docs)
    nonce = re.search(r'data-style-nonce="([^"]+)"', docs.text)
    if path == "/api/redoc":  # ReDoc's own <style> elements carry a nonce made for the answer
        assert nonce is not None
        assert docs.headers["content-security-policy"] == PAGE_POLICY.replace(
            "style-src 'self'", f"style-src 'self' 'nonce-{nonce.group(1)}'"
        )
        assert nonce.group(1) not in httpx2.get(bank + path, timeout=15).text  # a new one
    else:
        assert nonce is None
        assert docs.headers["content-security-policy"] == PAGE_POLICY
    assert "'unsafe-inline'" not in docs.headers["content-security-policy"]
    assert not INLINE["an inline script"].search(docs.text)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert [a for a in assets if a.endswith(".js")], assets
    for asset in assets:
        assert asset.startswith("/"), asset  # the bank's own
        answer = httpx2.get(bank + asset, timeout=15)
        assert answer.status_code == 200, asset
        assert answer.headers["content-security-policy"] == PAGE_POLICY
    document = re.search(r'data-openapi-url="([^"]+)"', docs.text)
    assert document is not None
    assert httpx2.get(bank + document.group(1), timeout=15).json()["info"]["title"] == "creditbank"


def test_an_unexpected_error_is_answered_with_the_headers_too(database: Database) -> None:
    app = build_app(settings_for(database.url), database)

    @app.get("/broken-on-purpose")
    def broken() -> None:
        message = "a fault that reaches Starlette's outermost layer"
        raise RuntimeError(message)

    with LiveServer(app) as server:
        for accept in ("text/html", "application/json"):
            response = httpx2.get(
                server.url("/broken-on-purpose"), headers={"Accept": accept}, timeout=15
            )
            assert response.status_code == 500
            assert_common_headers(response)
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]


INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_needs_what_the_policy_forbids() -> None:
    root = Path(str(resources.files("creditbank.web") / "templates"))
    templates = sorted(root.rglob("*.html"))
    assert len(templates) > 20
    found = [
        f"{template.relative_to(root)}: {what}"
        for template in templates
        for what, pattern in INLINE.items()
        if pattern.search(template.read_text())
    ]
    assert not found


# --- creditbank serve behind a proxy -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(
    database: Database, tmp_path: Path, python: ForkedPython, *, proxy: bool
) -> Iterator[str]:
    """``creditbank serve`` on ``database``, with the proxy settings on or off: the installed
    script's entry point in a process of its own (tests/support/console_script.py), forked from
    a zygote that imported the project once (``forked_python``: a fraction of a second instead of
    about 3 s of CPU to start)."""
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        institutions.add_user(
            uow=uow, email=OWNER, role=Role.REGISTRAR, institution="JSVC", password=PASSWORD
        )
    settings = settings_for(database.url)
    port = _free_port()
    env = {
        **python.environment,
        "CREDITBANK_ENVIRONMENT": settings.environment.value,
        "CREDITBANK_DATABASE_URL": database.url,
        "CREDITBANK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "CREDITBANK_DATA_KEY": settings.data_key.get_secret_value(),
        "CREDITBANK_PORT": str(port),
    }
    if proxy:
        env |= {"CREDITBANK_PROXY_HEADERS": "true", "CREDITBANK_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    command = [python.path, "-m", "tests.support.console_script", "creditbank", "serve"]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"creditbank serve did not start: {error}")
            try:
                if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "creditbank serve did not answer within 60 s"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stderr is not None:
            process.stderr.close()


def cookie(response: httpx2.Response, name: str) -> str:
    """The Set-Cookie header of cookie ``name`` in ``response``."""
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def log_in(url: str, password: str, headers: dict[str, str]) -> httpx2.Response:
    """The login form filled in, sent with ``headers``; the CSRF cookie passed by hand (a
    Secure cookie is never sent back over plain http by a client, only by the proxy)."""
    with httpx2.Client(base_url=url, timeout=30, headers={"Accept-Language": "en"}) as client:
        form = client.get("/login", headers={"Accept": "text/html", **headers})
        value = cookie(form, "cb_csrf").split(";", 1)[0]
        client.cookies.clear()
        return client.post(
            "/login",
            headers={"Accept": "text/html", "Cookie": value, **headers},
            data={
                "csrf_token": csrf_of(form.text),
                "kind": "staff",
                "login": OWNER,
                "password": password,
            },
        )


def test_behind_a_trusted_proxy_cookies_are_secure_and_clients_are_told_apart(
    database: Database, tmp_path: Path, forked_python: ForkedPython
) -> None:
    with served(database, tmp_path, forked_python, proxy=True) as url:
        page = httpx2.get(f"{url}/login", headers=HTTPS, timeout=15)
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert "; secure" in cookie(page, "cb_csrf").lower()
        # an attacker's wrong passwords, from its own address ...
        attacker = {**HTTPS, "X-Forwarded-For": "203.0.113.9"}
        answers = [log_in(url, "wrong password!", attacker).status_code for _ in range(6)]
        assert answers == [422] * 5 + [429]
        throttled = log_in(url, PASSWORD, attacker)
        assert throttled.status_code == 429
        assert 0 < int(throttled.headers["retry-after"]) <= 60
        assert "Too many failed attempts" in throttled.text
        # ... never stop the owner, from theirs
        owner = log_in(url, PASSWORD, {**HTTPS, "X-Forwarded-For": "198.51.100.7"})
        assert owner.status_code == 303, owner.text
        session = cookie(owner, "cb_session").lower()
        assert "; secure" in session and "; httponly" in session
        assert owner.headers["strict-transport-security"] == "max-age=31536000"
        # plain http through the proxy: no HSTS, no Secure
        plain = httpx2.get(f"{url}/login", headers={"X-Forwarded-Proto": "http"}, timeout=15)
        assert "strict-transport-security" not in plain.headers
        assert "secure" not in cookie(plain, "cb_csrf").lower()


def test_without_the_setting_forwarded_headers_are_ignored(
    database: Database, tmp_path: Path, forked_python: ForkedPython
) -> None:
    with served(database, tmp_path, forked_python, proxy=False) as url:
        page = httpx2.get(f"{url}/login", headers=HTTPS, timeout=15)
        assert "strict-transport-security" not in page.headers
        assert "secure" not in cookie(page, "cb_csrf").lower()
        # five failures, each claiming another address: all are counted for 127.0.0.1
        for index in range(5):
            forged = {**HTTPS, "X-Forwarded-For": f"192.0.2.{index}"}
            assert log_in(url, "wrong password!", forged).status_code == 422
        again = log_in(url, PASSWORD, {**HTTPS, "X-Forwarded-For": "198.51.100.7"})
        assert again.status_code == 429
