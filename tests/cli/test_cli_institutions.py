"""`creditbank institutions add`, `users add`, `tokens create/revoke` on both databases."""

from __future__ import annotations

import json

import httpx2
from typer.testing import CliRunner

from creditbank.cli.main import app
from tests.cli.runner import run
from tests.conftest import LiveBank


def test_institution_user_and_token(initialised: CliRunner) -> None:
    body = json.loads(
        run(
            initialised,
            "institutions",
            "add",
            "SHOU",
            "--name",
            "上海开放大学",
            "--type",
            "open_university",
            "--region",
            "CN-SH",
            "--alliance",
            "SH-BANK",
            "--json",
        )
    )
    assert body == {
        "code": "SHOU",
        "name": "上海开放大学",
        "name_en": "",
        "type": "open_university",
        "region": "CN-SH",
        "alliances": ["SH-BANK"],
    }
    assert "exists already" in run(
        initialised, "institutions", "add", "SHOU", "--name", "x", "--type", "enterprise", code=1
    )
    assert (
        "invalid"
        in run(
            initialised, "institutions", "add", "SHOU", "--name", "x", "--type", "school", code=2
        ).lower()
    )

    result = initialised.invoke(
        app,
        [
            "users",
            "add",
            "Registrar@SHOU.example",
            "--role",
            "registrar",
            "--institution",
            "SHOU",
            "--password-stdin",
            "--json",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["email"] == "registrar@shou.example"
    assert "must belong to an institution" in run(
        initialised, "users", "add", "a@b.example", "--role", "assessor", code=1
    )
    short = initialised.invoke(
        app,
        ["users", "add", "c@d.example", "--role", "bank_admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output

    token = json.loads(
        run(initialised, "tokens", "create", "--user", "registrar@shou.example", "--json")
    )
    assert token["token"].startswith("cb_") and token["user"]["institution"] == "SHOU"
    assert "there is no user nobody@x.example" in run(
        initialised, "tokens", "create", "--user", "nobody@x.example", code=1
    )
    assert f"Token {token['id']} revoked" in run(initialised, "tokens", "revoke", str(token["id"]))


def test_a_cli_token_works_over_http(live_bank: LiveBank, live_cli: CliRunner) -> None:
    runner = live_cli
    run(
        runner, "institutions", "add", "GDOU", "--name", "广东开放大学", "--type", "open_university"
    )
    run(runner, "users", "add", "admin@bank.example", "--role", "bank_admin")
    secret = (
        run(runner, "tokens", "create", "--user", "admin@bank.example").strip().splitlines()[-1]
    )
    with httpx2.Client(
        base_url=live_bank.url, headers={"Authorization": f"Bearer {secret}"}
    ) as client:
        assert client.get("/api/v1/institutions/GDOU").json()["name"] == "广东开放大学"
