"""The use cases of evidence files, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UploadEvidence:
    """Store an evidence file for ``institution``'s deposits (``content``: its bytes, at most
    one more than the limit, so that a file too large shows)."""

    institution: str
    content: bytes
    declared_type: str | None


@dataclass(frozen=True, slots=True)
class ShowEvidence:
    """An evidence file's bytes, by its SHA-256."""

    sha256: str
