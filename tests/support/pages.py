"""Driving the pages over plain HTTP (no browser): forms, their CSRF tokens, logging in."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx2

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def page_client(base_url: str, language: str = "en") -> httpx2.Client:
    """A browser-like client: keeps cookies, asks for HTML, follows no redirects by itself."""
    return httpx2.Client(
        base_url=base_url,
        timeout=15,
        headers={"Accept": "text/html", "Accept-Language": language},
    )


def log_in(client: httpx2.Client, kind: str, login: str, password: str) -> httpx2.Response:
    """Fill in and send the login form (``kind``: staff or learner)."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"csrf_token": token, "kind": kind, "login": login, "password": password},
    )


def post_form(
    client: httpx2.Client,
    path: str,
    data: Mapping[str, str | list[str]],
    form_page: str | None = None,
) -> httpx2.Response:
    """Send a form the way the browser would: with the CSRF token of the page it is on."""
    token = csrf_of(client.get(form_page or path).text)
    return client.post(path, data={"csrf_token": token, **data})
