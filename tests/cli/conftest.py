"""CLI runners whose commands use a test database (both backends) or a live bank's database.

Each test has a database of its own (the CLI opens it by its URL): a copy of the worker's
migrated template, or, for a test that takes ``initialised``, a copy of its initialised template
(migrated plus the built-in frameworks: exactly what ``creditbank init`` makes, by the same
:func:`creditbank.bootstrap.initialise`), so that only the tests of ``init`` itself run it.

World-building that a module's tests repeat goes through :class:`Once`: the first test of the
module on a backend builds the world in its database and keeps a snapshot of that database;
every other test of the module on that backend gets its database restored from the snapshot
(in place: same URL) instead of building the world again. Each test therefore starts from the
same known state, whichever test runs first, and writes only to its own database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from creditbank.db import Database
from creditbank.settings import get_settings
from tests.conftest import BACKENDS, LiveBank, _new_database
from tests.support.databases import PostgresTemplates, SqliteTemplates

T = TypeVar("T")


def _runner(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", url)
    monkeypatch.setenv("CREDITBANK_DEFAULT_LANGUAGE", "en")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of the test's own: migrated, and initialised if the test takes
    ``initialised`` (a copy of the initialised template instead of running ``init``)."""
    initialised = "initialised" in request.fixturenames
    database = _new_database(request, request.param, tmp_path, initialised=initialised)
    yield database
    database.dispose()


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on the test database (migrated; initialised when the test takes
    ``initialised``)."""
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


class Once:
    """Builds a module's world once per backend (see the module's docstring)."""

    def __init__(
        self,
        database: Database,
        templates: SqliteTemplates | PostgresTemplates,
        made: dict[tuple[str, str], tuple[Any, Any, object]],
    ) -> None:
        self._database = database
        self._templates = templates
        self._made = made

    def __call__(self, name: str, build: Callable[[], T]) -> T:
        """What ``build`` returned when it built the world ``name`` on this backend, with the
        test's database made what ``build`` left it; ``build`` runs on the module's first test
        of the backend only (what it returns must hold nothing of that test's own)."""
        key = (self._database.engine.dialect.name, name)
        if key in self._made:
            _, snapshot, value = self._made[key]
            self._templates.restore(snapshot, self._database)
            return value  # type: ignore[return-value]
        value = build()
        self._made[key] = (self._templates, self._templates.snapshot(self._database), value)
        return value


@pytest.fixture(scope="module")
def _worlds() -> Iterator[dict[tuple[str, str], tuple[Any, Any, object]]]:
    made: dict[tuple[str, str], tuple[Any, Any, object]] = {}
    yield made
    for templates, snapshot, _ in made.values():
        templates.drop(snapshot)


_TEMPLATES = {"sqlite": "sqlite_templates", "postgresql": "pg_templates"}


@pytest.fixture
def once(
    database: Database,
    request: pytest.FixtureRequest,
    _worlds: dict[tuple[str, str], tuple[Any, Any, object]],
) -> Once:
    """:class:`Once` on the test's database."""
    templates = request.getfixturevalue(_TEMPLATES[database.engine.dialect.name])
    return Once(database, templates, _worlds)
