"""What other business areas may use of evidence files."""

from __future__ import annotations

from creditbank.evidence.model import SHA256_HEX
from creditbank.evidence.service import held_for

__all__ = ["SHA256_HEX", "held_for"]
