"""Handlers of evidence files: each checks the policy, then calls the service."""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require, require_any
from creditbank.db import UnitOfWork
from creditbank.evidence import service
from creditbank.evidence.commands import ShowEvidence, UploadEvidence
from creditbank.evidence.service import EvidenceContent, EvidenceFile
from creditbank.usecases import handler


@handler
def upload_evidence(
    command: UploadEvidence, *, principal: Principal, uow: UnitOfWork, max_bytes: int
) -> EvidenceFile:
    """The institution's registrars and bank administrators upload its evidence."""
    require(principal, Action.UPLOAD_EVIDENCE, command.institution)
    return service.store_evidence(
        uow=uow,
        institution=command.institution,
        content=command.content,
        declared_type=command.declared_type,
        by=principal.email,
        max_bytes=max_bytes,
    )


@handler
def show_evidence(query: ShowEvidence, *, principal: Principal, uow: UnitOfWork) -> EvidenceContent:
    """To the staff of the institutions that uploaded it, bank administrators and auditors."""
    require_any(principal, Action.READ_OUTCOMES, service.uploaders(uow=uow, sha256=query.sha256))
    return service.read_evidence(uow=uow, sha256=query.sha256)
