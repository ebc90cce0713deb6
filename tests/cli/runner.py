"""Run a `creditbank` command through Typer's runner and check its exit code."""

from __future__ import annotations

from typer.testing import CliRunner

from creditbank.cli.main import app


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    """The command's output; fails the test when it exits with anything but ``code``."""
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, (result.output, repr(result.exception))
    return result.output
