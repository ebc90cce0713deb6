"""The statistics the bank publishes: facts tallied into monthly counters (``stat_cells``) in the
transaction that makes each fact, figures read from them with small counts suppressed, and a
rebuild that counts every fact again from the bank's records."""
