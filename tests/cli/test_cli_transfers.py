"""``creditbank transfer export|import`` and ``creditbank recognition list|decide|recheck``,
between two banks in this process, on both databases: each command runs on the bank it is
given (its database handed to the CLI, pinned and rolled back at the test's end)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbank import bootstrap
from creditbank.cli import common as cli_common
from creditbank.cli import main as cli_main
from creditbank.cli import transfers as cli_transfers
from creditbank.db import Database
from creditbank.settings import get_settings
from tests.transfer_world import Bank, World, two_banks

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as made:
        yield made


@pytest.fixture(autouse=True)
def rolled_back(world: World) -> Iterator[None]:
    with world.pinned():
        yield


def run(bank: Bank, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """``creditbank ARGS`` on ``bank``."""

    def opened(settings: object = None) -> Database:
        del settings
        return bootstrap.wire(bank.database, bank.settings)

    monkeypatch.setattr(bank.database, "dispose", lambda: None)
    monkeypatch.setattr(cli_common, "open_database", opened)
    monkeypatch.setattr(cli_transfers, "get_settings", lambda: bank.settings)
    monkeypatch.setenv("CREDITBANK_DEFAULT_LANGUAGE", "en")
    get_settings.cache_clear()
    result = CliRunner().invoke(cli_main.app, ["--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_learner_is_moved_by_the_command_line(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "package.json"
    code, out, err = run(
        world.a,
        monkeypatch,
        "transfer",
        "export",
        world.a.learner,
        "--to",
        world.b.origin,
        "--output",
        str(package),
    )
    assert code == 0, err
    assert json.loads(package.read_text(encoding="utf-8"))["to"] == world.b.origin
    code, out, err = run(
        world.b,
        monkeypatch,
        "transfer",
        "import",
        str(package),
        "--account",
        world.b.learner,
        "--as",
        "registrar@gdou.example",
        "--json",
    )
    assert code == 0, err
    transfer = json.loads(out)
    assert len(transfer["outcomes"]) == len(world.outcomes)
    code, out, err = run(
        world.b, monkeypatch, "recognition", "list", "--as", "officer@gdou.example", "--json"
    )
    assert code == 0, err
    queue = json.loads(out)
    assert [o["id"] for o in queue] == [o["id"] for o in transfer["outcomes"]]
    code, out, err = run(
        world.b,
        monkeypatch,
        "recognition",
        "decide",
        queue[0]["id"],
        "recognise",
        "--as",
        "officer@gdou.example",
    )
    assert code == 0, err
    assert "recognised" in out
    code, out, err = run(
        world.b,
        monkeypatch,
        "transfer",
        "import",
        str(package),
        "--account",
        world.b.learner,
        "--as",
        "registrar@gdou.example",
    )
    assert code == 1
    assert "handed over here before" in err
    code, out, err = run(
        world.b, monkeypatch, "recognition", "recheck", "--as", "officer@gdou.example"
    )
    assert code == 0, err
    assert "revoked at their source: -" in out


def test_a_bad_decision_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = run(
        world.b,
        monkeypatch,
        "recognition",
        "decide",
        "nothing",
        "maybe",
        "--as",
        "officer@gdou.example",
    )
    assert code == 1
    assert "recognise or refuse" in err
