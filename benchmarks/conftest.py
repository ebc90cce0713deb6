"""Benchmarks reuse the test suite's databases: SQLite and a throwaway PostgreSQL."""

from tests.conftest import database, pg_cluster

__all__ = ["database", "pg_cluster"]
