"""Benchmarks reuse the test suite's databases: SQLite and a throwaway PostgreSQL.

Each benchmark's ``database`` is a copy of the migrated template of its own (``benchmarks`` is
one of tests.conftest's ``OWN_DATABASE_DIRECTORIES``), so its commits are real commits.
"""

from tests.conftest import database, pg_cluster, pg_templates, sqlite_templates

__all__ = ["database", "pg_cluster", "pg_templates", "sqlite_templates"]
