"""What other parts of the bank may use of transfers: the log's readers of recognition
decisions (for ``log verify``) and the plain types of imported outcomes."""

from __future__ import annotations

from creditbank.transfers.model import Decision, ImportStatus
from creditbank.transfers.records import READERS, unlogged
from creditbank.transfers.views import ImportedOutcome, Transfer

__all__ = ["READERS", "Decision", "ImportStatus", "ImportedOutcome", "Transfer", "unlogged"]
