"""Users logged in once per module: each test's page client carries a session made beforehand.

A test that is not about logging in need not log in again: a module fixture logs each user in
once, through the login form, when it builds the module's world (so the session is committed
with that world), and every test then gets a new client of its own carrying that session's
cookies, in the language it asks for. Each test of an in-process bank is rolled back, so the
session is at every test's start as the login left it (a test that logs out, changes a
password or uses the session changes nothing for the next test). Tests about logging in still
log in themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2

from tests.support.pages import log_in, page_client


class SignedIn:
    """Sessions of a module's users, made once: ``staff``/``learner`` give clients carrying one."""

    def __init__(self, bank: str, password: str) -> None:
        self._bank = bank
        self._password = password
        self._cookies: dict[tuple[str, str], httpx2.Cookies] = {}

    def log_in(self, kind: str, *logins: str) -> SignedIn:
        """Log each of ``logins`` in through the login form (``kind``: staff or learner)."""
        for login in logins:
            with page_client(self._bank) as client:
                assert log_in(client, kind, login, self._password).status_code == 303
                self._cookies[kind, login] = httpx2.Cookies(client.cookies)
        return self

    @contextmanager
    def staff(self, email: str, language: str = "en") -> Iterator[httpx2.Client]:
        """A page client of staff user ``email``, logged in."""
        with self._client("staff", email, language) as client:
            yield client

    @contextmanager
    def learner(self, number: str, language: str = "en") -> Iterator[httpx2.Client]:
        """A page client of the learner with account ``number``, logged in."""
        with self._client("learner", number, language) as client:
            yield client

    @contextmanager
    def _client(self, kind: str, login: str, language: str) -> Iterator[httpx2.Client]:
        cookies = self._cookies.get((kind, login))
        assert cookies is not None, f"{kind} {login} was not logged in by the module's fixture"
        with page_client(self._bank, language) as client:
            client.cookies.update(cookies)
            yield client
