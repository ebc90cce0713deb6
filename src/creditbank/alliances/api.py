"""What other areas may use of the bank's alliances: their plain types (read through the
handlers of :mod:`creditbank.alliances.views`)."""

from __future__ import annotations

from creditbank.alliances.model import Alliance, AllianceError, AllianceStatus, Scope

__all__ = ["Alliance", "AllianceError", "AllianceStatus", "Scope"]
