"""Which evidence files the bank accepts, told by their content. A pure core.

Evidence is a certificate scan, a transcript, a photograph of work: PDF, PNG,
JPEG or WebP. The type is read from the file's first bytes (its "magic"), not
taken from what the uploader declares; a declared type that disagrees with the
content is refused, so a file is never served under a type it is not.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from creditbank.errors import DomainError
from creditbank.messages import msg

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
ACCEPTED = tuple(EXTENSIONS)


class EvidenceError(DomainError):
    """An evidence file that cannot be accepted or found."""


def sniff(head: bytes) -> str | None:
    """The media type the content's first bytes show, if it is one the bank accepts."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    sha256: str
    media_type: str
    size: int


def check_file(content: bytes, *, declared: str | None, max_bytes: int) -> CheckedFile:
    """The file's hash, type and size once it is within the limits; else why not."""
    if len(content) > max_bytes:
        raise EvidenceError(
            "evidence_too_large",
            msg("an evidence file may have at most {max} bytes", max=max_bytes),
        )
    if not content:
        raise EvidenceError("invalid_evidence", msg("the evidence file is empty"))
    found = sniff(content[:16])
    if found is None:
        raise EvidenceError(
            "unsupported_evidence_type",
            msg(
                "the content is not one of the accepted types: {types}",
                types=", ".join(ACCEPTED),
            ),
        )
    stated = (declared or "").split(";", 1)[0].strip().lower()
    stated = ALIASES.get(stated, stated)
    if stated not in GENERIC_TYPES and stated != found:
        raise EvidenceError(
            "unsupported_evidence_type",
            msg(
                "the file is declared as {declared} but its content is {found}",
                declared=stated,
                found=found,
            ),
        )
    return CheckedFile(hashlib.sha256(content).hexdigest(), found, len(content))


def check_sha256(text: str) -> str:
    """``text`` as a content hash (64 lower-case hexadecimal characters), or why it is not."""
    normal = text.strip().lower()
    if not SHA256_HEX.match(normal):
        raise EvidenceError(
            "invalid_evidence",
            msg("an evidence file is named by its SHA-256: 64 hexadecimal characters"),
        )
    return normal
