"""The read side of accreditation for staff: an application, its evidence files, a centre's
queue, and the same as the staff pages show them (with the steps the acting user may take).

Each query's handler checks the access policy, then reads: an application is read by the
centre's staff, the applying institution's, the assigned assessor and bank-wide roles; a
centre's queue by its staff, bank administrators and auditors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.access.policy import AccessError, Action, Principal, allowed, require
from creditbank.accreditation.applications import (
    Application,
    QueueEntry,
    assigned_to,
    centres,
    get_application,
    parties,
    queue,
)
from creditbank.accreditation.certifications import CertificationKind, certifications_for
from creditbank.accreditation.commands import (
    MayReadApplication,
    ShowApplication,
    ShowApplicationDesk,
    ShowApplicationEvidence,
    ShowQueue,
    ShowQueueDesk,
)
from creditbank.accreditation.model import TRANSITIONS, State, Step
from creditbank.db import UnitOfWork
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler


@handler
def show_application(
    query: ShowApplication, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """Whoever may read the application (see :meth:`Parties.require_reader`)."""
    parties(uow=uow, public_id=query.public_id).require_reader(principal)
    return get_application(uow=uow, public_id=query.public_id)


@handler
def may_read_application(
    query: MayReadApplication, *, principal: Principal, uow: UnitOfWork
) -> bool:
    """Whether the acting user may read the application (``application_not_found`` when there
    is none)."""
    try:
        parties(uow=uow, public_id=query.public_id).require_reader(principal)
    except AccessError:
        return False
    return True


def evidence_of(uow: UnitOfWork, application: Application, sha256: str) -> evidence.EvidenceContent:
    """One of the application's evidence files (only those it names)."""
    if sha256.strip().lower() not in {item.sha256 for item in application.evidence}:
        raise evidence.EvidenceError(
            "evidence_not_found",
            msg("there is no evidence file {sha256}", sha256=sha256.strip()),
        )
    return evidence.read_evidence(uow=uow, sha256=sha256)


@handler
def show_application_evidence(
    query: ShowApplicationEvidence, *, principal: Principal, uow: UnitOfWork
) -> evidence.EvidenceContent:
    """Whoever may read the application."""
    application = show_application(ShowApplication(query.public_id), principal=principal, uow=uow)
    return evidence_of(uow, application, query.sha256)


@handler
def show_queue(query: ShowQueue, *, principal: Principal, uow: UnitOfWork) -> list[QueueEntry]:
    """The centre's staff, bank administrators and auditors."""
    centre = institutions.check_institution_code(query.centre)
    require(principal, Action.READ_APPLICATION, centre)
    return queue(uow=uow, centre=centre, today=query.today)


@dataclass(frozen=True, slots=True)
class ApplicationDesk:
    """An application and what the acting user may do with it on the staff page."""

    application: Application
    may_score: bool
    may_decide: bool
    may_assign: bool
    may_confirm: bool
    may_queue: bool
    assessors: list[str]
    """Who holds an assessor certification for the unit today (when the user may assign)."""


def _certified_assessors(uow: UnitOfWork, application: Application, today: date) -> list[str]:
    """A suggestion: the assignment itself checks certification and conflicts."""
    unit = application.unit
    return sorted(
        {
            c.email
            for c in certifications_for(uow=uow, item_id=unit.item.id)
            if c.kind == CertificationKind.ASSESSOR
            and c.covers(today)
            and c.level in {None, unit.level.level.code}
        }
    )


@handler
def show_application_desk(
    query: ShowApplicationDesk, *, principal: Principal, uow: UnitOfWork
) -> ApplicationDesk:
    """Whoever may read the application."""
    found = parties(uow=uow, public_id=query.public_id)
    found.require_reader(principal)
    application = get_application(uow=uow, public_id=query.public_id)
    state = application.state
    assessor = found.assessor_user_id == principal.user_id
    scoring = assessor and allowed(principal, Action.SCORE_APPLICATION, principal.institution)
    may_assign = state in TRANSITIONS[Step.ASSIGN] and allowed(
        principal, Action.ASSIGN_ASSESSOR, found.centre
    )
    return ApplicationDesk(
        application=application,
        may_score=scoring and state in TRANSITIONS[Step.SCORE],
        may_decide=scoring and state in TRANSITIONS[Step.DECIDE],
        may_assign=may_assign,
        may_confirm=state in TRANSITIONS[Step.CONFIRM]
        and allowed(principal, Action.CONFIRM_DECISION, found.centre),
        may_queue=allowed(principal, Action.READ_APPLICATION, found.centre),
        assessors=_certified_assessors(uow, application, query.today) if may_assign else [],
    )


@dataclass(frozen=True, slots=True)
class QueueDesk:
    """A centre's queue as the staff page shows it."""

    centre: str
    """The centre shown ("" for none: bank-wide users and assessors choose one)."""
    centres: list[institutions.Institution]
    entries: list[QueueEntry]
    decided: dict[str, Application]
    """The applications waiting for confirmation, by id."""
    mine: list[QueueEntry]
    """For an assessor: the open applications assigned to them, in every centre."""
    may_assign: bool
    may_confirm: bool


@handler
def show_queue_desk(query: ShowQueueDesk, *, principal: Principal, uow: UnitOfWork) -> QueueDesk:
    """The centre's staff, bank administrators and auditors; an assessor's own work."""
    chosen = query.centre.strip().upper()
    if not chosen and principal.role is not institutions.Role.ASSESSOR:
        chosen = principal.institution or ""
    entries: list[QueueEntry] = []
    if chosen:
        require(principal, Action.READ_APPLICATION, chosen)
        entries = queue(uow=uow, centre=chosen, today=query.today)
    return QueueDesk(
        centre=chosen,
        centres=centres(uow),
        entries=entries,
        decided={
            entry.public_id: get_application(uow=uow, public_id=entry.public_id)
            for entry in entries
            if entry.state is State.DECIDED
        },
        mine=assigned_to(uow=uow, user_id=principal.user_id, today=query.today)
        if principal.role is institutions.Role.ASSESSOR
        else [],
        may_assign=bool(chosen) and allowed(principal, Action.ASSIGN_ASSESSOR, chosen),
        may_confirm=bool(chosen) and allowed(principal, Action.CONFIRM_DECISION, chosen),
    )
