"""Where a benchmark's databases live: as ``make bench`` makes them, or cheaper for smoke runs.

By default a benchmark starts a throwaway PostgreSQL cluster of its own (``initdb``, tuned with
the benchmark's server settings) and creates empty databases there, and SQLite databases are new
files; the benchmark then migrates them. A smoke run (tests/smoke) passes instead:

- ``--postgres-server URL``: the URL of a database on a running server where the URL's user may
  create databases (the test suite's cluster, as its superuser). The benchmark creates its
  databases there under names of its own and drops them when it ends: no ``initdb``, no server
  start. The server's settings are then the server's own (they matter only at full size).
- ``--postgres-template NAME`` (with ``--postgres-server``) and ``--sqlite-template FILE``: an
  already migrated database (the suite's migrated templates) that each new database is a copy
  of, so the benchmark's own migration finds nothing to do. PostgreSQL (15 or later) copies the
  template's files (``STRATEGY FILE_COPY``) rather than writing every block through the WAL
  (the default): the same database, for about a third of the server's CPU at this size (13 MB:
  0.03-0.04 s against 0.1-0.16 s a copy, measured on the suite's cluster, whose ``fsync`` is
  off, so the two checkpoints a file copy asks for cost little).
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Mapping
from contextlib import ExitStack
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from tests.support.postgres import PostgresCluster

_serial = count()
FILE_COPY_SINCE = 150000  # server_version_num of PostgreSQL 15: CREATE DATABASE ... STRATEGY


def add_sqlite_template_argument(parser: argparse.ArgumentParser) -> None:
    """``--sqlite-template FILE``."""
    parser.add_argument(
        "--sqlite-template",
        metavar="FILE",
        type=Path,
        help="for smoke runs: each SQLite database starts as a copy of this migrated file",
    )


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    """``--postgres-server URL``, ``--postgres-template NAME`` and ``--sqlite-template FILE``."""
    parser.add_argument(
        "--postgres-server",
        metavar="URL",
        help=(
            "for smoke runs: create the PostgreSQL databases on this running server (the URL of"
            " a database on it, as a user who may create databases) instead of starting a"
            " throwaway cluster; they are dropped at the end"
        ),
    )
    parser.add_argument(
        "--postgres-template",
        metavar="NAME",
        help="for smoke runs, with --postgres-server: create them from this migrated database",
    )
    add_sqlite_template_argument(parser)


def sqlite_database(path: Path, template: Path | None) -> str:
    """The URL of a SQLite database at ``path``: a copy of ``template`` if given, else new."""
    if template is not None:
        shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class Databases:
    """New databases for one benchmark run; the PostgreSQL ones gone when ``stack`` closes.

    PostgreSQL: on ``server`` if given (each named after the benchmark's name for it plus this
    process's id, copied from ``template`` if given, dropped at the end), else empty ones in a
    throwaway cluster with ``settings``, started on first use. SQLite: copies of
    ``sqlite_template`` if given, else new files.
    """

    def __init__(
        self,
        stack: ExitStack,
        server: str | None,
        settings: Mapping[str, str] | None = None,
        *,
        template: str | None = None,
        sqlite_template: Path | None = None,
    ) -> None:
        self._stack = stack
        self._server = server
        self._settings = settings
        self._template = template
        self._sqlite_template = sqlite_template
        self._cluster: PostgresCluster | None = None

    def sqlite(self, path: Path) -> str:
        """The URL of a new SQLite database at ``path``."""
        return sqlite_database(path, self._sqlite_template)

    def postgresql(self, name: str) -> str:
        """The URL of a new PostgreSQL database."""
        if self._server is None:
            if self._cluster is None:
                from tests.support.postgres import PostgresCluster  # noqa: PLC0415

                cluster = PostgresCluster(settings=self._settings)
                self._cluster = self._stack.enter_context(cluster)
            return self._cluster.create_database(name)
        unique = f"bench_{name}_{os.getpid()}_{next(_serial)}"
        admin = create_engine(self._server, isolation_level="AUTOCOMMIT")
        self._stack.callback(admin.dispose)
        with admin.connect() as connection:
            template = ""
            if self._template:
                template = f' TEMPLATE "{self._template}"'
                version = connection.execute(text("SHOW server_version_num")).scalar_one()
                if int(version) >= FILE_COPY_SINCE:
                    template += " STRATEGY FILE_COPY"
            connection.execute(text(f'CREATE DATABASE "{unique}"{template}'))

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{unique}" WITH (FORCE)'))

        self._stack.callback(drop)
        return make_url(self._server).set(database=unique).render_as_string(hide_password=False)


def databases_of(
    stack: ExitStack, arguments: argparse.Namespace, settings: Mapping[str, str] | None = None
) -> Databases:
    """:class:`Databases` as the command line (:func:`add_server_argument`) asks."""
    if arguments.postgres_template and not arguments.postgres_server:
        msg = "--postgres-template needs --postgres-server"
        raise SystemExit(msg)
    return Databases(
        stack,
        arguments.postgres_server,
        settings,
        template=arguments.postgres_template,
        sqlite_template=arguments.sqlite_template,
    )
