"""Shared fixtures: a database on each backend, a live server, the CLI runner.

Every storage, API and CLI test that takes ``database`` (or a fixture built on
it) runs twice: on an embedded SQLite file and on a real PostgreSQL cluster the
suite starts itself. With ``CREDITBANK_REQUIRE_POSTGRES=1`` (CI) a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import base64
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.bootstrap import build_app, initialise, migrate
from creditbank.db import Database
from creditbank.settings import Environment, Settings
from tests.support.browser import LiveServer
from tests.support.postgres import PostgresCluster, postgres_available, require_postgres
from tests.support.requirements import require_or_skip

# Speed is measured in benchmarks, never in tests: no per-example deadline (a busy CI machine
# made hypothesis call a slow example a failure).
hypothesis_settings.register_profile("creditbank", deadline=None)
hypothesis_settings.load_profile("creditbank")

BACKENDS = ("sqlite", "postgresql")
TEMPLATE_DB = "creditbank_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    require_or_skip(
        postgres_available(), required=require_postgres(), setting="CREDITBANK_REQUIRE_POSTGRES"
    )
    with PostgresCluster() as cluster:
        template = Database(cluster.create_database(TEMPLATE_DB))
        migrate(template)
        template.dispose()
        yield cluster


def _new_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Database:
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'creditbank.db'}")
        migrate(database)
        return database
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"t{os.getpid()}_{next(_counter)}"
    return Database(cluster.create_database(name, template=TEMPLATE_DB))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database; SQLite and PostgreSQL in turn."""
    database = _new_database(request, request.param, tmp_path)
    yield database
    database.dispose()


def test_settings(database_url: str) -> Settings:
    """Settings for a test bank: test mode, real-length secrets, a fresh data key."""
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        secret_key="t" * 40,
        data_key=base64.b64encode(os.urandom(32)).decode(),
    )


@dataclass(frozen=True)
class LiveBank:
    """A bank served by uvicorn on loopback, the database behind it and its settings."""

    url: str
    database: Database
    settings: Settings

    @property
    def cipher(self) -> PersonalDataCipher:
        """The bank's cipher of personal data (to open accounts the app can read)."""
        return PersonalDataCipher.from_base64(self.settings.data_key.get_secret_value())


@pytest.fixture(scope="module", params=BACKENDS)
def live_bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBank]:
    """A live bank with the built-in frameworks, one per test module and backend."""
    database: Database = _new_database(request, request.param, tmp_path_factory.mktemp("bank"))
    initialise(database)
    settings = test_settings(database.url)
    with LiveServer(build_app(settings, database)) as server:
        yield LiveBank(server.base_url, database, settings)
    database.dispose()


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> str:
    """The base URL of the live bank."""
    return live_bank.url
