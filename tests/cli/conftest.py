"""CLI runners whose commands use a test database (both backends) or a live bank's database.

Most CLI tests take ``initialised`` (a database as ``creditbank init`` leaves it). Those share
one database per module and backend, a copy of the worker's initialised template (migrated plus
the built-in frameworks: exactly what ``creditbank init`` makes, by the same
:func:`creditbank.bootstrap.initialise`), and each runs pinned: every unit of work of the test,
the CLI's included (its ``open_database`` is handed the test's database), is a SAVEPOINT in one
transaction rolled back at the test's end, so each test starts from the module's database as it
was. The tests that use a module's world (:class:`Once`) share a second such database, in which
the module's first test builds the world (committed, unpinned) once.

A test that works past the pin gets a database of its own instead (a copy of the template, its
world restored from a snapshot of the module's first build, :class:`Once` again): one that runs
``init`` itself (``cli`` without ``initialised``), one on a live bank, and one marked
``own_database`` because something of it opens the database by its URL (a worker process). What
a test does behind the bank's back (tests/support/tamper.py) goes through a unit of work of the
test's database, so it is rolled back with the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from creditbank import bootstrap
from creditbank.cli import accounts as cli_accounts
from creditbank.cli import common as cli_common
from creditbank.cli import log as cli_log
from creditbank.cli import main as cli_main
from creditbank.cli import xcert as cli_xcert
from creditbank.db import Database
from creditbank.settings import Settings, get_settings
from tests.conftest import BACKENDS, LiveBank, _new_database
from tests.support.databases import PinnableDatabase, PostgresTemplates, SqliteTemplates

T = TypeVar("T")

_OPENING_MODULES = (cli_common, cli_accounts, cli_log, cli_main, cli_xcert)
"""The CLI modules that open the database (``open_database``)."""


def _runner(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", url)
    monkeypatch.setenv("CREDITBANK_DEFAULT_LANGUAGE", "en")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


class Pin:
    """A module's shared database pinned for one test (see the module's docstring); :class:`Once`
    stops and starts it to build a world in it that stays."""

    def __init__(self, database: PinnableDatabase) -> None:
        self.database = database
        self._pinned: AbstractContextManager[None] | None = None

    @property
    def running(self) -> bool:
        return self._pinned is not None

    def start(self) -> None:
        self._pinned = self.database.pinned()
        self._pinned.__enter__()

    def stop(self) -> None:
        assert self._pinned is not None
        pinned, self._pinned = self._pinned, None
        pinned.__exit__(None, None, None)


def _writes_past_the_pin(request: pytest.FixtureRequest) -> bool:
    return (
        "initialised" not in request.fixturenames
        or "live_cli" in request.fixturenames
        or request.node.get_closest_marker("own_database") is not None
    )


@pytest.fixture(scope="module")
def _module_databases() -> Iterator[dict[tuple[str, bool], PinnableDatabase]]:
    made: dict[tuple[str, bool], PinnableDatabase] = {}
    yield made
    for database in made.values():
        Database.dispose(database)


@pytest.fixture(params=BACKENDS)
def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    _module_databases: dict[tuple[str, bool], PinnableDatabase],
) -> Iterator[Database]:
    """The test's database: the module's shared one, pinned (see the module's docstring), or a
    database of its own for a test that writes past the pin."""
    if _writes_past_the_pin(request):
        database = _new_database(
            request, request.param, tmp_path, initialised="initialised" in request.fixturenames
        )
        yield database
        database.dispose()
        return
    key = (request.param, "once" in request.fixturenames)
    if key not in _module_databases:
        made = _new_database(
            request, request.param, tmp_path_factory.mktemp("cli"), initialised=True
        )
        assert isinstance(made, PinnableDatabase)
        _module_databases[key] = made
    shared = _module_databases[key]
    pin = Pin(shared)
    request.node.stash[_PIN] = pin
    pin.start()
    try:
        yield shared
    finally:
        if pin.running:
            pin.stop()


_PIN = pytest.StashKey[Pin]()


def _hand_over(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI's ``open_database`` return ``database`` (wired as the CLI would wire its
    own), whose ``dispose`` the CLI's commands then leave to the fixture."""

    def opened(settings: Settings | None = None) -> Database:
        return bootstrap.wire(database, settings or get_settings())

    monkeypatch.setattr(database, "dispose", lambda: None)
    for module in _OPENING_MODULES:
        monkeypatch.setattr(module, "open_database", opened)


@pytest.fixture
def cli(
    database: Database, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """A runner on the test database (migrated; initialised when the test takes
    ``initialised``)."""
    if _PIN in request.node.stash:
        _hand_over(database, monkeypatch)
    yield from _runner(database.url, monkeypatch)


@pytest.fixture
def initialised(cli: CliRunner) -> CliRunner:
    """A runner on a database as ``creditbank init`` leaves it (see the module's docstring;
    ``test_cli.py::test_init_is_idempotent`` runs ``init`` itself, twice)."""
    return cli


@pytest.fixture
def live_cli(live_bank: LiveBank, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on the database behind the live bank, so CLI-made tokens can be used over HTTP."""
    yield from _runner(live_bank.database.url, monkeypatch)


@dataclass
class _World:
    """A world a module's tests start from: what ``build`` returned, and the snapshot that
    own-database tests restore (none for a world built in a shared database)."""

    value: object
    templates: SqliteTemplates | PostgresTemplates
    snapshot: Any = None


class Once:
    """Builds a module's world once per backend (see the module's docstring)."""

    def __init__(
        self,
        database: Database,
        templates: SqliteTemplates | PostgresTemplates,
        made: dict[tuple[str, str, str], _World],
        pin: Pin | None,
    ) -> None:
        self._database = database
        self._templates = templates
        self._made = made
        self._pin = pin

    def __call__(self, name: str, build: Callable[[], T]) -> T:
        """What ``build`` returned when it built the world ``name`` on this backend, with the
        test's database made what ``build`` left it; ``build`` runs once per module, backend and
        kind of database (shared or own), and what it returns must hold nothing of that test's
        own."""
        kind = "own" if self._pin is None else "shared"
        key = (kind, self._database.engine.dialect.name, name)
        world = self._made.get(key)
        if world is not None:
            if world.snapshot is not None:
                self._templates.restore(world.snapshot, self._database)
            return world.value  # type: ignore[return-value]
        if self._pin is None:
            value = build()
            snapshot = self._templates.snapshot(self._database)
            self._made[key] = _World(value, self._templates, snapshot)
            return value
        self._pin.stop()  # the world is built for every test of the module: committed
        try:
            value = build()
        finally:
            self._pin.start()
        self._made[key] = _World(value, self._templates)
        return value


@pytest.fixture(scope="module")
def _worlds() -> Iterator[dict[tuple[str, str, str], _World]]:
    made: dict[tuple[str, str, str], _World] = {}
    yield made
    for world in made.values():
        if world.snapshot is not None:
            world.templates.drop(world.snapshot)


_TEMPLATES = {"sqlite": "sqlite_templates", "postgresql": "pg_templates"}


@pytest.fixture
def once(
    database: Database,
    request: pytest.FixtureRequest,
    _worlds: dict[tuple[str, str, str], _World],
) -> Once:
    """:class:`Once` on the test's database."""
    templates = request.getfixturevalue(_TEMPLATES[database.engine.dialect.name])
    return Once(database, templates, _worlds, request.node.stash.get(_PIN, None))
