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

import argon2.profiles
import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.bootstrap import build_app
from creditbank.db import Database
from creditbank.institutions import service as staff_service
from creditbank.sessions import service as sessions_service
from creditbank.settings import Environment, Settings
from creditbank.transfers import model as transfers_model
from tests.smoke import zygote
from tests.support.browser import LiveServer
from tests.support.cli import build_commands_once
from tests.support.databases import (
    PinnableDatabase,
    PostgresTemplates,
    SqliteTemplates,
    rolled_back,
)
from tests.support.inprocess import InProcessServer
from tests.support.memory import forget_apps, freeze_imports
from tests.support.postgres import PostgresCluster, postgres_available, require_postgres
from tests.support.requirements import require_or_skip
from tests.support.routes import describe_routes_once, set_up_routes_once
from tests.support.scheduling import LongestFirstScheduling
from tests.support.scratch import use_scratch
from tests.support.tls import share_default_context

# Temporary files (PostgreSQL clusters, SQLite copies, tmp_path, browser profiles) in RAM when
# the machine has room: on a disk their kernel work was a quarter of the run (tests/support/scratch.py).
SCRATCH = use_scratch()

# Speed is measured in benchmarks, never in tests: no per-example deadline (a busy CI machine
# made hypothesis call a slow example a failure).
hypothesis_settings.register_profile("creditbank", deadline=None)
hypothesis_settings.load_profile("creditbank")

# Passwords are hashed with argon2 in tests too, but with argon2-cffi's own profile for tests
# (CHEAPEST) instead of RFC 9106's low-memory one (64 MiB, 3 passes: 0.2 s of CPU per hash or
# login, and the suite makes many staff users and logins). What the code does with the
# hasher (hash, verify, decoy, rehash) is unchanged; tests that hash for themselves still use
# the production parameters, and a login then rehashes, as it would after a parameter change.
TEST_HASHER = PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
assert isinstance(staff_service._hasher, PasswordHasher)
assert isinstance(sessions_service._hasher, PasswordHasher)
staff_service._hasher = TEST_HASHER
sessions_service._hasher = TEST_HASHER
# A transfer package names its learner by scrypt of the identity number
# (transfers.model.IDENTITY_KDF: N=2^14, 16 MiB, about 50 ms of CPU for each package made or
# checked). Tests use the same scrypt, the same salt and length, with N=2^4: both banks of a
# transfer are in the test process, so they agree. The benchmark transfer_import (tests/smoke,
# a process of its own) still makes and checks packages at the production cost.
transfers_model.IDENTITY_KDF = {**transfers_model.IDENTITY_KDF, "n": 2**4}

# Every httpx2 client of the suite shares one default TLS context (tests/support/tls.py).
share_default_context()
# Typer's test runner builds each command line once, as `creditbank` does (tests/support/cli.py).
build_commands_once()
# Each route of the app is set up once per process, not once per app (tests/support/routes.py).
set_up_routes_once()
# And ``/openapi.json``'s schemas once per process for the same fields (tests/support/routes.py).
describe_routes_once()

BACKENDS = ("sqlite", "postgresql")
OWN_DATABASE_DIRECTORIES = frozenset({"cli", "concurrency", "smoke", "benchmarks"})
"""Where ``database`` is a database of the test's own: the CLI opens the database by its URL
(a connection of its own, that would not see a rolled-back test's rows); the races need their
writers in separate connections; the smoke tests run benchmarks in processes of their own;
benchmarks measure real commits."""
OWN_DATABASE_TESTS = frozenset(
    {
        # they read or change the schema and the triggers through connections of their own
        "test_migrations.py",
        "test_one_active_consent.py::test_the_migration_keeps_the_newest_of_several_active_consents",
        "test_ledger.py::test_the_log_and_the_facts_refuse_updates_and_deletes",
        # it reads every stored value through a connection of its own
        "test_learners.py::test_personal_data_is_encrypted_at_rest",
        # `creditbank serve` in a process of its own on the test's database
        "test_web_security.py",
        # guesses from real threads at once, each on a connection of its own
        "test_login_throttling.py::test_parallel_guesses_are_each_counted",
    }
)
"""Tests (``module`` or ``module::function``) whose ``database`` is their own, as if marked
``own_database``: their modules are not edited for it."""
SOCKET_DIRECTORIES = frozenset({"browser", "concurrency", "corpus", "fuzz"})
"""Where ``live_bank`` listens on a real socket: Chromium, the fuzzer and the corpus's clients
talk to it over HTTP as a user's would, and the races span processes. (tests/interop only
reads the bank's database: the Node harness is handed the credentials.)"""
SOCKET_MODULES = frozenset({"test_ledger_api.py"})
"""Modules whose ``live_bank`` listens on a real socket: the log's auditor reads over urllib."""
UNPINNED_TESTS = frozenset(
    {
        # requests from real threads at once, each on a connection of its own
        "test_conversion_api.py::test_two_parallel_requests_make_one_conversion_and_one_conflict",
        "test_conversion_api.py::test_two_parallel_requests_cannot_break_the_same_cap",
        # two refreshes of the skills held from real threads, each its own transaction
        "test_skill_demand_api.py::test_two_refreshes_at_once_one_counts",
        # a rejected batch's report is committed in a transaction of its own, which must outlive
        # the request's (rolled back with the 422): nested in one pinned transaction, it cannot
        "test_batches_api.py::test_a_rejected_upload",
    }
)
"""Tests whose live bank is not rolled back after them (see :func:`bank_rolled_back`): what
they write stays for the module's later tests, which must not depend on it."""
_counter = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    """Where this run's temporary files are (tests/support/scratch.py)."""
    del config
    return f"temporary files: {SCRATCH}"


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``-n 2 --dist loadscope`` (make test): units of a module on one backend, longest first
    (tests/support/scheduling.py)."""
    if config.getoption("dist") != "loadscope":
        return None
    return LongestFirstScheduling(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the collection imported lives until the end: full collections skip it from now on
    (tests/support/memory.py)."""
    del session
    freeze_imports()


@pytest.fixture(scope="module", autouse=True)
def apps_freed() -> Iterator[None]:
    """When a module ends, the apps it built can be freed (tests/support/memory.py)."""
    yield
    forget_apps()


@dataclass(frozen=True)
class ForkedPython:
    """A ``python`` (``path``) whose ``-m MODULE`` processes are forked from a zygote that
    imported the bank's server once (tests/smoke/zygote.py), and the ``environment`` they need
    (this one's, without ``CREDITBANK_*``: add the bank's settings)."""

    path: str
    environment: dict[str, str]


@pytest.fixture(scope="session")
def forked_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkedPython]:
    """Servers of the bank in processes of their own (``creditbank serve``, ``python -m
    uvicorn``) that start in a fraction of a second instead of importing the project again
    (about 3 s of CPU each): one zygote per test process, started when first asked for."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CREDITBANK_")}
    with zygote.started(
        tmp_path_factory.mktemp("zygote"),
        environment,
        cwd=Path(__file__).resolve().parents[1],
        preload=zygote.SERVER_PRELOAD,
    ) as (path, forked_environment):
        yield ForkedPython(path, forked_environment)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    require_or_skip(
        postgres_available(), required=require_postgres(), setting="CREDITBANK_REQUIRE_POSTGRES"
    )
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_templates(pg_cluster: PostgresCluster) -> PostgresTemplates:
    """The migrated template database of this worker's cluster (migrated once)."""
    return PostgresTemplates(pg_cluster)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """This worker's migrated SQLite file (migrated once, on first use)."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


def _new_database(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, *, initialised: bool = False
) -> Database:
    """A database of its own: a copy of the migrated (or ``initialised``) template."""
    if backend == "sqlite":
        templates: SqliteTemplates = request.getfixturevalue("sqlite_templates")
        return templates.copy(tmp_path / f"creditbank{next(_counter)}.db", initialised=initialised)
    pg_templates: PostgresTemplates = request.getfixturevalue("pg_templates")
    return pg_templates.copy(initialised=initialised)


def _shared(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    database = _new_database(request, backend, tmp_path_factory.mktemp("shared"))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def shared_sqlite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """This worker's migrated SQLite database, which ``database`` rolls back after each test."""
    yield from _shared(request, "sqlite", tmp_path_factory)


@pytest.fixture(scope="session")
def shared_postgresql(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """This worker's migrated PostgreSQL database, which ``database`` rolls back after each test."""
    yield from _shared(request, "postgresql", tmp_path_factory)


def _needs_own_database(request: pytest.FixtureRequest) -> bool:
    if request.node.get_closest_marker("own_database") is not None:
        return True
    return bool(
        OWN_DATABASE_DIRECTORIES & set(request.node.path.parts)
        or _listed(request, OWN_DATABASE_TESTS)
    )


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty, migrated database; SQLite and PostgreSQL in turn.

    Usually this worker's shared database seen through one transaction that is rolled back when
    the test ends (every unit of work a SAVEPOINT in it). A test marked ``own_database``, or in
    a directory of :data:`OWN_DATABASE_DIRECTORIES`, gets a copy of the template of its own
    instead, that other connections and processes see (in the test's ``tmp_path``, asked for
    only then: a directory made per test is most of what a rolled-back ``database`` costs).
    """
    if _needs_own_database(request):
        tmp_path: Path = request.getfixturevalue("tmp_path")
        database = _new_database(request, request.param, tmp_path)
        yield database
        database.dispose()
        return
    shared: Database = request.getfixturevalue(f"shared_{request.param}")
    with rolled_back(shared) as rolled:
        yield rolled


def test_settings(database_url: str) -> Settings:
    """Settings for a test bank: test mode, real-length secrets, a fresh data key, and a served
    bank that never asks witnesses by itself within a test (its publisher's round, every
    ``log_publish_seconds``, would read the test's database from another thread: a pinned one
    refuses that); tests that publish ask the witnesses themselves."""
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        secret_key="t" * 40,
        data_key=base64.b64encode(os.urandom(32)).decode(),
        log_publish_seconds=24 * 3600,
    )


@dataclass(frozen=True)
class LiveBank:
    """A bank being served, the database behind it and its settings.

    ``url`` is where httpx2 reaches it: in this process (no socket) for most modules, over
    loopback from uvicorn where a real socket matters (see :func:`live_bank`).
    """

    url: str
    database: Database
    settings: Settings

    @property
    def cipher(self) -> PersonalDataCipher:
        """The bank's cipher of personal data (to open accounts the app can read)."""
        return PersonalDataCipher.from_base64(self.settings.data_key.get_secret_value())


def _needs_socket(request: pytest.FixtureRequest) -> bool:
    path = request.node.path
    return bool(SOCKET_DIRECTORIES & set(path.parts)) or path.name in SOCKET_MODULES


@pytest.fixture(scope="module", params=BACKENDS)
def live_bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBank]:
    """A bank with the built-in frameworks, one per test module and backend, on a database of
    its own (a copy of the initialised template). Served in-process
    (:class:`~tests.support.inprocess.InProcessServer`: httpx2 clients reach it without a
    socket), or by uvicorn on loopback for the modules of :data:`SOCKET_DIRECTORIES` and
    :data:`SOCKET_MODULES`."""
    yield from serve_live_bank(request, request.param, tmp_path_factory)


def serve_live_bank(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBank]:
    """What :func:`live_bank` yields, on ``backend`` (for a directory that overrides it)."""
    database = _new_database(request, backend, tmp_path_factory.mktemp("bank"), initialised=True)
    settings = test_settings(database.url)
    app = build_app(settings, database)
    server = LiveServer(app) if _needs_socket(request) else InProcessServer(app)
    with server:
        yield LiveBank(server.base_url, database, settings)
    database.dispose()


def _listed(request: pytest.FixtureRequest, tests: frozenset[str]) -> bool:
    module = request.node.path.name
    function = getattr(request.node, "originalname", request.node.name)
    return bool({module, f"{module}::{function}"} & tests)


@pytest.fixture(autouse=True)
def bank_rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test of an in-process live bank works in one transaction, rolled back when it ends:
    the module's fixtures built the bank once (committed), and every test starts from it,
    whatever the tests before it did. Not where the bank listens on a socket (a browser sends
    requests in parallel), in :data:`OWN_DATABASE_DIRECTORIES` (the CLI opens the database by
    its URL), nor for :data:`UNPINNED_TESTS`."""
    if "live_bank" not in request.fixturenames or _needs_socket(request):
        yield
        return
    if OWN_DATABASE_DIRECTORIES & set(request.node.path.parts) or _listed(request, UNPINNED_TESTS):
        yield
        return
    live: LiveBank = request.getfixturevalue("live_bank")
    if not isinstance(live.database, PinnableDatabase):
        yield
        return
    with live.database.pinned():
        yield


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> str:
    """The base URL of the live bank."""
    return live_bank.url
