"""HTTP for competence standards and accreditation applications. Thin: authenticate, check
the policy, call the service."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from creditbank.access.policy import (
    Action,
    Principal,
    require,
    require_consented,
)
from creditbank.accreditation import service, standards
from creditbank.accreditation.schemas import (
    AppealBody,
    ApplicationCreate,
    ApplicationRead,
    AssignBody,
    ConfirmBody,
    DecideBody,
    MarksBody,
    MoreEvidenceBody,
    QueueEntryRead,
    StandardRead,
)
from creditbank.consents import api as consents
from creditbank.institutions.model import check_institution_code
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Today, Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["accreditation"])


@api.get("/standards", response_model=list[StandardRead], responses=responses(401))
def list_standards(uow: Uow, _principal: Authenticated) -> list[StandardRead]:
    """The newest version of every competence standard, with its units and schemes."""
    return [StandardRead.of(s) for s in standards.list_standards(uow=uow)]


@api.get("/standards/{code}", response_model=StandardRead, responses=responses(401, 404))
def read_standard(
    code: str, uow: Uow, _principal: Authenticated, version: int | None = None
) -> StandardRead:
    """A competence standard's version (the newest without ``version``)."""
    return StandardRead.of(standards.get_standard(uow=uow, code=code, version=version))


@api.post(
    "/accreditations",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def apply(
    body: ApplicationCreate,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    now: Now,
    today: Today,
) -> ApplicationRead:
    """Apply for a learner's learning to be accredited against a unit of a standard, with
    evidence uploaded before (the registrars of an institution the learner consents to, bank
    administrators). Learners apply on their own pages."""
    institution = principal.institution
    consenting = consents.consenting_institutions(
        uow=uow, account_number=body.account_number, now=now
    )
    require_consented(
        principal, Action.APPLY_ACCREDITATION, institution or "", consenting=consenting
    )
    application = service.apply(
        uow=uow,
        account_number=body.account_number,
        centre=check_institution_code(body.centre),
        standard=body.standard,
        standard_version=body.standard_version,
        unit=body.unit,
        setting=body.setting,
        statement=body.statement,
        evidence_files=[(e.sha256, e.name) for e in body.evidence],
        by=principal.email,
        applied_by_institution=institution,
        taught_by=None if body.taught_by is None else check_institution_code(body.taught_by),
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.get(
    "/accreditations/{public_id}",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404),
)
def read_application(
    public_id: str, request: Request, uow: Uow, principal: Authenticated, today: Today
) -> ApplicationRead:
    """An application: its unit, evidence, state and deadline, marks, decisions and events."""
    service.parties(uow=uow, public_id=public_id).require_reader(principal)
    application = service.get_application(uow=uow, public_id=public_id)
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.post(
    "/accreditations/{public_id}/assign",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def assign(
    public_id: str,
    body: AssignBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Assign an assessor certified for the unit and free of conflicts (the centre's
    accreditation officers, bank administrators)."""
    require(principal, Action.ASSIGN_ASSESSOR, service.parties(uow=uow, public_id=public_id).centre)
    application = service.assign(
        uow=uow,
        public_id=public_id,
        assessor_email=body.assessor,
        by=principal.email,
        by_user_id=principal.user_id,
        on=today,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.post(
    "/accreditations/{public_id}/scores",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def record_marks(
    public_id: str,
    body: MarksBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Record the marks of each component of the unit's scheme (the assigned assessor)."""
    require(principal, Action.SCORE_APPLICATION, principal.institution)
    application = service.record_marks(
        uow=uow,
        public_id=public_id,
        marks=body.marks,
        comment=body.comment,
        by=principal.email,
        by_user_id=principal.user_id,
        on=today,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.post(
    "/accreditations/{public_id}/decide",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def decide(
    public_id: str,
    body: DecideBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Decide: accredited, not accredited, or more evidence needed (the assigned assessor).
    The decision waits for a second person's confirmation."""
    require(principal, Action.SCORE_APPLICATION, principal.institution)
    application = service.decide(
        uow=uow,
        public_id=public_id,
        decision=body.decision,
        granted=body.credits,
        reasons=body.reasons,
        by=principal.email,
        by_user_id=principal.user_id,
        on=today,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.post(
    "/accreditations/{public_id}/confirm",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def confirm(
    public_id: str,
    body: ConfirmBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Confirm the assessor's decision (four eyes: the centre's accreditation officers or
    bank administrators, never the assessor), or return it with ``agree: false`` and a
    reason. A confirmed decision is logged; an accredited one is deposited as an outcome."""
    require(
        principal, Action.CONFIRM_DECISION, service.parties(uow=uow, public_id=public_id).centre
    )
    application = service.confirm(
        uow=uow,
        public_id=public_id,
        agree=body.agree,
        reason=body.reason,
        by=principal.email,
        by_user_id=principal.user_id,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


def _require_applicant(principal: Principal, parties: service.Parties) -> None:
    """The institution that applied for the learner (or a bank administrator) acts for them."""
    require(principal, Action.APPLY_ACCREDITATION, parties.applied_by)


@api.post(
    "/accreditations/{public_id}/appeal",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def appeal(
    public_id: str,
    body: AppealBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Appeal a "not accredited" decision, once (for the learner: the institution that
    applied, or a bank administrator; learners appeal on their own pages)."""
    _require_applicant(principal, service.parties(uow=uow, public_id=public_id))
    application = service.appeal(
        uow=uow,
        public_id=public_id,
        reason=body.reason,
        by=principal.email,
        by_user_id=principal.user_id,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.post(
    "/accreditations/{public_id}/evidence",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def add_evidence(
    public_id: str,
    body: MoreEvidenceBody,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    today: Today,
) -> ApplicationRead:
    """Answer a request for more evidence (the institution that applied)."""
    _require_applicant(principal, service.parties(uow=uow, public_id=public_id))
    application = service.add_evidence(
        uow=uow,
        public_id=public_id,
        evidence_files=[(e.sha256, e.name) for e in body.evidence],
        note=body.note,
        by=principal.email,
        by_user_id=principal.user_id,
    )
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.get(
    "/centres/{code}/queue",
    response_model=list[QueueEntryRead],
    responses=responses(401, 403, 404),
)
def centre_queue(
    code: str, uow: Uow, principal: Authenticated, today: Today
) -> list[QueueEntryRead]:
    """A centre's open applications, the most overdue first, stalled ones flagged (its
    staff, bank administrators and auditors)."""
    centre = check_institution_code(code)
    require(principal, Action.READ_APPLICATION, centre)
    return [QueueEntryRead.of(e) for e in service.queue(uow=uow, centre=centre, today=today)]
