"""Test databases that cost no migration per test.

* :class:`Templates` migrates once per test process (pytest-xdist worker) and backend, and
  initialises (built-in frameworks) a second template on first use. A test database is then a
  copy: SQLite copies the template file (milliseconds), PostgreSQL clones the template database
  (``CREATE DATABASE ... TEMPLATE``). ``snapshot`` keeps a copy of a test database as it is
  (a world a module's tests start from, built once) and ``restore`` makes another test's
  database such a copy again, in place (same URL).
* :class:`PinnableDatabase` (what the templates' copies are) is a database of its own that
  can be pinned for one test: its units of work then join one outer transaction as
  :class:`RolledBackDatabase`'s do, rolled back at the end, so a bank that a module's fixtures
  built once is the same for every test of the module, whatever the tests did before.
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
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, make_url
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

    def copy(self, target: Path, *, initialised: bool = False) -> PinnableDatabase:
        """A new database at ``target``: a copy of the template."""
        shutil.copyfile(self.path(initialised=initialised), target)
        return PinnableDatabase(sqlite_url(target))

    def snapshot(self, database: Database) -> Path:
        """A copy of ``database`` as it is now (SQLite's online backup: whatever its open
        connections and its write-ahead log hold), kept in the templates' directory."""
        snapshot = self._directory / f"snapshot{os.getpid()}_{next(_serial)}.db"
        _backup(_sqlite_path(database), snapshot)
        return snapshot

    def restore(self, snapshot: Path, database: Database) -> None:
        """Make ``database`` (same file, same URL) a copy of ``snapshot`` again."""
        database.dispose()
        _backup(snapshot, _sqlite_path(database))

    def drop(self, snapshot: Path) -> None:
        snapshot.unlink(missing_ok=True)


def _sqlite_path(database: Database) -> Path:
    name = make_url(database.url).database
    assert name, database.url
    return Path(name)


def _backup(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


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

    def copy(self, *, initialised: bool = False) -> PinnableDatabase:
        """A new database cloned from the template."""
        name = f"t{os.getpid()}_{next(_serial)}"
        template = self._template(initialised=initialised)
        return PinnableDatabase(self._cluster.create_database(name, template=template))

    def snapshot(self, database: Database) -> str:
        """A clone of ``database`` as it is now (its engine's connections are closed first: a
        database being cloned must have none; anybody else's make the clone fail)."""
        database.dispose()
        snapshot = f"s{os.getpid()}_{next(_serial)}"
        self._cluster.create_database(snapshot, template=_pg_name(database))
        return snapshot

    def restore(self, snapshot: str, database: Database) -> None:
        """Make ``database`` (same name, same URL) a clone of ``snapshot`` again."""
        database.dispose()
        name = _pg_name(database)
        self._cluster.drop_database(name)
        self._cluster.create_database(name, template=snapshot)

    def drop(self, snapshot: str) -> None:
        self._cluster.drop_database(snapshot)


def _pg_name(database: Database) -> str:
    name = make_url(database.url).database
    assert name, database.url
    return name


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
        self._guard = _OneThreadAtATime()
        self._joined: Callable[[], Session] = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def unit_of_work(self) -> UnitOfWork:
        return _GuardedUnitOfWork(self._guard, self._joined, self.session_info)

    def dispose(self) -> None:
        """Nothing: the shared database outlives the test."""


@contextmanager
def _outer_transaction(database: Database) -> Iterator[Connection]:
    with database.engine.connect() as connection:
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a write, and a SAVEPOINT outside a
            # transaction would start one that RELEASE then commits: begin for real first
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            outer.rollback()


@contextmanager
def rolled_back(shared: Database) -> Iterator[RolledBackDatabase]:
    """``shared`` for one test: everything it writes is rolled back at the end."""
    with _outer_transaction(shared) as connection:
        yield RolledBackDatabase(shared, connection)


class ConcurrentUseError(RuntimeError):
    """Two threads used a pinned database at once (one connection cannot serve both)."""


class _OneThreadAtATime:
    """Counts the open units of work on one connection, and which thread has them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._depth = 0

    def enter(self) -> None:
        thread = threading.get_ident()
        with self._lock:
            if self._holder not in (None, thread):
                message = (
                    "two threads used the test's database at once, on the one connection of its"
                    " rolled-back transaction; a test that works in parallel needs a database of"
                    " its own (tests.conftest.OWN_DATABASE_TESTS) or an unpinned bank"
                    " (tests.conftest.UNPINNED_TESTS)"
                )
                raise ConcurrentUseError(message)
            self._holder = thread
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._holder = None


class _GuardedUnitOfWork(UnitOfWork):
    """A unit of work on a test's one connection: it refuses to open while another thread has
    one open, which would interleave two threads' statements on that connection."""

    def __init__(
        self,
        guard: _OneThreadAtATime,
        sessions: Callable[[], Session],
        info: Mapping[str, object],
    ) -> None:
        super().__init__(sessions, info)
        self._guard = guard

    def __enter__(self) -> Self:
        self._guard.enter()
        try:
            return super().__enter__()
        except BaseException:
            self._guard.leave()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, traceback)
        finally:
            self._guard.leave()


class PinnableDatabase(Database):
    """A database of its own, whose units of work :meth:`pinned` sends into one transaction."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._pinned: Callable[[], Session] | None = None
        self._guard = _OneThreadAtATime()

    def unit_of_work(self) -> UnitOfWork:
        if self._pinned is None:
            return super().unit_of_work()
        return _GuardedUnitOfWork(self._guard, self._pinned, self.session_info)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """For the ``with`` block, every unit of work is a SAVEPOINT in one transaction that is
        rolled back at the end: nothing written meanwhile stays."""
        with _outer_transaction(self) as connection:
            self._pinned = sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            try:
                yield
            finally:
                self._pinned = None
