"""Test databases that cost no migration per test.

* :class:`Templates` migrates once per test process (pytest-xdist worker) and backend, and
  initialises (built-in frameworks) a second template on first use. A test database is then a
  copy: SQLite copies the template file (milliseconds), PostgreSQL clones the template database
  (``CREATE DATABASE ... TEMPLATE``).
* :class:`RolledBackDatabase` is a :class:`~creditbank.db.Database` whose every unit of work
  joins one outer transaction on one connection, as a SAVEPOINT
  (``join_transaction_mode="create_savepoint"``, the pattern of pypi/warehouse's and
  Netflix/dispatch's conftests): a unit of work that commits releases its savepoint, one that
  fails rolls back to it, and the end of the test rolls the outer transaction back, so the
  shared database is as the template left it for the next test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from creditbank.bootstrap import initialise, migrate
from creditbank.db import Database, UnitOfWork
from tests.support.postgres import PostgresCluster

TEMPLATE_DB = "creditbank_template"
INITIALISED_TEMPLATE_DB = "creditbank_template_initialised"
_serial = count()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class SqliteTemplates:
    """A migrated SQLite file (and an initialised one, made on first use) in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._made: dict[bool, Path] = {}

    def path(self, *, initialised: bool) -> Path:
        if initialised not in self._made:
            path = self._directory / ("initialised.db" if initialised else "migrated.db")
            database = Database(sqlite_url(path))
            try:
                initialise(database) if initialised else migrate(database)
            finally:
                database.dispose()  # the last connection closing folds the WAL into the file
            self._made[initialised] = path
        return self._made[initialised]

    def copy(self, target: Path, *, initialised: bool = False) -> Database:
        """A new database at ``target``: a copy of the template."""
        shutil.copyfile(self.path(initialised=initialised), target)
        return Database(sqlite_url(target))


class PostgresTemplates:
    """A migrated template database in ``cluster`` (and an initialised one, made on first use)."""

    def __init__(self, cluster: PostgresCluster) -> None:
        self._cluster = cluster
        database = Database(cluster.create_database(TEMPLATE_DB))
        try:
            migrate(database)
        finally:
            database.dispose()  # a template cannot be cloned while anybody is connected to it
        self._initialised = False

    def _template(self, *, initialised: bool) -> str:
        if not initialised:
            return TEMPLATE_DB
        if not self._initialised:
            database = Database(
                self._cluster.create_database(INITIALISED_TEMPLATE_DB, template=TEMPLATE_DB)
            )
            try:
                initialise(database)
            finally:
                database.dispose()
            self._initialised = True
        return INITIALISED_TEMPLATE_DB

    def copy(self, *, initialised: bool = False) -> Database:
        """A new database cloned from the template."""
        name = f"t{os.getpid()}_{next(_serial)}"
        template = self._template(initialised=initialised)
        return Database(self._cluster.create_database(name, template=template))


class RolledBackDatabase(Database):
    """``shared`` seen through one connection whose outer transaction the caller rolls back.

    Every unit of work is a SAVEPOINT inside that transaction. ``url`` and ``engine`` are the
    shared database's: what goes through them (another connection, a CLI, a second process)
    neither sees this test's rows nor is rolled back, so tests that need that take a database of
    their own (the ``own_database`` marker).
    """

    def __init__(self, shared: Database, connection: Connection) -> None:
        # no super().__init__: it would make a second engine; this one borrows the shared one's
        self.url = shared.url
        self.engine = shared.engine
        self.connection = connection
        self.session_info = {}
        self._joined: Callable[[], Session] = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._joined, self.session_info)

    def dispose(self) -> None:
        """Nothing: the shared database outlives the test."""


@contextmanager
def rolled_back(shared: Database) -> Iterator[RolledBackDatabase]:
    """``shared`` for one test: everything it writes is rolled back at the end."""
    with shared.engine.connect() as connection:
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a write, and a SAVEPOINT outside a
            # transaction would start one that RELEASE then commits: begin for real first
            connection.exec_driver_sql("BEGIN")
        try:
            yield RolledBackDatabase(shared, connection)
        finally:
            outer.rollback()
