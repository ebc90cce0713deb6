"""Crosswalk queries: the full service path against reading the same rows raw.

Ceiling: one plain SQL read of every level and crosswalk pair (what any
crosswalk query must at least read). Ours: ``translate_level`` in a unit of
work: load frameworks and crosswalks through the ORM, build and validate the
graph, search it. The ratio (ours / ceiling) is what docs/performance.md reports.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from creditbank.db import Database
from creditbank.frameworks import service
from creditbank.frameworks.crosswalk import LevelRef

RAW = (
    "SELECT l.code, l.rank, l.track_code, v.code FROM framework_levels l "
    "JOIN framework_versions v ON v.id = l.framework_version_id "
    "UNION ALL SELECT p.from_level, p.position, p.to_level, c.code FROM crosswalk_pairs p "
    "JOIN crosswalks c ON c.id = p.crosswalk_id"
)


def _installed(database: Database) -> Database:
    with database.unit_of_work() as uow:
        service.install_builtin_frameworks(uow=uow)
    return database


def test_raw_read_of_levels_and_pairs(benchmark: Any, database: Database) -> None:
    _installed(database)

    def read() -> int:
        with database.engine.connect() as connection:
            return len(connection.execute(text(RAW)).all())

    assert benchmark(read) > 100


def test_crosswalk_query_through_the_service(benchmark: Any, database: Database) -> None:
    _installed(database)
    origin = LevelRef.parse("QCPTP:junior")

    def query() -> int:
        with database.unit_of_work() as uow:
            return len(service.translate_level(uow=uow, origin=origin, target="ISCED").routes)

    assert benchmark(query) == 1
