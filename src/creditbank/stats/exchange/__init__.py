"""Statistics across banks: a bank exports its statistics as Parquet files, and the national
bank combines many banks' files with one set of figure definitions (SQL), on DuckDB (embedded)
or on Spark, into ``stat_network_cells``.

- ``export``: ``export_stats(uow, directory, suppress_below=...)`` writes ``cells.parquet``,
  ``facts.parquet`` and ``manifest.json`` (``files`` names them and their schemas);
- ``combine``: ``combine_stats(uow, directories, engine="duckdb"|"spark")`` checks the exports,
  runs the definitions (``definitions``, one SQL text each) on an engine (``engines``) and stores
  the result, answering a ``CombineReport``;
- ``handlers``: the use cases ``ExportStats`` and ``CombineStats`` (``commands``), with the policy;
- ``reading``: the network's cells as ``read_figure(..., source="network")`` reads them.

This package's ``__init__`` imports nothing (the migrations import its ``tables``); import the
module you need.
"""
