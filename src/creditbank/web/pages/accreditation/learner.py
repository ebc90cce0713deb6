"""The learner's accreditation pages: their applications, the form to apply (a unit of a
competence standard, a centre, the learning setting, a statement and evidence files uploaded
with it) and each application's status with the forms to add evidence or appeal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import LearnerPrincipal
from creditbank.accounts.model import LearningSetting
from creditbank.accreditation import learners
from creditbank.accreditation.commands import (
    AddOwnEvidence,
    AppealOwnDecision,
    ApplyForOwnLearning,
    ListOwnApplications,
    ShowApplyChoices,
    ShowOwnApplication,
    ShowOwnEvidence,
)
from creditbank.accreditation.learners import ApplyChoices
from creditbank.accreditation.model import (
    MAX_REASON,
    MAX_STATEMENT,
    TRANSITIONS,
    Step,
    check_statement,
)
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.web.auth import LearnerPage
from creditbank.web.deps import Today, Uow
from creditbank.web.pages.accreditation.common import (
    FIELD_OF_CODE,
    Form,
    download,
    evidence_files,
    evidence_limits,
    max_bytes,
    notice,
    page,
    parse_choice,
    text,
    unit_choice,
    uploads,
)
from creditbank.web.pages.changes import Shown, attempt, see, status_of, submit
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors
from creditbank.web.sessions import csrf_protect

learner_pages = APIRouter(dependencies=[Depends(csrf_protect)])


def _names(uow: UnitOfWork) -> dict[str, institutions.Institution]:
    return {i.code: i for i in institutions.list_institutions(uow=uow)}


@learner_pages.get("/account/accreditations", response_class=HTMLResponse)
def my_applications(request: Request, uow: Uow, learner: LearnerPage, today: Today) -> Response:
    """The learner's applications for accreditation, newest first."""
    found = learners.list_own_applications(ListOwnApplications(), principal=learner, uow=uow)
    return page(
        request, "accreditation/mine.html", applications=found, today=today, names=_names(uow)
    )


def _apply_form(
    request: Request,
    uow: UnitOfWork,
    choices: ApplyChoices,
    values: Mapping[str, str],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "accreditation/apply.html",
        status_code=status_code,
        standards=choices.standards,
        centres=choices.centres,
        others=institutions.list_institutions(uow=uow),
        settings=list(LearningSetting),
        choice=unit_choice,
        values=values,
        errors=errors.as_dict() if errors else {},
        max_statement=MAX_STATEMENT,
        **evidence_limits(request),
    )


@learner_pages.get("/account/accreditations/new", response_class=HTMLResponse)
def apply_form(request: Request, uow: Uow, learner: LearnerPage, unit: str = "") -> Response:
    """The form to apply for learning to be accredited against a unit of a standard."""
    choices = learners.show_apply_choices(ShowApplyChoices(), principal=learner, uow=uow)
    only = [c.code for c in choices.centres]
    values = {"unit": unit.strip(), "centre": only[0] if len(only) == 1 else ""}
    return _apply_form(request, uow, choices, values)


@learner_pages.post("/account/accreditations/new", response_class=HTMLResponse)
def apply(request: Request, uow: Uow, learner: LearnerPage, form: Form) -> Response:
    """File the application with its evidence files: all stored together, or (on any problem)
    nothing, and the form comes back as it was filled in with every problem listed."""
    choices = learners.show_apply_choices(ShowApplyChoices(), principal=learner, uow=uow)
    errors = FieldErrors(request)
    values = {name: value for name, value in form.values.items() if name != "csrf_token"}
    chosen = parse_choice(form.get("unit"))
    if chosen is None:
        errors.add("unit", msg("choose the unit to have your learning accredited against"))
    centre = form.get("centre").strip().upper()
    if centre not in {c.code for c in choices.centres}:
        errors.add("centre", msg("choose an accreditation centre"))
    setting = form.get("setting")
    if setting not in {s.value for s in LearningSetting}:
        errors.add("setting", msg("choose how you learned: formal, non-formal or informal"))
    taught_by = form.get("taught_by").strip().upper() or None
    if taught_by and taught_by not in _names(uow):
        errors.add("taught_by", msg("choose an institution from the list, or none"))
    statement = text(errors, form, "statement", MAX_STATEMENT)
    if "statement" not in errors.by_field:
        for problem in check_statement(statement):
            errors.add("statement", problem)
    limit = max_bytes(request)
    files = evidence_files(errors, form, limit)
    if errors or chosen is None:
        return _apply_form(request, uow, choices, values, errors, UNPROCESSABLE)
    standard, version, unit = chosen
    command = ApplyForOwnLearning(
        centre=centre,
        standard=standard,
        standard_version=version,
        unit=unit,
        setting=setting,
        statement=statement,
        files=uploads(files),
        taught_by=taught_by,
    )
    filed = attempt(
        request,
        lambda writing: learners.apply_for_own_learning(
            command, principal=learner, uow=writing, max_bytes=limit
        ),
    )
    if isinstance(filed, DomainError):
        errors.add_refusal(filed, FIELD_OF_CODE.get(filed.code, "-"))
        return _apply_form(request, uow, choices, values, errors, status_of(filed))
    return see(f"/account/accreditations/{filed.public_id}", done="applied")


def _status_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    public_id: str,
    today: date,
    shown: Shown = Shown(),
) -> Response:
    query = ShowOwnApplication(public_id)
    application = learners.show_own_application(query, principal=learner, uow=uow)
    return page(
        request,
        "accreditation/status.html",
        status_code=shown.status_code,
        application=application,
        today=today,
        may_add_evidence=application.state in TRANSITIONS[Step.ADD_EVIDENCE],
        may_appeal=application.state in TRANSITIONS[Step.APPEAL] and not application.appealed,
        names=_names(uow),
        max_statement=MAX_STATEMENT,
        **shown.context(),
        **evidence_limits(request),
    )


@learner_pages.get("/account/accreditations/{public_id}", response_class=HTMLResponse)
def my_application(
    public_id: str,
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    today: Today,
    done: str | None = None,
) -> Response:
    """One of the learner's applications: its state and what happens next, the deadline, the
    evidence, marks, decisions and history."""
    return _status_page(
        request, uow, learner, public_id, today, Shown(notice=notice(request, done))
    )


@learner_pages.get("/account/accreditations/{public_id}/evidence/{sha256}")
def my_evidence(public_id: str, sha256: str, uow: Uow, learner: LearnerPage) -> Response:
    """An evidence file of the learner's own application."""
    query = ShowOwnEvidence(public_id, sha256)
    return download(learners.show_own_evidence(query, principal=learner, uow=uow))


def _learner_step(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    public_id: str,
    today: date,
    *,
    errors: FieldErrors,
    values: Mapping[str, str],
    done: str,
    take: Callable[[UnitOfWork], object],
) -> Response:
    """Take a learner's step on their application in a transaction of its own (``take``), unless
    the form has errors; then back to the status page, or the page again with every problem."""

    return submit(
        request,
        take,
        errors=errors,
        values=values,
        then=lambda _taken: see(f"/account/accreditations/{public_id}", done=done),
        again=lambda shown: _status_page(request, uow, learner, public_id, today, shown),
    )


@learner_pages.post("/account/accreditations/{public_id}/evidence", response_class=HTMLResponse)
def add_my_evidence(
    public_id: str, request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Answer the assessor's request for more evidence: the files go to the application, which
    returns to its assessor."""
    learners.show_own_application(ShowOwnApplication(public_id), principal=learner, uow=uow)
    errors = FieldErrors(request)
    note = text(errors, form, "note", MAX_REASON)
    limit = max_bytes(request)
    command = AddOwnEvidence(public_id, uploads(evidence_files(errors, form, limit)), note.strip())
    return _learner_step(
        request,
        uow,
        learner,
        public_id,
        today,
        errors=errors,
        values={name: value for name, value in form.values.items() if name != "csrf_token"},
        done="evidence",
        take=lambda writing: learners.add_own_evidence(
            command, principal=learner, uow=writing, max_bytes=limit
        ),
    )


@learner_pages.post("/account/accreditations/{public_id}/appeal", response_class=HTMLResponse)
def appeal_mine(
    public_id: str, request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Appeal a "not accredited" decision, once: a different assessor reconsiders it."""
    learners.show_own_application(ShowOwnApplication(public_id), principal=learner, uow=uow)
    errors = FieldErrors(request)
    reason = text(errors, form, "reason", MAX_STATEMENT)
    if "reason" not in errors.by_field and not reason.strip():
        errors.add("reason", msg("say why the decision should be reconsidered"))
    command = AppealOwnDecision(public_id, reason.strip())
    return _learner_step(
        request,
        uow,
        learner,
        public_id,
        today,
        errors=errors,
        values={"reason": reason},
        done="appealed",
        take=lambda writing: learners.appeal_own_decision(command, principal=learner, uow=writing),
    )
