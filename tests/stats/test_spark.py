"""The figure definitions on Spark: every definition gives the same rows on Spark as on DuckDB
over the same banks' files, and a combine on Spark stores what one on DuckDB stores.

One SparkSession for the module (``local[1]``, one shuffle partition, no UI, a JVM tuned for a
short run: Spark's cost is its JVM and the first queries, paid once). The banks' files are made on SQLite only: what is
tested here is the engines over the same Parquet files; their storage is tested on both
databases in test_exchange.py. Needs Java (CI installs it: .ci/run); without Java the module is
skipped unless ``CREDITBANK_REQUIRE_SPARK=1``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from creditbank.access.policy import OPERATOR
from creditbank.db import Database
from creditbank.stats.exchange.combine import combine_stats
from creditbank.stats.exchange.commands import CombineStats
from creditbank.stats.exchange.definitions import DEFINITIONS, STORED
from creditbank.stats.exchange.engines import DuckDBEngine, SparkEngine
from creditbank.stats.exchange.handlers import combine_statistics
from creditbank.stats.exchange.tables import StatNetworkCellRow
from tests.stats.exchange_world import Bank, make_banks
from tests.support.requirements import require_or_skip

MASTER = "local[1]"
LIGHT = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    # a JVM for a minute of small queries: the quick JIT only, one compiler thread, one GC
    # thread (JVM CPU of this module 24 s -> 12 s; whole-stage code generation stays on, as in
    # production)
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 "
    "-XX:+UseSerialGC",
}
"""Spark's settings for the tests (the UI is off in every session the engine starts)."""


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    require_or_skip(
        None if shutil.which("java") else "Spark needs Java (java is not on the PATH)",
        required=os.environ.get("CREDITBANK_REQUIRE_SPARK") == "1",
        setting="CREDITBANK_REQUIRE_SPARK",
    )
    engine = SparkEngine(MASTER, config=LIGHT)
    session = engine.session()
    session.sparkContext.setLogLevel("ERROR")
    yield engine
    session.stop()


@pytest.fixture(scope="module")
def banks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Bank]]:
    made = make_banks(request, "sqlite", tmp_path_factory)
    yield made
    for bank in made:
        bank.database.dispose()


@pytest.fixture
def national(banks: list[Bank]) -> Iterator[Database]:
    database = banks[0].database
    with database.pinned():  # type: ignore[attr-defined]
        yield database


def stored(database: Database) -> list[tuple[object, ...]]:
    with database.unit_of_work() as uow:
        rows = uow.session.scalars(select(StatNetworkCellRow))
        return sorted(
            (r.bank, r.figure, r.measure, r.scope, r.dim, r.value, r.month, r.n, r.amount)
            for r in rows
        )


def test_every_definition_gives_identical_rows_on_duckdb_and_spark(
    spark: SparkEngine, banks: list[Bank]
) -> None:
    files = [bank.export / "cells.parquet" for bank in banks]
    on_duckdb = DuckDBEngine().run(files, DEFINITIONS)
    on_spark = spark.run(files, DEFINITIONS)
    assert set(on_spark) == set(on_duckdb) == set(DEFINITIONS)
    for name in DEFINITIONS:
        duck, sparkled = sorted(on_duckdb[name]), sorted(on_spark[name])
        assert duck, name  # every definition answers rows over these files
        assert sparkled == duck, name
        # the same types too: ints for counts and months, Decimals of scale 2 for amounts
        assert [tuple(map(type, row)) for row in sparkled] == [
            tuple(map(type, row)) for row in duck
        ], name
        assert all(row[-1] == row[-1].quantize(Decimal("0.01")) for row in sparkled), name


def test_a_combine_on_spark_stores_what_one_on_duckdb_stores(
    spark: SparkEngine, banks: list[Bank], national: Database
) -> None:
    directories = tuple(bank.export for bank in banks)
    with national.unit_of_work() as uow:
        on_duckdb = combine_stats(uow, directories, engine="duckdb")
    duck = stored(national)
    with national.unit_of_work() as uow:
        # the handler names the engine; Spark's session is the module's (local[1])
        on_spark = combine_statistics(
            CombineStats(directories, engine="spark"),
            principal=OPERATOR,
            uow=uow,
            spark_master=MASTER,
        )
    assert stored(national) == duck
    assert len(duck) == on_spark.cells == on_duckdb.cells
    assert {row[0] for row in duck} == {"", *(bank.origin for bank in banks)}
    assert (on_spark.engine, on_duckdb.engine) == ("spark", "duckdb")
    assert on_spark.years == on_duckdb.years
    assert set(STORED) < set(DEFINITIONS)
