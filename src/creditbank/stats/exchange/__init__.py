"""Statistics across banks: a bank exports its statistics as Parquet files, and the national
bank combines many banks' files with one set of figure definitions (SQL), on DuckDB (embedded)
or on Spark, into ``stat_network_cells``."""
