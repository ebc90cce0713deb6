"""`creditbank learners`: the bank office gives learners a password, or an activation code."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.cli.main import app
from creditbank.db import Database
from creditbank.sessions import service as sessions
from creditbank.sessions.model import SessionPolicy
from tests.bulk_files import id_number
from tests.cli.runner import run

POLICY = SessionPolicy(
    idle=timedelta(minutes=30),
    lifetime=timedelta(hours=12),
    max_failures=5,
    failure_window=timedelta(minutes=15),
)
PASSWORD = "correct horse battery"


def open_account(database: Database) -> str:
    with database.unit_of_work() as uow:
        return accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number(id_number(11)),
            name="赵六",
        ).number


def test_set_password_from_standard_input(initialised: CliRunner, database: Database) -> None:
    number = open_account(database)
    result = initialised.invoke(
        app, ["learners", "set-password", number.lower(), "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert f"Password set for {number}" in result.output and PASSWORD not in result.output
    with database.unit_of_work() as uow:
        new = sessions.login_learner(
            uow=uow, account_number=number, password=PASSWORD, policy=POLICY, now=datetime.now(UTC)
        )
    assert isinstance(new, sessions.NewSession)
    short = initialised.invoke(
        app, ["learners", "set-password", number, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert "--password-stdin" in run(initialised, "learners", "set-password", number, code=1)
    missing = initialised.invoke(
        app,
        ["learners", "set-password", "CB000000000000", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert missing.exit_code == 1 and "there is no account CB000000000000" in missing.output


def test_activation_code_printed_once_and_redeemable(
    initialised: CliRunner, database: Database
) -> None:
    number = open_account(database)
    output = run(initialised, "learners", "activation", number, "--valid-days", "3")
    code = output.strip().splitlines()[-1]
    assert len(code) == 19 and code.count("-") == 3
    assert "will not be shown again" in output
    body = json.loads(run(initialised, "learners", "activation", number, "--json"))
    assert body["account_number"] == number and body["code"] != code
    with database.unit_of_work() as uow:
        earlier = sessions.redeem_activation_code(
            uow=uow,
            account_number=number,
            code=code,
            password=PASSWORD,
            policy=POLICY,
            now=datetime.now(UTC),
        )
        assert isinstance(earlier, sessions.Refused)  # the newer code replaced it
        new = sessions.redeem_activation_code(
            uow=uow,
            account_number=number,
            code=body["code"],
            password=PASSWORD,
            policy=POLICY,
            now=datetime.now(UTC),
        )
    assert isinstance(new, sessions.NewSession)
    assert "is not an account number" in run(initialised, "learners", "activation", "X", code=1)
