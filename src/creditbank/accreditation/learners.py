"""A learner's own applications, from their pages: list, read, apply with evidence files,
add evidence when the assessor asks for more, appeal once.

Each handler takes the logged-in learner (a :class:`LearnerPrincipal`) and acts on their own
account only: another learner's application is "not found", as if it did not exist. Files the
learner sends are stored for the centre in the same transaction as the step, so a refusal
keeps none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from creditbank.access.policy import LearnerPrincipal
from creditbank.accreditation.applications import (
    LEARNER,
    Application,
    Parties,
    centres,
    get_application,
    list_applications,
    parties,
)
from creditbank.accreditation.commands import (
    AddOwnEvidence,
    AppealOwnDecision,
    ApplyForOwnLearning,
    EvidenceUpload,
    ListOwnApplications,
    ShowApplyChoices,
    ShowOwnApplication,
    ShowOwnEvidence,
)
from creditbank.accreditation.filing import add_evidence, appeal, apply
from creditbank.accreditation.model import AccreditationError
from creditbank.accreditation.standards import Standard, list_standards
from creditbank.accreditation.views import evidence_of
from creditbank.db import UnitOfWork
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler


def _own(uow: UnitOfWork, learner: LearnerPrincipal, public_id: str) -> Parties:
    """The parties of the learner's own application; another learner's is "not found"."""
    found = parties(uow=uow, public_id=public_id)
    if found.account_number != learner.account_number:
        raise AccreditationError(
            "application_not_found", msg("there is no application {id}", id=public_id)
        )
    return found


def _store(
    uow: UnitOfWork, centre: str, files: Sequence[EvidenceUpload], max_bytes: int
) -> list[tuple[str, str]]:
    """Keep the files for the centre, uploaded by the learner: (SHA-256, what it is) each."""
    return [
        (
            evidence.store_evidence(
                uow=uow,
                institution=centre,
                content=upload.content,
                declared_type=upload.declared_type,
                by=LEARNER,
                max_bytes=max_bytes,
            ).sha256,
            upload.name,
        )
        for upload in files
    ]


@handler
def list_own_applications(
    query: ListOwnApplications, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> list[Application]:
    """The learner's own applications, newest first."""
    del query
    return list_applications(uow=uow, account_number=principal.account_number)


@dataclass(frozen=True, slots=True)
class ApplyChoices:
    """What the application form offers."""

    standards: list[Standard]
    centres: list[institutions.Institution]


@handler
def show_apply_choices(
    query: ShowApplyChoices, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> ApplyChoices:
    """Every learner sees the standards and the centres."""
    del query, principal
    return ApplyChoices(list_standards(uow=uow), centres(uow))


@handler
def show_own_application(
    query: ShowOwnApplication, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> Application:
    """One of the learner's own applications."""
    _own(uow, principal, query.public_id)
    return get_application(uow=uow, public_id=query.public_id)


@handler
def show_own_evidence(
    query: ShowOwnEvidence, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> evidence.EvidenceContent:
    """An evidence file of the learner's own application."""
    application = show_own_application(
        ShowOwnApplication(query.public_id), principal=principal, uow=uow
    )
    return evidence_of(uow, application, query.sha256)


@handler
def apply_for_own_learning(
    command: ApplyForOwnLearning,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    max_bytes: int,
) -> Application:
    """The learner files an application with the files they send (each at most
    ``max_bytes``)."""
    return apply(
        uow=uow,
        account_number=principal.account_number,
        centre=command.centre,
        standard=command.standard,
        standard_version=command.standard_version,
        unit=command.unit,
        setting=command.setting,
        statement=command.statement,
        evidence_files=_store(uow, command.centre, command.files, max_bytes),
        by=LEARNER,
        applied_by_institution=None,
        taught_by=command.taught_by,
    )


@handler
def add_own_evidence(
    command: AddOwnEvidence,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    max_bytes: int,
) -> Application:
    """The learner answers a request for more evidence on their own application."""
    found = _own(uow, principal, command.public_id)
    return add_evidence(
        uow=uow,
        public_id=command.public_id,
        evidence_files=_store(uow, found.centre, command.files, max_bytes),
        note=command.note,
        by=LEARNER,
        by_user_id=None,
    )


@handler
def appeal_own_decision(
    command: AppealOwnDecision, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> Application:
    """The learner appeals a decision on their own application, once."""
    _own(uow, principal, command.public_id)
    return appeal(
        uow=uow, public_id=command.public_id, reason=command.reason, by=LEARNER, by_user_id=None
    )
