"""The CLI runners of tests/cli (on a test database, or on the live bank's), for the corpus."""

from tests.cli.conftest import cli, live_cli

__all__ = ["cli", "live_cli"]
