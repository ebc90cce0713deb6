"""HTTP for competence standards and accreditation applications. Thin: authenticate, build
the command, call its handler (which checks the policy), answer."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status

from creditbank.accreditation import assessment, decisions, filing, standards, views
from creditbank.accreditation.applications import Application
from creditbank.accreditation.commands import (
    AddMoreEvidence,
    AppealDecision,
    ApplyForLearner,
    AssignAssessor,
    ConfirmDecision,
    DecideApplication,
    ListStandards,
    ScoreApplication,
    ShowApplication,
    ShowQueue,
    ShowStandard,
)
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
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Today, Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["accreditation"])


def _read(application: Application, request: Request, today: date) -> ApplicationRead:
    return ApplicationRead.of(application, today=today, language=request.state.language)


@api.get("/standards", response_model=list[StandardRead], responses=responses(401))
def list_standards(uow: Uow, principal: Authenticated) -> list[StandardRead]:
    """The newest version of every competence standard, with its units and schemes."""
    query = ListStandards()
    return [
        StandardRead.of(s) for s in standards.show_standards(query, principal=principal, uow=uow)
    ]


@api.get("/standards/{code}", response_model=StandardRead, responses=responses(401, 404))
def read_standard(
    code: str, uow: Uow, principal: Authenticated, version: int | None = None
) -> StandardRead:
    """A competence standard's version (the newest without ``version``)."""
    query = ShowStandard(code, version)
    return StandardRead.of(standards.show_standard(query, principal=principal, uow=uow))


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
    command = ApplyForLearner(
        account_number=body.account_number,
        centre=body.centre,
        standard=body.standard,
        standard_version=body.standard_version,
        unit=body.unit,
        setting=body.setting,
        statement=body.statement,
        evidence=tuple((e.sha256, e.name) for e in body.evidence),
        taught_by=body.taught_by,
        at=now,
    )
    application = filing.apply_for_learner(command, principal=principal, uow=uow)
    return _read(application, request, today)


@api.get(
    "/accreditations/{public_id}",
    response_model=ApplicationRead,
    responses=responses(401, 403, 404),
)
def read_application(
    public_id: str, request: Request, uow: Uow, principal: Authenticated, today: Today
) -> ApplicationRead:
    """An application: its unit, evidence, state and deadline, marks, decisions and events."""
    query = ShowApplication(public_id)
    return _read(views.show_application(query, principal=principal, uow=uow), request, today)


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
    command = AssignAssessor(public_id, body.assessor, on=today)
    application = assessment.assign_assessor(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    command = ScoreApplication(public_id, body.marks, on=today, comment=body.comment)
    application = assessment.score_application(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    command = DecideApplication(
        public_id, body.decision, body.reasons, on=today, credits=body.credits
    )
    application = assessment.decide_application(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    command = ConfirmDecision(public_id, agree=body.agree, reason=body.reason)
    application = decisions.confirm_decision(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    command = AppealDecision(public_id, body.reason)
    application = filing.appeal_decision(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    command = AddMoreEvidence(
        public_id, tuple((e.sha256, e.name) for e in body.evidence), note=body.note
    )
    application = filing.add_more_evidence(command, principal=principal, uow=uow)
    return _read(application, request, today)


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
    query = ShowQueue(code, today)
    return [QueueEntryRead.of(e) for e in views.show_queue(query, principal=principal, uow=uow)]
