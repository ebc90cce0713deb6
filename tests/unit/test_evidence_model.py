"""Evidence files told by their content, within the limits, without a database."""

from __future__ import annotations

import hashlib

import pytest

from creditbank.evidence.model import EvidenceError, check_file, check_sha256, sniff

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(20)


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")],
)
def test_accepted_types_by_their_first_bytes(content: bytes, kind: str) -> None:
    assert sniff(content[:16]) == kind
    for declared in (None, "", "application/octet-stream", kind, kind.upper() + "; q=1"):
        checked = check_file(content, declared=declared, max_bytes=1000)
        assert (checked.media_type, checked.size) == (kind, len(content))
        assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_jpg_is_an_alias() -> None:
    assert check_file(JPEG, declared="image/jpg", max_bytes=1000).media_type == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "declared", "code", "text"),
    [
        (b"<html>hello</html>", "application/pdf", "unsupported_evidence_type", "not one of"),
        (b"GIF89a" + bytes(20), "image/gif", "unsupported_evidence_type", "not one of"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None, "unsupported_evidence_type", "not one of"),
        (PDF, "image/png", "unsupported_evidence_type", "declared as image/png but its content"),
        (PNG, "text/plain", "unsupported_evidence_type", "declared as text/plain"),
        (b"", None, "invalid_evidence", "is empty"),
        (PDF + bytes(1000), None, "evidence_too_large", "at most 1000 bytes"),
    ],
)
def test_refused_files(content: bytes, declared: str | None, code: str, text: str) -> None:
    with pytest.raises(EvidenceError, match=text) as refused:
        check_file(content, declared=declared, max_bytes=1000)
    assert refused.value.code == code


def test_hashes() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert check_sha256(f" {digest.upper()} ") == digest
    for bad in ("", "abc", digest[:-1] + "g"):
        with pytest.raises(EvidenceError, match="64 hexadecimal"):
            check_sha256(bad)
