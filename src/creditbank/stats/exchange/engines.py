"""The engines that run the figure definitions over many banks' ``cells.parquet``.

Both answer the same thing: for each definition (``definitions.DEFINITIONS``), its rows as
tuples, read from a view ``cells`` over the union of the files given.

- :class:`DuckDBEngine` (``duckdb``, the embedded default): an in-memory DuckDB in this process,
  ``read_parquet`` of the files.
- :class:`SparkEngine` (``spark``): a ``SparkSession`` for the master it is given (``local[1]``
  in the tests, ``spark://host:7077`` in production, from ``CREDITBANK_SPARK_MASTER``); each run
  in a session of its own (``newSession``: its own temporary views) over the one Spark context
  of the process. The files are read by Spark's executors, so on a cluster every worker must
  read them at the same path (a shared file system). pyspark (the ``spark`` extra) and Java 17
  are needed only by this engine, and imported only when it runs.

An engine that cannot start is a ``stats_engine_unavailable`` error, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from creditbank.errors import DomainError
from creditbank.messages import msg

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES: Final = ("duckdb", "spark")
"""The engines a combine may run on, by name."""
VIEW = "cells"
"""The view the definitions read."""

Rows = dict[str, list[tuple[Any, ...]]]


class StatsExchangeError(DomainError):
    """Statistics files that cannot be combined, or an engine that cannot run."""


class Engine(Protocol):
    """What runs the definitions: its ``name`` and :meth:`run`."""

    name: str

    def run(self, files: Sequence[Path], definitions: Mapping[str, str]) -> Rows:
        """Each definition's rows over the union of ``files`` (``cells.parquet`` files)."""
        ...


class DuckDBEngine:
    """The definitions on an in-memory DuckDB in this process."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None) -> None:
        self._threads = threads

    def run(self, files: Sequence[Path], definitions: Mapping[str, str]) -> Rows:
        import duckdb  # noqa: PLC0415 - only when statistics are combined

        config: dict[str, str | bool | int | float | list[str]] = {}
        if self._threads is not None:
            config["threads"] = self._threads
        with duckdb.connect(":memory:", config=config) as connection:
            connection.read_parquet([str(path) for path in files]).create_view(VIEW)
            return {
                name: [tuple(row) for row in connection.execute(sql).fetchall()]
                for name, sql in definitions.items()
            }


class SparkEngine:
    """The definitions on Spark, for the master given (``local[1]``, ``spark://host:7077``)."""

    name = "spark"

    def __init__(self, master: str, *, config: Mapping[str, str] | None = None) -> None:
        self.master = master
        self._config = dict(config or {})
        """Further Spark settings of a session this engine starts (e.g. the tests' one shuffle
        partition); a session already running in the process is used as it is."""

    def session(self) -> SparkSession:
        """This process's Spark session (made on first use, for :attr:`master`)."""
        try:
            from pyspark.sql import SparkSession  # noqa: PLC0415 - the optional 'spark' extra
        except ImportError as error:
            raise StatsExchangeError(
                "stats_engine_unavailable",
                msg("pyspark is not installed: install creditbank with the 'spark' extra"),
            ) from error
        builder = (
            SparkSession.builder.master(self.master)
            .appName("creditbank-stats")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")  # no progress bars in the CLI's output
        )
        for key, value in self._config.items():
            builder = builder.config(key, value)
        try:
            return builder.getOrCreate()
        except Exception as error:  # Java missing, a master that does not answer...
            raise StatsExchangeError(
                "stats_engine_unavailable",
                msg(
                    "Spark did not start for master {master}: {reason}",
                    master=self.master,
                    reason=type(error).__name__,
                ),
            ) from error

    def run(self, files: Sequence[Path], definitions: Mapping[str, str]) -> Rows:
        session = self.session().newSession()
        session.read.parquet(*(str(path) for path in files)).createOrReplaceTempView(VIEW)
        try:
            return {
                name: [tuple(row) for row in session.sql(sql).collect()]
                for name, sql in definitions.items()
            }
        finally:
            session.catalog.dropTempView(VIEW)


def engine_named(name: str, *, spark_master: str) -> Engine:
    """The engine ``name`` (one of :data:`ENGINES`), Spark's for ``spark_master``."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(spark_master)
    raise StatsExchangeError(
        "unknown_stats_engine",
        msg("no engine {engine}; there are: {known}", engine=name, known=", ".join(ENGINES)),
    )
