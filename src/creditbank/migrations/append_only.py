"""Triggers that make tables append-only (facts are appended, never edited), for migrations.

On PostgreSQL each table gets row triggers refusing UPDATE and DELETE and a statement trigger
refusing TRUNCATE, all calling ``creditbank_refuse_change()`` (created by migration 0009); on
SQLite, triggers that abort UPDATE and DELETE with the same message. Migrations call this with
the tables they create; what it emits must never change, as migrations are history.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic import op


def refuse_changes(tables: Iterable[str]) -> None:
    """Make each of ``tables`` append-only."""
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION creditbank_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION creditbank_refuse_change()"
            )
        return
    for table in tables:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'creditbank: {table} is append-only "
                f"({operation} refused)'); END"
            )
