"""The staff's accreditation pages: a centre's queue (most overdue first, stalled ones flagged)
and an application as staff see it, with the officer's assign and confirm forms and the
assessor's scoring and decision forms. Each form is read only after the use case's check of
who may take the step (:func:`~creditbank.accreditation.assessment.check_step`), so that who
may not act learns nothing of the form's problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.accreditation import assessment, decisions, views
from creditbank.accreditation.commands import (
    AssignAssessor,
    CheckStep,
    ConfirmDecision,
    DecideApplication,
    MayReadApplication,
    ScoreApplication,
    ShowApplicationDesk,
    ShowApplicationEvidence,
    ShowQueueDesk,
    ShowSchemeToMark,
)
from creditbank.accreditation.model import MAX_REASON, Decision, State, Step
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow
from creditbank.web.pages.accreditation.common import (
    FROM_QUEUE,
    MAX_EMAIL,
    Form,
    Posted,
    download,
    notice,
    page,
    text,
)
from creditbank.web.pages.changes import Shown, see, submit
from creditbank.web.pages.forms import FieldErrors, parse_decimal
from creditbank.web.sessions import csrf_protect

staff_pages = APIRouter(dependencies=[Depends(csrf_protect)])


def _queue_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    today: date,
    centre: str,
    shown: Shown = Shown(),
    failed: str | None = None,
) -> Response:
    desk = views.show_queue_desk(ShowQueueDesk(centre, today), principal=principal, uow=uow)
    return page(
        request,
        "accreditation/queue.html",
        status_code=shown.status_code,
        principal=principal,
        centre=desk.centre,
        centres=desk.centres,
        entries=desk.entries,
        stalled=sum(1 for entry in desk.entries if entry.stalled),
        decided=desk.decided,
        mine=desk.mine,
        may_assign=desk.may_assign,
        may_confirm=desk.may_confirm,
        assignable=frozenset({State.SUBMITTED, State.APPEALED}),
        failed=failed,
        **shown.context(),
    )


@staff_pages.get("/staff/accreditation/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    centre: str = "",
    done: str | None = None,
) -> Response:
    """A centre's open applications, the most overdue first, stalled ones flagged (its staff;
    bank administrators and auditors choose the centre); for an assessor, the applications
    assigned to them."""
    return _queue_page(request, uow, principal, today, centre, Shown(notice=notice(request, done)))


def _application_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    shown: Shown = Shown(),
) -> Response:
    query = ShowApplicationDesk(public_id, today)
    desk = views.show_application_desk(query, principal=principal, uow=uow)
    application = desk.application
    kept = dict(shown.values)
    if application.marks is not None and not any(k.startswith("mark_") for k in kept):
        for component in application.marks.result.components:
            kept[f"mark_{component.kind.value}"] = f"{component.mark.normalize():f}"
        kept.setdefault("comment", application.marks.comment)
    return page(
        request,
        "accreditation/application.html",
        status_code=shown.status_code,
        principal=principal,
        application=application,
        today=today,
        may_score=desk.may_score,
        may_decide=desk.may_decide,
        may_assign=desk.may_assign,
        may_confirm=desk.may_confirm,
        may_queue=desk.may_queue,
        assessors=desk.assessors,
        decisions=list(Decision),
        names={i.code: i for i in institutions.list_institutions(uow=uow)},
        **replace(shown, values=kept).context(),
    )


@staff_pages.get("/staff/accreditations/{public_id}", response_class=HTMLResponse)
def application_page(
    public_id: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    done: str | None = None,
) -> Response:
    """An application: its unit, evidence, state and deadline, marks, decisions and history; the
    forms of whoever may take its next step."""
    return _application_page(
        request, uow, principal, public_id, today, Shown(notice=notice(request, done))
    )


@staff_pages.get("/staff/accreditations/{public_id}/evidence/{sha256}")
def application_evidence(public_id: str, sha256: str, uow: Uow, principal: StaffPage) -> Response:
    """An evidence file of an application, to whoever may read the application."""
    query = ShowApplicationEvidence(public_id, sha256)
    return download(views.show_application_evidence(query, principal=principal, uow=uow))


def _step(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    form: Posted,
    *,
    take: Callable[[UnitOfWork], object],
    done: str,
    values: Mapping[str, str],
    errors: FieldErrors,
) -> Response:
    """Take a step unless the form has problems; then back to the queue or the application
    (post/redirect/get), or the page again with every problem and the status of the refusal.

    A refusal is shown on the application's page only to whoever may read the application;
    anyone else gets the refusal itself (e.g. an assessor not assigned to it)."""
    from_queue = form.get("from") == FROM_QUEUE
    centre = form.get("centre").strip().upper()

    def unreadable(error: DomainError) -> bool:  # noqa: ARG001 - whoever the refusal is
        query = MayReadApplication(public_id)
        return not views.may_read_application(query, principal=principal, uow=uow)

    def then(_taken: object) -> Response:
        if from_queue:
            return see("/staff/accreditation/queue", centre=centre, done=done)
        return see(f"/staff/accreditations/{public_id}", done=done)

    def again(shown: Shown) -> Response:
        if from_queue:
            listed = [*shown.problems, *(m for field in errors.by_field.values() for m in field)]
            shown = replace(shown, problems=listed)
            return _queue_page(request, uow, principal, today, centre, shown, failed=public_id)
        return _application_page(request, uow, principal, public_id, today, shown)

    return submit(
        request,
        take,
        errors=errors,
        values=values,
        then=then,
        again=again,
        passed_on=unreadable,
    )


@staff_pages.post("/staff/accreditations/{public_id}/assign", response_class=HTMLResponse)
def assign(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Assign an assessor certified for the unit and free of conflicts (the centre's
    accreditation officers, bank administrators)."""
    assessment.check_step(CheckStep(public_id, Step.ASSIGN), principal=principal, uow=uow)
    errors = FieldErrors(request)
    email = text(errors, form, "assessor", MAX_EMAIL).strip()
    if "assessor" not in errors.by_field and not email:
        errors.add("assessor", msg("give the e-mail address of the assessor to assign"))
    command = AssignAssessor(public_id, email, on=today)
    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=lambda writing: assessment.assign_assessor(command, principal=principal, uow=writing),
        done="assigned",
        values={"assessor": email},
        errors=errors,
    )


@staff_pages.post("/staff/accreditations/{public_id}/scores", response_class=HTMLResponse)
def record_marks(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Record a mark for each component of the unit's scheme (the assigned assessor)."""
    query = ShowSchemeToMark(public_id)
    scheme = assessment.show_scheme_to_mark(query, principal=principal, uow=uow)
    errors = FieldErrors(request)
    marks: dict[str, Decimal] = {}
    values: dict[str, str] = {}
    for component in scheme.components:
        field = f"mark_{component.kind.value}"
        values[field] = form.get(field)
        mark = parse_decimal(errors, field, values[field], 2)
        if mark is not None and Decimal(0) <= mark <= Decimal(100):
            marks[component.kind.value] = mark
        elif field not in errors.by_field:
            errors.add(field, msg("enter a mark from 0 to 100"))
    values["comment"] = text(errors, form, "comment", MAX_REASON)
    command = ScoreApplication(public_id, marks, on=today, comment=values["comment"])
    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=lambda writing: assessment.score_application(
            command, principal=principal, uow=writing
        ),
        done="scored",
        values=values,
        errors=errors,
    )


@staff_pages.post("/staff/accreditations/{public_id}/decide", response_class=HTMLResponse)
def decide(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Decide: accredited (with the unit's credits or fewer), not accredited, or more evidence
    needed (the assigned assessor). The decision waits for a second person."""
    assessment.check_step(CheckStep(public_id, Step.DECIDE), principal=principal, uow=uow)
    errors = FieldErrors(request)
    values = {
        "decision": form.get("decision"),
        "credits": form.get("credits"),
        "reasons": text(errors, form, "reasons", MAX_REASON),
    }
    try:
        decision = Decision(values["decision"])
    except ValueError:
        errors.add("decision", msg("choose a decision"))
        decision = Decision.NOT_ACCREDITED
    granted = parse_decimal(errors, "credits", values["credits"], 1)
    if granted is not None and decision is not Decision.ACCREDITED:
        errors.add("credits", msg("credits are given only when the learning is accredited"))
    command = DecideApplication(public_id, decision, values["reasons"], on=today, credits=granted)
    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=lambda writing: assessment.decide_application(
            command, principal=principal, uow=writing
        ),
        done="decided",
        values=values,
        errors=errors,
    )


def _confirm(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    form: Posted,
    *,
    agree: bool,
) -> Response:
    step = Step.CONFIRM if agree else Step.RETURN
    assessment.check_step(CheckStep(public_id, step), principal=principal, uow=uow)
    field = "confirm_reason" if agree else "return_reason"
    errors = FieldErrors(request)
    reason = text(errors, form, field, MAX_REASON)
    if not agree and field not in errors.by_field and not reason.strip():
        errors.add(field, msg("say why the decision goes back to the assessor"))
    command = ConfirmDecision(public_id, agree=agree, reason=reason)
    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=lambda writing: decisions.confirm_decision(command, principal=principal, uow=writing),
        done="confirmed" if agree else "returned",
        values={field: reason},
        errors=errors,
    )


@staff_pages.post("/staff/accreditations/{public_id}/confirm", response_class=HTMLResponse)
def confirm(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Confirm the assessor's decision (four eyes: the centre's accreditation officers or bank
    administrators, never the assessor): it takes effect and is logged; an accredited one is
    deposited as an outcome in the learner's account."""
    return _confirm(request, uow, principal, public_id, today, form, agree=True)


@staff_pages.post("/staff/accreditations/{public_id}/return", response_class=HTMLResponse)
def return_decision(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Return the assessor's decision to them, with a reason (the second person disagrees)."""
    return _confirm(request, uow, principal, public_id, today, form, agree=False)
