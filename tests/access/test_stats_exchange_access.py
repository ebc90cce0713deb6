"""Who may export the bank's statistics and combine banks' exports (handlers of
``creditbank.stats.exchange``): the bank's administrators only. An export holds the bank's cells
unsuppressed, written on the server's disk to be sent to the national bank; a combine replaces
the network's figures. Auditors read figures, they neither send data out nor change them.

The doors act on nothing that could be written: the export's directory cannot be made (under
/dev/null) and the combine is given no directory, so an administrator gets past the policy to a
refusal of what was asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.stats.exchange import handlers
from creditbank.stats.exchange.commands import CombineStats, ExportStats
from tests.access.matrix import BANK_WIDE, Door, let_through

DOORS = [
    Door(
        "export the bank's statistics",
        handlers.export_statistics,
        lambda _: ExportStats(Path("/dev/null/creditbank-door")),
        BANK_WIDE,
        extra={"suppress_below": 10},
    ),
    Door(
        "combine banks' statistics",
        handlers.combine_statistics,
        lambda _: CombineStats(()),
        BANK_WIDE,
        extra={"spark_master": "local[1]"},
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
