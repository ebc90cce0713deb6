"""The concurrency suite's tools: a second server process on the same database, people with
tokens, and :func:`race`, which sends requests from real threads released together.

Every race runs against a bank served by uvicorn in this process (SQLite and PostgreSQL in
turn, one bank per backend for the whole run of a test process) AND a second bank served by ``creditbank serve``'s app in another
process over the same database, the threads alternating between them: a guard that lived
in one process (a lock, a cache) would not hold, only one in the database does.

:data:`TALLY` counts what the suite ran (races, rounds, requests, 5xx answers, sources
converted twice); the figures are printed at the end of the run.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from creditbank.bootstrap import build_app
from creditbank.institutions import service as institutions
from tests import conversion_world
from tests.conftest import BACKENDS, ForkedPython, LiveBank, _new_database, test_settings
from tests.support.browser import LiveServer

PROBLEM = "application/problem+json"
ROUNDS = 4
"""Rounds of each race (each round a fresh subject: outcome, rule, application...)."""
RACERS = 8
"""Threads released together in one round."""


@dataclass
class Tally:
    """What the suite ran, over all modules and both databases."""

    races: set[str] = field(default_factory=set)
    rounds: int = 0
    requests: int = 0
    server_errors: int = 0
    double_conversions: int = 0


TALLY = Tally()


@dataclass(frozen=True)
class Banks:
    """The same bank served twice: here (``live``) and by another process (``other_url``)."""

    live: LiveBank
    other_url: str

    @property
    def urls(self) -> tuple[str, str]:
        return (self.live.url, self.other_url)

    def token(self, email: str) -> str:
        """A new API token of the user ``email``."""
        with self.live.database.unit_of_work() as uow:
            return institutions.create_token(uow=uow, email=email).secret

    def client(self, token: str) -> httpx2.Client:
        """A client of the in-process server (for setting up and reading back)."""
        return httpx2.Client(
            base_url=self.live.url,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            timeout=30,
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve_elsewhere(
    live: LiveBank, log: Path, python: ForkedPython
) -> tuple[subprocess.Popen[bytes], str]:
    """Serve ``live``'s database from a new process (the app ``creditbank serve`` runs), forked
    from the zygote of ``forked_python`` (tests/conftest.py)."""
    port = _free_port()
    settings = live.settings
    env = {
        **python.environment,
        "CREDITBANK_ENVIRONMENT": settings.environment.value,
        "CREDITBANK_DATABASE_URL": live.database.url,
        "CREDITBANK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "CREDITBANK_DATA_KEY": settings.data_key.get_secret_value(),
        # like the bank in this process, it never asks witnesses by itself within a test (each
        # round would ask every peer bank left in the database, a TLS context each)
        "CREDITBANK_LOG_PUBLISH_SECONDS": str(settings.log_publish_seconds),
    }
    with log.open("wb") as errors:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                python.path,
                "-m",
                "uvicorn",
                "creditbank.bootstrap:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the second server did not start: {log.read_text()}")
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    pytest.fail("the second server did not answer within 30 s")


@pytest.fixture(scope="session", params=BACKENDS)
def banks(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    forked_python: ForkedPython,
) -> Iterator[Banks]:
    """A bank with the built-in frameworks on each backend, served in this process and in
    another one (whose log is kept in a temporary file); one for the whole suite, so that
    each module builds its own world in it instead of starting servers again."""
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("bank"), initialised=True
    )
    settings = test_settings(database.url)
    with LiveServer(build_app(settings, database)) as server:
        live = LiveBank(server.base_url, database, settings)
        process, url = _serve_elsewhere(
            live, tmp_path_factory.mktemp("other") / "server.log", forked_python
        )
        try:
            yield Banks(live, url)
        finally:
            process.terminate()
            process.wait(timeout=10)
    database.dispose()


@dataclass(frozen=True)
class Call:
    """One request of a race: who sends what (JSON with an API token, or a page's form with a
    session's cookies)."""

    token: str | None
    method: str
    path: str
    body: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    """Files of a multipart form (with ``form`` as its fields)."""


def race(name: str, banks: Banks, calls: Sequence[Call]) -> list[httpx2.Response]:
    """Send ``calls`` at once: one thread and one client each (alternately to either server),
    released together by a barrier. Answers in the order of ``calls``; a 5xx fails the test."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx2.Response | BaseException | None] = [None] * len(calls)

    def send(index: int, call: Call) -> None:
        headers = {"Accept-Language": "en"}
        if call.token is not None:
            headers["Authorization"] = f"Bearer {call.token}"
        with httpx2.Client(
            base_url=banks.urls[index % 2], headers=headers, cookies=call.cookies, timeout=60
        ) as client:
            barrier.wait()
            try:
                answers[index] = client.request(
                    call.method, call.path, json=call.body, data=call.form, files=call.files
                )
            except httpx2.HTTPError as error:  # pragma: no cover - reported below
                answers[index] = error

    threads = [
        threading.Thread(target=send, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    TALLY.races.add(name)
    TALLY.rounds += 1
    TALLY.requests += len(calls)
    responses = [answer for answer in answers if isinstance(answer, httpx2.Response)]
    assert len(responses) == len(calls), answers
    server_errors = [r for r in responses if r.status_code >= 500]
    TALLY.server_errors += len(server_errors)
    assert not server_errors, [(r.status_code, r.text) for r in server_errors]
    return responses


def winners(answers: Sequence[httpx2.Response], *statuses: int) -> list[httpx2.Response]:
    """The answers with one of ``statuses`` (200 when none is given)."""
    wanted = statuses or (200,)
    return [answer for answer in answers if answer.status_code in wanted]


def losers_are_conflicts(answers: Sequence[httpx2.Response], *slugs: str, ok: int = 200) -> None:
    """Every answer other than an ``ok`` one is a 409 problem of one of the types ``slugs``."""
    for answer in answers:
        if answer.status_code == ok:
            continue
        assert answer.status_code == 409, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        problem = answer.json()
        assert problem["type"] in {f"/problems/{slug}" for slug in slugs}, problem
        assert problem["detail"], problem


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures of the run, for the closing note of issue 15."""
    if not TALLY.rounds:
        return
    terminalreporter.write_line(
        f"concurrency: {len(TALLY.races)} races, {TALLY.rounds} rounds, "
        f"{TALLY.requests} requests, {TALLY.server_errors} 5xx answers, "
        f"{TALLY.double_conversions} sources converted twice"
    )


@dataclass(frozen=True)
class World:
    """The 1+X world of ``tests/conversion_world.py`` and a token for each of its people."""

    banks: Banks
    users: conversion_world.Users
    shvc: str
    teo: str
    admin1: str
    admin2: str


@pytest.fixture(scope="session")
def world(banks: Banks) -> World:
    """SHVC and BIMTEO with their items and programmes, registrars and two bank administrators."""
    with banks.live.database.unit_of_work() as uow:
        users = conversion_world.build(uow)
    return World(
        banks,
        users,
        banks.token(conversion_world.SHVC_REGISTRAR),
        banks.token(conversion_world.TEO_REGISTRAR),
        banks.token(conversion_world.ADMINS[0]),
        banks.token(conversion_world.ADMINS[1]),
    )
