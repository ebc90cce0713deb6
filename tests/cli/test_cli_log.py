"""`creditbank log verify` finds every kind of tampering, on SQLite and PostgreSQL.

Each test deposits a few outcomes, verifies a clean log, then tampers with storage the
way an insider with database access could (dropping the append-only triggers first) and
checks that `log verify` exits non-zero naming what is wrong. `log keygen`, a saved
checkpoint from a rotated or forked log and `log publish` to witnesses are covered too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from creditbank.accounts import outcomes
from creditbank.db import Database
from creditbank.ledger import keys, notes
from creditbank.ledger import service as ledger
from creditbank.ledger.witness import Witness
from creditbank.ledger.witness_app import make_witness_app
from creditbank.settings import get_settings
from tests.bulk_files import add_college_with_course, course_outcome, open_learner
from tests.cli.conftest import Once
from tests.cli.runner import run
from tests.support.browser import LiveServer
from tests.support.tamper import behind_the_bank, tamper

# The tamperings below build SQL from public ids this module made; nothing comes from outside.
# ruff: noqa: S608


def _deposit(database: Database, count: int) -> list[str]:
    ids = []
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
        account = open_learner(uow, 7)
    for n in range(count):
        with database.unit_of_work() as uow:
            deposited = outcomes.deposit_outcome(
                uow=uow,
                institution="JSVC",
                account_number=account,
                facts=course_outcome(f"R-{n}", score=str(70 + n)),
                today=date(2026, 11, 22),
            )
        ids.append(deposited.outcome.public_id)
    return ids


def _deposit_more(database: Database, record_id: str) -> None:
    with database.unit_of_work() as uow:
        account = open_learner(uow, 8)
        outcomes.deposit_outcome(
            uow=uow,
            institution="JSVC",
            account_number=account,
            facts=course_outcome(record_id, score="90"),
            today=date(2026, 11, 22),
        )


@pytest.fixture
def logged(
    database: Database, initialised: CliRunner, once: Once
) -> tuple[Database, CliRunner, list[str]]:
    """Five outcomes deposited (once per backend: see tests/cli/conftest.py), the log sound:
    ``log verify`` finds no problem when the world is built, and every test starts from that
    world (rolled back after each test, or restored from its snapshot)."""

    def build() -> list[str]:
        ids = _deposit(database, 5)
        output = run(initialised, "log", "verify")
        assert "0 problems" in output
        return ids

    ids = once("logged", build)
    return database, initialised, ids


def _flip_entry_byte(database: Database) -> None:
    with behind_the_bank(database) as connection:
        entry_id, body = connection.execute(
            text(
                "SELECT e.id, e.body FROM log_entries e JOIN log_leaves l ON l.entry_id = e.id "
                "WHERE l.leaf_index = 12"
            )
        ).one()
        changed = bytearray(body)
        changed[-3] ^= 0x01  # inside the commitment's hex
        connection.execute(
            text("UPDATE log_entries SET body = :body WHERE id = :id"),
            {"body": bytes(changed), "id": entry_id},
        )


TAMPERINGS: dict[str, tuple[Callable[[Database, list[str]], None], str]] = {
    "flip a byte of an entry": (
        lambda database, _: _flip_entry_byte(database),
        "leaf 12 (entry",
    ),
    "delete a leaf": (
        lambda database, _: tamper(database, "DELETE FROM log_leaves WHERE leaf_index = 11"),
        "leaf 11 is missing",
    ),
    "reorder two leaves": (
        lambda database, _: tamper(
            database,
            "UPDATE log_leaves SET leaf_index = -1 WHERE leaf_index = 10",
            "UPDATE log_leaves SET leaf_index = 10 WHERE leaf_index = 11",
            "UPDATE log_leaves SET leaf_index = 11 WHERE leaf_index = -1",
        ),
        "node 0/10: the stored hash differs",
    ),
    "delete an interior node": (
        lambda database, _: tamper(database, "DELETE FROM log_nodes WHERE level = 2"),
        "node 2/0 is missing",
    ),
    "alter a business row": (
        lambda database, ids: tamper(
            database, f"UPDATE outcomes SET score = 99 WHERE public_id = '{ids[2]}'"
        ),
        "differs from what was logged",
    ),
    "delete a business row's entry": (
        lambda database, ids: tamper(
            database,
            "DELETE FROM log_salts WHERE entry_id IN "
            f"(SELECT id FROM log_entries WHERE record_id = '{ids[4]}')",
            "DELETE FROM log_leaves WHERE entry_id IN "
            f"(SELECT id FROM log_entries WHERE record_id = '{ids[4]}')",
            f"DELETE FROM log_entries WHERE record_id = '{ids[4]}'",
        ),
        "is in the business tables but not in the log",
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_log_verify_finds_tampering(
    logged: tuple[Database, CliRunner, list[str]], tampering: str
) -> None:
    database, cli, ids = logged
    tamper, expected = TAMPERINGS[tampering]
    tamper(database, ids)
    output = run(cli, "log", "verify", code=1)
    assert expected in output, output


def test_a_checkpoint_signed_with_another_key_is_found(
    logged: tuple[Database, CliRunner, list[str]],
) -> None:
    database, cli, _ = logged
    other, _ = notes.generate_key(keys.DEVELOPMENT_ORIGIN)  # same name, another key
    with database.unit_of_work() as uow:
        size, root = ledger.head(uow).tree_size, ledger.head(uow).root_hash
    forged = ledger.sign_checkpoint(
        keys.load_log_keys(origin=keys.DEVELOPMENT_ORIGIN, private_key=other), size, root
    )
    with behind_the_bank(database) as connection:  # a row appended by hand, not by a seal
        connection.execute(
            text(
                "INSERT INTO log_checkpoints (tree_size, root_hash, note, created_at) "
                "VALUES (:size, :root, :note, CURRENT_TIMESTAMP)"
            ),
            {"size": size, "root": root, "note": forged},
        )
    output = run(cli, "log", "verify", code=1)
    assert f"(tree size {size}): the note has no signature from a known key" in output, output
    assert "1 problems" in output, output  # only the forged checkpoint; the others still verify


def test_after_a_key_rotation_old_checkpoints_verify_with_the_past_key(
    logged: tuple[Database, CliRunner, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, cli, _ = logged  # five deposits signed with the development key
    new_key, _ = notes.generate_key(keys.DEVELOPMENT_ORIGIN)
    with database.unit_of_work() as uow:
        old = ledger.log_keys(uow)
    rotated = keys.load_log_keys(
        origin=keys.DEVELOPMENT_ORIGIN,
        private_key=new_key,
        past_verifier_keys=(old.verifier_key,),
    )
    database.session_info[ledger.LOG_KEYS] = rotated
    _deposit_more(database, "R-after-rotation")
    with database.unit_of_work() as uow:
        newest = ledger.latest_checkpoint(uow)
    assert newest is not None
    opened = notes.open_note(newest.note, rotated.verifiers())
    assert [s.key_id for s in opened.verified] == [rotated.signer.key_id]  # the new key signs
    monkeypatch.setenv("CREDITBANK_LOG_KEY", new_key)
    monkeypatch.setenv("CREDITBANK_LOG_PAST_KEYS", json.dumps([old.verifier_key]))
    get_settings.cache_clear()
    assert "0 problems" in run(cli, "log", "verify")
    monkeypatch.setenv("CREDITBANK_LOG_PAST_KEYS", "[]")  # the old key forgotten
    get_settings.cache_clear()
    output = run(cli, "log", "verify", code=1)
    assert "the note has no signature from a known key" in output


def test_keygen_writes_a_private_key_once_and_verify_checks_a_saved_checkpoint(
    logged: tuple[Database, CliRunner, list[str]], tmp_path: Path
) -> None:
    database, cli, _ = logged
    key_file = tmp_path / "log.key"
    verifier_key = run(cli, "log", "keygen", "bank.example/log", "--out", str(key_file)).strip()
    assert key_file.read_text().startswith("PRIVATE+KEY+bank.example/log+")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert notes.Verifier.from_verifier_key(verifier_key).name == "bank.example/log"
    run(cli, "log", "keygen", "bank.example/log", "--out", str(key_file), code=1)
    with database.unit_of_work() as uow:
        note = ledger.latest_checkpoint(uow)
    assert note is not None
    saved = tmp_path / "checkpoint"
    saved.write_text(note.note)
    assert "0 problems" in run(cli, "log", "verify", "--from-checkpoint", str(saved))
    with database.unit_of_work() as uow:  # the same size with another root: a fork
        forged = ledger.sign_checkpoint(ledger.log_keys(uow), note.tree_size, b"\x07" * 32)
    saved.write_text(forged)
    assert "a fork" in run(cli, "log", "verify", "--from-checkpoint", str(saved), code=1)


def test_log_publish_asks_the_witnesses_to_cosign(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log_key, log_verifier_key = notes.generate_key(keys.DEVELOPMENT_ORIGIN)
    monkeypatch.setenv("CREDITBANK_LOG_KEY", log_key)
    get_settings.cache_clear()
    run(cli, "init")  # the built-in frameworks are published: the log's first checkpoint
    trusting = notes.CosignatureSigner.from_private_key(notes.generate_key("trusting.example")[0])
    stranger = notes.CosignatureSigner.from_private_key(notes.generate_key("stranger.example")[0])
    _, other_log = notes.generate_key(keys.DEVELOPMENT_ORIGIN)
    witnesses = {
        trusting: Witness(
            tmp_path / "trusting", trusting, {keys.DEVELOPMENT_ORIGIN: [log_verifier_key]}
        ),
        stranger: Witness(tmp_path / "stranger", stranger, {keys.DEVELOPMENT_ORIGIN: [other_log]}),
    }
    with (
        LiveServer(make_witness_app(witnesses[trusting])) as first,
        LiveServer(make_witness_app(witnesses[stranger])) as second,
    ):
        configured = [
            f"{first.base_url} {trusting.verifier_key()}",
            f"{second.base_url} {stranger.verifier_key()}",
        ]
        monkeypatch.setenv("CREDITBANK_LOG_WITNESSES", json.dumps(configured))
        get_settings.cache_clear()
        output = run(cli, "log", "publish", code=1)  # one witness does not know this log's key
        assert "trusting.example cosigned tree" in output
        assert "stranger.example did not cosign tree" in output
        monkeypatch.setenv("CREDITBANK_LOG_WITNESSES", json.dumps(configured[:1]))
        get_settings.cache_clear()
        assert run(cli, "log", "publish").strip() == ""  # cosigned already: nothing to ask
    assert witnesses[trusting].cosigned(keys.DEVELOPMENT_ORIGIN) is not None
    assert witnesses[stranger].cosigned(keys.DEVELOPMENT_ORIGIN) is None
