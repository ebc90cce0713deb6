"""Matching in the pages: the learner's jobs and occupations that fit, one gap with what to
learn next and the switch to consent to being matched (``/me/jobs``); a programme's coverage of
occupations' and jobs' skills for a school (``/staff/programmes/{code}/coverage``).

Thin: build the query, call its handler, render. The consent switch calls the jobs area's
handlers (``ConsentToMatching``, ``WithdrawMatchingConsent``) in a unit of work of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.conversion import views as conversion_views
from creditbank.conversion.commands import ListProgrammes
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.jobs import consents as matching_consents
from creditbank.jobs.commands import ConsentToMatching, WithdrawMatchingConsent
from creditbank.matching import coverage, gaps
from creditbank.matching.commands import ListFits, ShowCoverage, ShowGaps
from creditbank.matching.schemas import CoverageRead, FitsRead, GapRead
from creditbank.web.auth import LearnerPage, StaffPage
from creditbank.web.deps import Now, Uow, render
from creditbank.web.pages.changes import attempt, refusal, see, status_of
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 18 else None  # noqa: PLR2004


def _jobs_page(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: datetime,
    *,
    occupation: str = "",
    job: str = "",
    status_code: int = 200,
    problems: list[str] | None = None,
    notice: str | None = None,
) -> Response:
    number = learner.account_number
    fits = gaps.list_fits(ListFits(number), principal=learner, uow=uow, now=now)
    gap: GapRead | None = None
    shown_problems = list(problems or [])
    occupation, job_id = occupation.strip(), _int(job)
    if occupation or job_id is not None:
        query = ShowGaps(number, occupation=occupation or None, job=None if occupation else job_id)
        try:
            found = gaps.show_gaps(query, principal=learner, uow=uow, now=now)
        except DomainError as error:
            shown_problems += refusal(request, error)
            status_code = status_of(error)
        else:
            gap = GapRead.of(found, request.state.language)
    return render(
        request,
        "me/jobs.html",
        status_code=status_code,
        fits=FitsRead.of(fits),
        consented=fits.matching_consent,
        gap=gap,
        problems=shown_problems,
        notice=notice,
    )


@pages.get("/me/jobs", response_class=HTMLResponse)
def my_jobs(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    occupation: str = "",
    job: str = "",
    done: str = "",
) -> Response:
    """The jobs and occupations that fit the learner's account, one gap explained (what is
    covered and by which outcome, what to learn next, what nothing teaches), and the switch to
    consent to being matched. Their own account only."""
    notices = {"consented": "consented", "withdrawn": "withdrawn"}
    return _jobs_page(
        request, uow, learner, now, occupation=occupation, job=job, notice=notices.get(done)
    )


@pages.post("/me/jobs/consent", response_class=HTMLResponse)
def switch_consent(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    consent: Annotated[str, Form()] = "",
) -> Response:
    """Consent to being matched (``consent=on``) or withdraw the consent (anything else)."""
    granting = consent == "on"

    def run(w: UnitOfWork) -> object:
        if granting:
            return matching_consents.consent_to_matching(
                ConsentToMatching(), principal=learner, uow=w, now=now
            )
        return matching_consents.withdraw_matching_consent(
            WithdrawMatchingConsent(), principal=learner, uow=w, now=now
        )

    done = attempt(request, run)
    if isinstance(done, DomainError):
        return _jobs_page(
            request,
            uow,
            learner,
            now,
            status_code=status_of(done),
            problems=refusal(request, done),
        )
    return see("/me/jobs", done="consented" if granting else "withdrawn")


@pages.get("/staff/coverage", response_class=HTMLResponse)
def coverage_index(request: Request, uow: Uow, principal: StaffPage) -> Response:
    """The programmes whose coverage of occupations' and jobs' skills the user may look at: their
    institution's (every institution's, for the bank's staff)."""
    found = conversion_views.list_programmes(
        ListProgrammes(institution=principal.institution), principal=principal, uow=uow
    )
    return render(request, "staff/coverage_index.html", programmes=found)


@pages.get("/staff/programmes/{code}/coverage", response_class=HTMLResponse)
def programme_coverage(
    code: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    occupation: str = "",
    job: str = "",
) -> Response:
    """How the programme's components cover the skills of an occupation, a job or (by default)
    the open jobs of its institution's region, and which required skills no component
    teaches."""
    occupation, job_id = occupation.strip(), _int(job)
    query = ShowCoverage(
        code,
        occupation=occupation or None,
        job=None if occupation else job_id,
        region=not occupation and job_id is None,
    )
    found: CoverageRead | None = None
    problems: list[str] = []
    status_code = 200
    try:
        found = CoverageRead.of(coverage.show_coverage(query, principal=principal, uow=uow))
    except DomainError as error:
        if error.code in {"forbidden", "programme_not_found"}:
            raise  # the error page, as the API answers
        problems, status_code = refusal(request, error), status_of(error)
    return render(
        request,
        "staff/coverage.html",
        status_code=status_code,
        code=code,
        coverage=found,
        occupation=occupation,
        job=job,
        problems=problems,
    )
