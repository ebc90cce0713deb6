"""Typer's test runner, with each command line built once per process.

``typer.testing.CliRunner.invoke(app, args)`` turns the Typer app into its Click command
(``typer.main.get_command``) on every call: it reads the signature and annotations of each of
the ~150 commands again, about half of the CPU time of a CLI test. ``creditbank`` itself
builds it once per process, when it starts. :func:`build_commands_once` makes the runner do the
same: the Click command of an app is built on its first use and kept. A Click command is
meant to be run many times (``main()`` makes a fresh context each time) and ours holds no state
of a run: the language, the settings and the acting user are read when a command runs.
"""

from __future__ import annotations

import functools

import typer.main
import typer.testing
from typer._click import Command

_build = typer.main.get_command


@functools.cache
def _built(typer_instance: typer.Typer) -> Command:
    return _build(typer_instance)


def build_commands_once() -> None:
    """Make ``typer.testing.CliRunner`` reuse each app's Click command (idempotent)."""
    typer.testing._get_command = _built  # type: ignore[attr-defined]
