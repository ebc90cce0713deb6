"""The 1+X pages of certificate providers and pilot schools: the desk (the certificates an
institution provides, the levels it offers, the sessions it holds or provides) and a
certificate as its staff keep it, with the forms to declare an offering, record a teacher's
training and certification, and schedule an assessment session.

Thin, like every page: parse the form, build the command, call its handler (which checks the
policy) in a unit of work of its own (:mod:`creditbank.web.pages.changes`); a refusal shows the
page again with its messages and the API's status, a success redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow, cipher_of, render
from creditbank.web.pages.changes import Shown, see, submit
from creditbank.web.pages.forms import FieldErrors, parse_date, say
from creditbank.web.sessions import csrf_protect
from creditbank.xcerts import desks, profiles, sessions, teachers
from creditbank.xcerts.commands import (
    DeclareOffering,
    ScheduleSession,
    ShowCertificateDesk,
    ShowXcertDesk,
    TrainTeacher,
)
from creditbank.xcerts.data import SessionView
from creditbank.xcerts.model import Certifying, Offering, Training

desk_pages = APIRouter(dependencies=[Depends(csrf_protect)])

SHORT, LONG = 64, 400
NOTICES: dict[str, Message] = {
    "offering": msg("The offering is recorded."),
    "withdrawn": msg("The offering is withdrawn."),
    "teacher": msg("The teacher's training and certification are recorded."),
}
"""The notice a certificate's page shows after a change."""
CERTIFICATION_KINDS = ("teacher", "assessor")

_Result = TypeVar("_Result")


def passed_on(error: DomainError) -> bool:
    """Refusals shown as the error page rather than on the form: who may not act, and what
    does not exist."""
    return error.code == "forbidden" or error.code.endswith("_not_found")


def _notice(request: Request, done: str | None) -> str | None:
    return say(request, NOTICES[done]) if done in NOTICES else None


@desk_pages.get("/staff/xcerts", response_class=HTMLResponse)
def desk_page(request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """The 1+X desk of the staff user's institution (bank-wide roles: every certificate and
    session)."""
    desk = desks.show_xcert_desk(ShowXcertDesk(), principal=principal, uow=uow)
    return render(request, "xcerts/desk.html", desk=desk, principal=principal)


def _certificate_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    ref: str,
    today: date,
    shown: Shown = Shown(),
    failed: str | None = None,
) -> Response:
    desk = desks.show_certificate_desk(ShowCertificateDesk(ref), principal=principal, uow=uow)
    return render(
        request,
        "xcerts/certificate.html",
        status_code=shown.status_code,
        desk=desk,
        detail=desk.detail,
        xcert=desk.detail.xcert,
        today=today,
        failed=failed,
        kinds=CERTIFICATION_KINDS,
        **shown.context(),
    )


@desk_pages.get("/staff/xcerts/{owner}/{code}", response_class=HTMLResponse)
def certificate_page(
    owner: str,
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    done: str | None = None,
) -> Response:
    """A certificate as its staff keep it: pilot schools and assessment centres, teachers and
    assessors, sessions; the forms its reader may send."""
    shown = Shown(notice=_notice(request, done))
    return _certificate_page(request, uow, principal, f"{owner}:{code}", today, shown)


def _change(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    ref: str,
    today: date,
    *,
    form: str,
    run: Callable[[UnitOfWork], _Result],
    then: Callable[[_Result], Response],
    errors: FieldErrors,
    values: dict[str, str],
) -> Response:
    """One of the certificate page's forms: its change, or the page again with the problems
    listed at the top of form ``form``."""

    def again(shown: Shown) -> Response:
        return _certificate_page(request, uow, principal, ref, today, shown, failed=form)

    return submit(
        request, run, errors=errors, values=values, then=then, again=again, passed_on=passed_on
    )


@desk_pages.post("/staff/xcerts/{owner}/{code}/offerings", response_class=HTMLResponse)
def declare_offering(
    owner: str,
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    school: Annotated[str, Form(max_length=SHORT)] = "",
    level: Annotated[str, Form(max_length=SHORT)] = "",
    assessment_centre: Annotated[str, Form(max_length=SHORT)] = "",
    active: Annotated[str, Form(max_length=SHORT)] = "1",
) -> Response:
    """Declare that a pilot school offers a level (and whether it assesses it), or withdraw an
    offering (the provider's registrars, bank administrators)."""
    ref = f"{owner}:{code}"
    errors = FieldErrors(request)
    if not school.strip():
        errors.add("school", msg("choose the pilot school"))
    if not level.strip():
        errors.add("level", msg("choose the level"))
    withdrawn = active == "0"
    offering = Offering(
        school, level, assessment_centre=bool(assessment_centre), active=not withdrawn
    )
    command = DeclareOffering(ref, offering)
    page = f"/staff/xcerts/{owner}/{code}"
    return _change(
        request,
        uow,
        principal,
        ref,
        today,
        form="offering",
        run=lambda writing: profiles.declare_offering(command, principal=principal, uow=writing),
        then=lambda _done: see(page, done="withdrawn" if withdrawn else "offering"),
        errors=errors,
        values={"school": school, "level": level, "assessment_centre": assessment_centre},
    )


def _days(errors: FieldErrors, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        errors.add("days", msg("enter the number of days"))
        return 0


@desk_pages.post("/staff/xcerts/{owner}/{code}/teachers", response_class=HTMLResponse)
def train_teacher(
    owner: str,
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    email: Annotated[str, Form(max_length=320)] = "",
    id_number: Annotated[str, Form(max_length=SHORT)] = "",
    course: Annotated[str, Form(max_length=LONG)] = "",
    days: Annotated[str, Form(max_length=SHORT)] = "",
    completed_on: Annotated[str, Form(max_length=SHORT)] = "",
    kinds: Annotated[list[str] | None, Form(max_length=SHORT)] = None,
    certified_level: Annotated[str, Form(max_length=SHORT)] = "",
    valid_from: Annotated[str, Form(max_length=SHORT)] = "",
    valid_until: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    """Record a teacher's training and/or certify them as teacher, assessor or both (the
    provider's registrars, bank administrators; a certification needs the training first)."""
    ref = f"{owner}:{code}"
    errors = FieldErrors(request)
    values = {
        "email": email,
        "course": course,
        "days": days,
        "completed_on": completed_on,
        "certified_level": certified_level,
        "valid_from": valid_from,
        "valid_until": valid_until,
        **{f"kind_{kind}": "1" for kind in kinds or ()},
    }  # the identity number is not shown again
    if not email.strip():
        errors.add("email", msg("give the teacher's e-mail address"))
    training = None
    if course.strip() or days.strip() or completed_on.strip():
        finished = parse_date(errors, "completed_on", completed_on)
        if finished is None and "completed_on" not in errors.by_field:
            errors.add("completed_on", msg("give the day the training was completed"))
        training = Training(course, _days(errors, days), finished or today)
    certifying = None
    if kinds:
        starts = parse_date(errors, "valid_from", valid_from)
        ends = parse_date(errors, "valid_until", valid_until)
        for field, found in (("valid_from", starts), ("valid_until", ends)):
            if found is None and field not in errors.by_field:
                errors.add(field, msg("give the day"))
        if not id_number.strip():
            errors.add("id_number", msg("a certification needs the teacher's identity number"))
        certifying = Certifying(
            tuple(kinds), certified_level.strip() or None, starts or today, ends or today
        )
    command = TrainTeacher(
        ref,
        email=email.strip(),
        id_number=id_number.strip(),
        training=training,
        certifying=certifying,
        today=today,
    )
    cipher = cipher_of(request)
    page = f"/staff/xcerts/{owner}/{code}"
    return _change(
        request,
        uow,
        principal,
        ref,
        today,
        form="teacher",
        run=lambda writing: teachers.train_teacher(
            command, principal=principal, uow=writing, cipher=cipher
        ),
        then=lambda _done: see(page, done="teacher"),
        errors=errors,
        values=values,
    )


@desk_pages.post("/staff/xcerts/{owner}/{code}/sessions", response_class=HTMLResponse)
def schedule_session(
    owner: str,
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    centre: Annotated[str, Form(max_length=SHORT)] = "",
    level: Annotated[str, Form(max_length=SHORT)] = "",
    held_on: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    """Schedule an assessment session at an assessment centre (the centre's registrars, the
    provider's, bank administrators); then on to the session's page."""
    ref = f"{owner}:{code}"
    errors = FieldErrors(request)
    if not centre.strip():
        errors.add("centre", msg("choose the assessment centre"))
    if not level.strip():
        errors.add("session_level", msg("choose the level"))
    day = parse_date(errors, "held_on", held_on)
    if day is None and "held_on" not in errors.by_field:
        errors.add("held_on", msg("give the day the session is held"))
    command = ScheduleSession(ref, centre, level, day or today, today)

    def then(made: SessionView) -> Response:
        return see(f"/staff/sessions/{made.id}", done="scheduled")

    return _change(
        request,
        uow,
        principal,
        ref,
        today,
        form="session",
        run=lambda writing: sessions.schedule_session(command, principal=principal, uow=writing),
        then=then,
        errors=errors,
        values={"centre": centre, "session_level": level, "held_on": held_on},
    )
