"""JSON shapes of evidence files."""

from __future__ import annotations

from pydantic import BaseModel, Field

from creditbank.evidence.service import EvidenceFile


class EvidenceRead(BaseModel):
    sha256: str = Field(description="Name the file by this in deposits (`evidence_sha256`).")
    media_type: str
    size: int = Field(description="Bytes.")
    url: str

    @classmethod
    def of(cls, file: EvidenceFile) -> EvidenceRead:
        return cls(
            sha256=file.sha256,
            media_type=file.media_type,
            size=file.size,
            url=f"/api/v1/evidence/{file.sha256}",
        )
