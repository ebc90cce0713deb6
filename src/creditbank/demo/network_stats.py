"""The federation's statistics across banks: each regional bank exports its statistics (its
administrator, as ``creditbank stats export`` does) and the national bank combines them with
DuckDB (its administrator, as ``creditbank stats combine`` does), so that the national bank's
``/stats/network`` shows the regional banks' figures, combined and by bank, from the first run.

The exports are written in a temporary directory and removed once combined: the combine keeps
what it read (each bank's origin, when it exported, its files' sha256) beside the cells.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from creditbank.stats.exchange.combine import CombineReport
from creditbank.stats.exchange.commands import CombineStats, ExportStats
from creditbank.stats.exchange.handlers import combine_statistics, export_statistics

if TYPE_CHECKING:
    from creditbank.demo.federation import Bank

ENGINE = "duckdb"
"""The engine the demo combines on (embedded: nothing to start)."""


def combine_regional_banks(banks: Mapping[str, Bank], *, national: str) -> CombineReport:
    """Export the statistics of every bank but ``national`` (a bank key) and combine them in
    ``national``'s database."""
    combining = banks[national]
    with tempfile.TemporaryDirectory(prefix="creditbank-stats-") as temporary:
        directories = []
        for key, bank in banks.items():
            if key == national:
                continue
            directory = Path(temporary) / key
            with bank.database.unit_of_work() as uow:
                export_statistics(
                    ExportStats(directory),
                    principal=bank.staff["admin"],
                    uow=uow,
                    suppress_below=bank.settings.stats_suppress_below,
                )
            directories.append(directory)
        with combining.database.unit_of_work() as uow:
            return combine_statistics(
                CombineStats(tuple(directories), engine=ENGINE),
                principal=combining.staff["admin"],
                uow=uow,
                spark_master=combining.settings.spark_master,
            )
