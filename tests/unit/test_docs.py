"""The README keeps step with the CLI and the settings (datasette's habit)."""

from __future__ import annotations

from pathlib import Path

from creditbank.cli.main import app
from creditbank.cli.reference import reference, rewrite
from creditbank.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_the_cli_reference_is_generated_from_the_cli() -> None:
    """The README's CLI table is what ``make docs`` makes of the commands (their usage and help)."""
    table = reference(app)
    assert "`creditbank crosswalk FRAMEWORK:LEVEL --to FRAMEWORK [--json]`" in table
    assert "`creditbank frameworks import FILE" in table
    assert rewrite(README, table) == README, "the CLI reference is out of date: run `make docs`"


def test_the_reference_shows_arguments_options_and_repeats() -> None:
    table = reference(app)
    row = next(line for line in table.splitlines() if "`creditbank accreditation score " in line)
    assert "creditbank accreditation score PUBLIC_ID --mark COMPONENT=MARK ... --as EMAIL" in row
    assert "[--comment TEXT] [--json]" in row


def test_every_setting_is_in_the_readme() -> None:
    missing = [
        f"CREDITBANK_{name.upper()}"
        for name in Settings.model_fields
        if f"`CREDITBANK_{name.upper()}`" not in README
    ]
    assert missing == []
