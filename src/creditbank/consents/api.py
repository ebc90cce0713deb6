"""What other business areas may use of consents: which institutions a learner consents to,
and what a share link shows."""

from __future__ import annotations

from creditbank.consents.service import SharedRecord, consenting_institutions, open_share

__all__ = ["SharedRecord", "consenting_institutions", "open_share"]
