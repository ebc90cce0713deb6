"""What an insider with the database's password would do: change stored rows behind the bank's
back, past the triggers that refuse it, so that tests can show ``log verify`` notices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from creditbank.db import Database

APPEND_ONLY = ("log_entries", "log_leaves", "log_nodes", "log_checkpoints", "outcomes")


def drop_triggers(connection: Connection) -> None:
    """What an insider would do first: the triggers refuse the changes."""
    if connection.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        return
    names = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    ).scalars()
    for name in list(names):
        connection.execute(text(f"DROP TRIGGER {name}"))


@contextmanager
def behind_the_bank(database: Database) -> Iterator[Connection]:
    """A connection in one unit of work of ``database`` (so a test's rolled-back database rolls
    it back too), with the append-only triggers out of the way."""
    with database.unit_of_work() as uow:
        connection = uow.session.connection()
        drop_triggers(connection)
        yield connection


def tamper(database: Database, *statements: str) -> None:
    """Run ``statements`` (SQL) with the append-only triggers out of the way."""
    with behind_the_bank(database) as connection:
        for statement in statements:
            connection.execute(text(statement))
