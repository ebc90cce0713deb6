"""Use cases of evidence files: store one, find which an institution holds, read one.

Given a unit of work; never commit. A file is stored once, under the SHA-256
of its bytes, however many institutions upload it; each upload records the
institution, which may then name the file in its deposits and read it back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.db import UnitOfWork
from creditbank.evidence.model import EvidenceError, check_file, check_sha256
from creditbank.evidence.tables import EvidenceFileRow, EvidenceUploadRow
from creditbank.institutions import api as institutions
from creditbank.messages import msg


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    sha256: str
    media_type: str
    size: int
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceContent:
    file: EvidenceFile
    content: bytes


def _file(row: EvidenceFileRow) -> EvidenceFile:
    return EvidenceFile(row.sha256, row.media_type, row.size, row.created_at)


def store_evidence(
    *,
    uow: UnitOfWork,
    institution: str,
    content: bytes,
    declared_type: str | None,
    by: str,
    max_bytes: int,
) -> EvidenceFile:
    """Keep ``content`` for ``institution`` (once per hash; a second upload changes nothing)."""
    session = uow.session
    checked = check_file(content, declared=declared_type, max_bytes=max_bytes)
    institution_id = institutions.institution_id(uow=uow, code=institution)
    now = datetime.now(UTC)
    row = session.get(EvidenceFileRow, checked.sha256)
    if row is None:
        row = EvidenceFileRow(
            sha256=checked.sha256,
            media_type=checked.media_type,
            size=checked.size,
            content=content,
            created_at=now,
        )
        session.add(row)
        session.flush()
    uploaded = session.scalar(
        select(EvidenceUploadRow.id).where(
            EvidenceUploadRow.sha256 == checked.sha256,
            EvidenceUploadRow.institution_id == institution_id,
        )
    )
    if uploaded is None:
        session.add(
            EvidenceUploadRow(
                sha256=checked.sha256,
                institution_id=institution_id,
                uploaded_by=by,
                uploaded_at=now,
            )
        )
        session.flush()
    return _file(row)


def held_for(*, uow: UnitOfWork, institution_id: int, hashes: Collection[str]) -> set[str]:
    """Those of ``hashes`` that the bank holds a file for, uploaded by the institution."""
    if not hashes:
        return set()
    return set(
        uow.session.scalars(
            select(EvidenceUploadRow.sha256).where(
                EvidenceUploadRow.institution_id == institution_id,
                EvidenceUploadRow.sha256.in_(set(hashes)),
            )
        )
    )


def uploaders(*, uow: UnitOfWork, sha256: str) -> set[str]:
    """The codes of the institutions that uploaded file ``sha256`` (none if the bank lacks it)."""
    codes = institutions.institution_codes(uow=uow)
    rows = uow.session.scalars(
        select(EvidenceUploadRow.institution_id).where(
            EvidenceUploadRow.sha256 == check_sha256(sha256)
        )
    )
    return {codes[institution_id] for institution_id in rows}


def read_evidence(*, uow: UnitOfWork, sha256: str) -> EvidenceContent:
    """File ``sha256`` and its bytes."""
    row = uow.session.get(EvidenceFileRow, check_sha256(sha256))
    if row is None:
        raise EvidenceError(
            "evidence_not_found", msg("there is no evidence file {sha256}", sha256=sha256.strip())
        )
    return EvidenceContent(_file(row), row.content)
