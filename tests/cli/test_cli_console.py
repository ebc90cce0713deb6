"""The console's commands on both databases: `institutions list/edit`, `users list/disable/
enable/password-code`, `tokens list`; and a disabled user may not act with `--as`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.cli.runner import run

REGISTRAR = "registrar@shou.example"


def _bank(cli: CliRunner) -> None:
    run(cli, "institutions", "add", "SHOU", "--name", "上海开放大学", "--type", "open_university")
    run(
        cli,
        "institutions",
        "add",
        "PJVC",
        "--name",
        "浦江职业学院",
        "--type",
        "higher_vocational_college",
    )
    run(cli, "users", "add", REGISTRAR, "--role", "registrar", "--institution", "SHOU")
    run(
        cli,
        "users",
        "add",
        "registrar@pjvc.example",
        "--role",
        "registrar",
        "--institution",
        "PJVC",
    )


def test_institutions_are_listed_searched_and_edited(initialised: CliRunner) -> None:
    _bank(initialised)
    found = json.loads(run(initialised, "institutions", "list", "--search", "浦江", "--json"))
    assert [entry["code"] for entry in found] == ["PJVC"]
    edited = json.loads(
        run(
            initialised,
            "institutions",
            "edit",
            "PJVC",
            "--name-en",
            "Pujiang Vocational College",
            "--region",
            "CN-SH",
            "--json",
        )
    )
    assert edited["name"] == "浦江职业学院"
    assert edited["name_en"] == "Pujiang Vocational College"
    assert edited["region"] == "CN-SH"
    in_shanghai = json.loads(
        run(initialised, "institutions", "list", "--region", "CN-SH", "--json")
    )
    assert [entry["code"] for entry in in_shanghai] == ["PJVC"]
    assert "there is no institution" in run(
        initialised, "institutions", "edit", "NOPE", "--region", "CN-SH", code=1
    )


def test_a_disabled_user_is_listed_so_and_may_not_act(initialised: CliRunner) -> None:
    _bank(initialised)
    token = json.loads(run(initialised, "tokens", "create", "--user", REGISTRAR, "--json"))
    listed = json.loads(run(initialised, "tokens", "list", "--institution", "SHOU", "--json"))
    assert [entry["id"] for entry in listed] == [token["id"]]
    assert token["token"] not in json.dumps(listed)

    # an enabled user gets as far as the rule (there is none)
    assert "is disabled" not in run(
        initialised, "rules", "submit", "999", "--as", REGISTRAR, code=1
    )
    run(initialised, "users", "disable", REGISTRAR)
    disabled = json.loads(run(initialised, "users", "list", "--disabled", "--json"))
    assert [user["email"] for user in disabled] == [REGISTRAR]
    refused = run(initialised, "rules", "submit", "999", "--as", REGISTRAR, code=1)
    assert f"user {REGISTRAR} is disabled" in refused
    assert "is disabled" in run(initialised, "users", "password-code", REGISTRAR, code=1)

    run(initialised, "users", "enable", REGISTRAR)
    assert json.loads(run(initialised, "users", "list", "--disabled", "--json")) == []
    code = run(initialised, "users", "password-code", REGISTRAR).strip().splitlines()[-1]
    assert len(code) >= 8 and " " not in code
