"""The schema comes only from Alembic migrations, and the models never drift from them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from creditbank.bootstrap import alembic_config, migrate
from creditbank.db import Base, Database


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ; write a migration: {differences}"


def test_migrating_twice_is_harmless(database: Database) -> None:
    migrate(database)
    with database.engine.connect() as connection:
        heads = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    head = ScriptDirectory.from_config(alembic_config(database.url)).get_current_head()
    assert heads == [head]
    assert {"framework_versions", "framework_levels", "crosswalks"} <= set(
        inspect(database.engine).get_table_names()
    )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        database.dispose()
