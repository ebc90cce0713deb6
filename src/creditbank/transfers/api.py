"""What other parts of the bank may use of transfers: the log's readers of recognition
decisions (for ``log verify``), the plain types of imported outcomes, and the facts its
statistics rebuild from (:func:`recognition_facts`, a source of ``stats.api.FACT_SOURCES``)."""

from __future__ import annotations

from creditbank.transfers.model import Decision, ImportStatus
from creditbank.transfers.records import READERS, unlogged
from creditbank.transfers.statistics import recognition_facts
from creditbank.transfers.views import ImportedOutcome, Transfer

__all__ = [
    "READERS",
    "Decision",
    "ImportStatus",
    "ImportedOutcome",
    "Transfer",
    "recognition_facts",
    "unlogged",
]
