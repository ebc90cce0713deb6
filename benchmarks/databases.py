"""Where a benchmark's PostgreSQL databases live: a throwaway cluster, or a server already running.

By default a benchmark starts a throwaway cluster of its own (``initdb``, tuned with the
benchmark's server settings) and creates its databases there, as ``make bench`` runs it. A smoke
run (tests/smoke) instead passes ``--postgres-server URL``: the URL of a database on a running
server where the URL's user may create databases (the test suite's cluster, as its superuser).
The benchmark then creates its databases there under names of its own and drops them when it
ends; no ``initdb``, no server start. The server's settings are then the server's own, not the
benchmark's (they matter only at full size).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from contextlib import ExitStack
from itertools import count
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from tests.support.postgres import PostgresCluster

SERVER_HELP = (
    "for smoke runs: create the PostgreSQL databases on this running server (the URL of a"
    " database on it, as a user who may create databases) instead of starting a throwaway"
    " cluster; they are dropped at the end"
)
_serial = count()


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    """``--postgres-server URL``, for benchmarks that take ``--backend``."""
    parser.add_argument("--postgres-server", metavar="URL", help=SERVER_HELP)


class PostgresDatabases:
    """New, empty PostgreSQL databases for one benchmark run, all gone when ``stack`` closes.

    On ``server`` if given (each named after the benchmark's name for it plus this process's
    id, dropped at the end), else in a throwaway cluster with ``settings``, started on first use.
    """

    def __init__(
        self, stack: ExitStack, server: str | None, settings: Mapping[str, str] | None = None
    ) -> None:
        self._stack = stack
        self._server = server
        self._settings = settings
        self._cluster: PostgresCluster | None = None

    def create(self, name: str) -> str:
        """The URL of a new, empty database."""
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
            connection.execute(text(f'CREATE DATABASE "{unique}"'))

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{unique}" WITH (FORCE)'))

        self._stack.callback(drop)
        return make_url(self._server).set(database=unique).render_as_string(hide_password=False)
