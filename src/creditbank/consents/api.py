"""What other business areas may use of consents: which institutions a learner consents to."""

from __future__ import annotations

from creditbank.consents.service import consenting_institutions

__all__ = ["consenting_institutions"]
