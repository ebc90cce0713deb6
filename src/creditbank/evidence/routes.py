"""HTTP for evidence files. Thin: authenticate, build the command, call its handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status

from creditbank.evidence import handlers
from creditbank.evidence.commands import ShowEvidence, UploadEvidence
from creditbank.evidence.model import ACCEPTED, EXTENSIONS
from creditbank.evidence.schemas import EvidenceRead
from creditbank.institutions.model import check_institution_code
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["evidence"])
ONE_YEAR = 365 * 24 * 3600


@api.post(
    "/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceRead,
    responses=responses(401, 403, 404, 413, 415, 422),
)
def upload_evidence(
    request: Request,
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[str, Form(description="The depositing institution's code.")],
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG or WebP.")],
) -> EvidenceRead:
    """Store an evidence file for an institution's deposits (its registrars, bank
    administrators): 201 with its SHA-256, whether or not the bank held these bytes already.
    413 above `CREDITBANK_EVIDENCE_MAX_BYTES`; 415 when the content (read from its first bytes)
    is not PDF, PNG, JPEG or WebP, or not what the part's Content-Type declares."""
    code = check_institution_code(institution)
    max_bytes: int = request.app.state.settings.evidence_max_bytes
    command = UploadEvidence(
        institution=code, content=file.file.read(max_bytes + 1), declared_type=file.content_type
    )
    stored = handlers.upload_evidence(command, principal=principal, uow=uow, max_bytes=max_bytes)
    return EvidenceRead.of(stored)


@api.get(
    "/evidence/{sha256}",
    response_class=Response,
    responses={
        200: {"content": {kind: {} for kind in ACCEPTED}, "description": "The file's bytes."},
        **responses(401, 403, 404, 422),
    },
)
def read_evidence(sha256: str, uow: Uow, principal: Authenticated) -> Response:
    """An evidence file, to the staff of the institutions that uploaded it (every institution
    whose outcome names a file uploaded it: a deposit may only name its own uploads), bank
    administrators and auditors."""
    found = handlers.show_evidence(ShowEvidence(sha256), principal=principal, uow=uow)
    name = f"{found.file.sha256}.{EXTENSIONS[found.file.media_type]}"
    return Response(
        found.content,
        media_type=found.file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{found.file.sha256}"',
            "Cache-Control": f"private, max-age={ONE_YEAR}, immutable",
        },
    )
