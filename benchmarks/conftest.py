"""Benchmarks reuse the test suite's databases: SQLite and a throwaway PostgreSQL.

Each benchmark's ``database`` is a copy of the migrated template of its own (``benchmarks`` is
one of tests.conftest's ``OWN_DATABASE_DIRECTORIES``), so its commits are real commits.

A smoke run (tests/smoke) passes the options the command-line benchmarks take
(benchmarks/databases.py): ``--postgres-server URL`` with ``--postgres-template NAME``, and
``--sqlite-template FILE``. The copies are then made from those already migrated templates (the
test worker's), on that running server: no ``initdb``, no server start, no migration of
templates of this process's own. Without them (``make bench``) this process makes its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from tests.conftest import database, pg_cluster
from tests.support.databases import (
    PinnableDatabase,
    PostgresTemplates,
    SqliteTemplates,
    sqlite_url,
)

from benchmarks.databases import Databases

__all__ = ["database", "pg_cluster", "pg_templates", "sqlite_templates"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("benchmark databases", "for smoke runs (tests/smoke)")
    group.addoption("--postgres-server", metavar="URL", help="copy PostgreSQL databases there")
    group.addoption("--postgres-template", metavar="NAME", help="from this migrated database")
    group.addoption("--sqlite-template", metavar="FILE", help="copy SQLite databases from this")


class ServerTemplates:
    """Copies of a migrated template on a running server (``--postgres-server``), dropped when
    ``stack`` closes; what tests.conftest's ``_new_database`` asks of ``pg_templates``."""

    def __init__(self, stack: ExitStack, server: str, template: str) -> None:
        self._databases = Databases(stack, server, template=template)

    def copy(self, *, initialised: bool = False) -> PinnableDatabase:
        assert not initialised, "the benchmarks start from a migrated database"
        return PinnableDatabase(self._databases.postgresql("pytest"))


class FileTemplates:
    """Copies of a migrated SQLite file (``--sqlite-template``); what tests.conftest's
    ``_new_database`` asks of ``sqlite_templates``."""

    def __init__(self, template: Path) -> None:
        self._template = template

    def copy(self, target: Path, *, initialised: bool = False) -> PinnableDatabase:
        assert not initialised, "the benchmarks start from a migrated database"
        shutil.copyfile(self._template, target)
        return PinnableDatabase(sqlite_url(target))


@pytest.fixture(scope="session")
def pg_templates(request: pytest.FixtureRequest) -> Iterator[PostgresTemplates | ServerTemplates]:
    """The server's template if ``--postgres-server`` names one (session scope: one server for
    the run), else a cluster of this process's own with a template migrated here."""
    server = request.config.getoption("--postgres-server")
    template = request.config.getoption("--postgres-template")
    if not server:
        yield PostgresTemplates(request.getfixturevalue("pg_cluster"))
        return
    if not template:
        msg = "--postgres-server needs --postgres-template"
        raise pytest.UsageError(msg)
    with ExitStack() as stack:
        yield ServerTemplates(stack, server, template)


@pytest.fixture(scope="session")
def sqlite_templates(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> SqliteTemplates | FileTemplates:
    """The ``--sqlite-template`` file if given (session scope: one file for the run), else a
    file of this process's own migrated on first use."""
    template = request.config.getoption("--sqlite-template")
    if template:
        return FileTemplates(Path(template))
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))
