"""What an insider with the database's password would do: change stored rows behind the bank's
back, past the triggers that refuse it, so that tests can show ``log verify`` notices."""

from __future__ import annotations

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


def tamper(database: Database, *statements: str) -> None:
    """Run ``statements`` (SQL) with the append-only triggers out of the way."""
    with database.engine.begin() as connection:
        drop_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))
