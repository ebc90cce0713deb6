"""CLI runners whose commands use a test database (both backends) or a live bank's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from creditbank.db import Database
from creditbank.settings import get_settings
from tests.cli.runner import run
from tests.conftest import LiveBank


def _runner(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", url)
    monkeypatch.setenv("CREDITBANK_DEFAULT_LANGUAGE", "en")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on the test database (migrated, not yet initialised)."""
    yield from _runner(database.url, monkeypatch)


@pytest.fixture
def initialised(cli: CliRunner) -> CliRunner:
    output = run(cli, "init")
    assert "NVQC" in output
    return cli


@pytest.fixture
def live_cli(live_bank: LiveBank, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on the database behind the live bank, so CLI-made tokens can be used over HTTP."""
    yield from _runner(live_bank.database.url, monkeypatch)
