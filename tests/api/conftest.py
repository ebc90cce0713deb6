"""A running bank per backend: uvicorn on loopback over a migrated, installed database."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from creditbank.bootstrap import build_app, initialise
from creditbank.db import Database
from creditbank.settings import Environment, Settings
from tests.conftest import BACKENDS, _new_database
from tests.support.browser import LiveServer


@pytest.fixture(scope="module", params=BACKENDS)
def bank(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a live bank with the built-in frameworks."""
    database: Database = _new_database(request, request.param, tmp_path_factory.mktemp("bank"))
    initialise(database)
    settings = Settings(environment=Environment.TEST, database_url=database.url, secret_key="s" * 40)
    with LiveServer(build_app(settings, database)) as server:
        yield server.base_url
    database.dispose()


@pytest.fixture
def client(bank: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"}) as http:
        yield http
