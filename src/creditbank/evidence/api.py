"""What other business areas may use of evidence files."""

from __future__ import annotations

from creditbank.evidence.model import SHA256_HEX, EvidenceError
from creditbank.evidence.service import EvidenceContent, held_for, read_evidence, store_evidence

__all__ = [
    "SHA256_HEX",
    "EvidenceContent",
    "EvidenceError",
    "held_for",
    "read_evidence",
    "store_evidence",
]
