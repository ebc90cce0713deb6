"""The handlers of the statistics across banks: export the bank's, combine many banks'.

Both are the bank administrators' (``Action.EXPORT_STATS``, ``Action.COMBINE_STATS``): an export
holds the bank's cells unsuppressed and is written on the server's disk to be sent to the
national bank; a combine replaces the network's figures everybody reads. Auditors read the
figures (suppressed) but neither send data out nor change them.
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork
from creditbank.messages import Message
from creditbank.stats.exchange.combine import BankExport, CombineReport, combine_stats, read_export
from creditbank.stats.exchange.commands import CombineStats, ExportStats
from creditbank.stats.exchange.engines import StatsExchangeError
from creditbank.stats.exchange.export import export_stats
from creditbank.usecases import handler


@handler
def export_statistics(
    command: ExportStats, *, principal: Principal, uow: UnitOfWork, suppress_below: int
) -> BankExport:
    """Export the bank's statistics into the command's directory; answer the export as read
    back from its manifest (origin, rows and sha256 of each file)."""
    require(principal, Action.EXPORT_STATS, None)
    export_stats(uow, command.directory, suppress_below=suppress_below)
    problems: list[Message] = []
    export = read_export(command.directory, problems)
    if export is None:  # the files changed under us: say so rather than answer a bad export
        raise StatsExchangeError("invalid_stats_export", problems[0], problems[1:])
    return export


@handler
def combine_statistics(
    command: CombineStats, *, principal: Principal, uow: UnitOfWork, spark_master: str
) -> CombineReport:
    """Combine the banks' exports in the command's directories into ``stat_network_cells``, on
    the command's engine (Spark's master: ``spark_master``)."""
    require(principal, Action.COMBINE_STATS, None)
    return combine_stats(uow, command.directories, engine=command.engine, spark_master=spark_master)
