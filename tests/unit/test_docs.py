"""The README keeps step with the CLI and the settings (datasette's habit)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from creditbank.cli.main import app
from creditbank.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str) -> list[str]:
    click_group = typer.main.get_command(group)
    names: list[str] = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        full = f"{prefix} {name}"
        if hasattr(command, "commands"):
            names.extend(f"{full} {sub}" for sub in command.commands)
        else:
            names.append(full)
    return names


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(app, "creditbank")
    assert "creditbank crosswalk" in commands and "creditbank frameworks import" in commands
    missing = [command for command in commands if f"`{command}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [
        f"CREDITBANK_{name.upper()}"
        for name in Settings.model_fields
        if f"`CREDITBANK_{name.upper()}`" not in README
    ]
    assert missing == []
