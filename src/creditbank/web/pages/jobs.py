"""Jobs in the pages: the list of posted jobs (``/staff/jobs``), posting one (``/staff/jobs/new``:
the job's text, then the bank's suggested occupations and skills with their scores and the words
that matched; the employer ticks what to keep and confirms) and a job's page (its skills and
certificates, closing it, and the learners who consented to be matched, through the matching
area's MatchJob).

Thin, like every page: authenticate, build the command, call its handler (which checks the
policy), render. A change runs in a unit of work of its own (``attempt``): a refusal is shown
on the page with the API's status, a success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Action, Principal, allowed
from creditbank.accounts.api import PersonalDataCipher
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import handlers as institution_handlers
from creditbank.institutions.commands import ShowInstitution
from creditbank.jobs import postings, views
from creditbank.jobs.commands import (
    CloseJob,
    ListJobs,
    PostJob,
    ShowJob,
    SuggestForJob,
)
from creditbank.jobs.model import MAX_DESCRIPTION, JobSkill, Relation
from creditbank.jobs.postings import Suggestions
from creditbank.matching import matches
from creditbank.matching.commands import MatchJob
from creditbank.matching.schemas import MatchesRead
from creditbank.messages import Message, msg
from creditbank.regions import region_of
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Now, Uow, cipher_of, render
from creditbank.web.pages.changes import attempt, refusal, see, status_of
from creditbank.web.pages.forms import say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

PASSED_ON = frozenset({"forbidden", "job_not_found"})
"""Refusals shown as the error page (403, 404), as the API answers; others on the page."""
SUGGESTIONS = 15
MATCHES = 50
NOTICES: dict[str, Message] = {
    "posted": msg("The job is posted. Learners who consented to be matched are listed below."),
    "closed": msg("The job is closed: it is no longer shown to learners as an open job."),
}


@dataclass(frozen=True, slots=True)
class Posted:
    """A posting form as sent: its fields, the skills ticked with their relation."""

    values: Mapping[str, str]
    kept: tuple[JobSkill, ...] = ()
    certificates: tuple[str, ...] = ()
    lists: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


async def _posted(request: Request) -> Posted:
    form = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = defaultdict(list)
    for name, value in form.multi_items():
        if isinstance(value, str):
            text = value[: MAX_DESCRIPTION + 1]  # one over: the handler refuses, names the limit
            values.setdefault(name, text)
            lists[name].append(text)
    kept = []
    for raw in lists.get("keep", []):
        if raw.isdigit():
            relation = values.get(f"relation-{raw}", Relation.ESSENTIAL.value)
            kept.append(JobSkill(int(raw), relation))
    certificates = tuple(
        line.strip() for line in values.get("certificates", "").splitlines() if line.strip()
    )
    return Posted(values, tuple(kept), certificates, dict(lists))


PostedForm = Annotated[Posted, Depends(_posted)]


def _page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        template,
        status_code=status_code,
        notice=say(request, NOTICES[done]) if done in NOTICES else None,
        region_name=lambda code: _region_name(request, code),
        **context,
    )


def _region_name(request: Request, code: str) -> str:
    found = region_of(code)
    if found is None:
        return code
    return found[1] if request.state.language == "zh" else say(request, found[2])


def _may_post(principal: Principal) -> bool:
    return allowed(principal, Action.POST_JOB, principal.institution)


# --- the list ---------------------------------------------------------------------------------


@pages.get("/staff/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    status: Annotated[str, Query(max_length=16)] = "",
    region: Annotated[str, Query(max_length=32)] = "",
    mine: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    """Posted jobs, newest first (an employer's: their enterprise's unless ``mine=no``)."""
    own = principal.institution if principal.institution and mine != "no" else None
    if principal.role.value != "employer":
        own = principal.institution if mine == "yes" else None
    query = ListJobs(institution=own, status=status or None, region=region or None)
    problems: list[str] = []
    status_code = 200
    try:
        listed = views.list_jobs(query, principal=principal, uow=uow)
        found = listed.jobs
    except DomainError as error:
        if error.code in PASSED_ON:
            raise
        problems, status_code, found = refusal(request, error), status_of(error), []
    return _page(
        request,
        "jobs/list.html",
        status_code=status_code,
        jobs=found,
        status=status,
        region=region,
        own=own,
        may_post=_may_post(principal),
        problems=problems,
    )


# --- posting ----------------------------------------------------------------------------------


def _new(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    form: Posted,
    *,
    suggest: bool,
    status_code: int = 200,
    problems: Sequence[str] = (),
) -> Response:
    suggestions: Suggestions | None = None
    problems = list(problems)
    if suggest:
        query = SuggestForJob(form.get("title"), form.get("description"), SUGGESTIONS)
        try:
            suggestions = postings.suggest_for_job(query, principal=principal, uow=uow)
        except DomainError as error:
            if error.code in PASSED_ON:
                raise
            status_code = status_code if problems else status_of(error)
            problems += refusal(request, error)
    kept = {s.skill_id: s.relation for s in form.kept}
    return _page(
        request,
        "jobs/new.html",
        status_code=status_code,
        form=form,
        kept=kept,
        suggestions=suggestions,
        problems=problems,
        may_choose_institution=principal.institution is None,
    )


@pages.get("/staff/jobs/new", response_class=HTMLResponse)
def new_job_page(request: Request, uow: Uow, principal: StaffPage) -> Response:
    """The form to post a job: its title, description, language and region (those who may post;
    others are refused as the handler refuses them)."""
    if not _may_post(principal):  # the page is the suggestions' first step: their policy
        postings.suggest_for_job(SuggestForJob(""), principal=principal, uow=uow)  # refuses
    values = {"language": request.state.language, "institution": principal.institution or ""}
    if principal.institution:  # where the enterprise is, as a first guess of the job's region
        own = institution_handlers.show_institution(
            ShowInstitution(principal.institution), principal=principal, uow=uow
        )
        values["region"] = own.region
    return _new(request, uow, principal, Posted(values), suggest=False)


@pages.post("/staff/jobs/new", response_class=HTMLResponse)
def post_job(
    request: Request, uow: Uow, principal: StaffPage, now: Now, form: PostedForm
) -> Response:
    """``step=suggest``: the same form with the bank's suggestions for the text; ``step=post``:
    post the job with the occupation and skills ticked (and the certificates written)."""
    if form.get("step") != "post":
        return _new(request, uow, principal, form, suggest=True)
    occupation = form.get("occupation").strip() or None
    command = PostJob(
        institution=form.get("institution") or principal.institution or "",
        title=form.get("title"),
        description=form.get("description"),
        language=form.get("language"),
        region=form.get("region"),
        occupation=occupation,
        skills=form.kept,
        certificates=form.certificates,
    )
    posted = attempt(
        request,
        lambda w: postings.post_job(command, principal=principal, uow=w, now=now),
        passed_on=lambda error: error.code in PASSED_ON,
    )
    if isinstance(posted, DomainError):
        return _new(
            request,
            uow,
            principal,
            form,
            suggest=True,
            status_code=status_of(posted),
            problems=refusal(request, posted),
        )
    return see(f"/staff/jobs/{getattr(posted, 'id', '')}", done="posted")


# --- one job ----------------------------------------------------------------------------------


def _job(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    cipher: PersonalDataCipher,
    job_id: int,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
) -> Response:
    shown = views.show_job(ShowJob(job_id), principal=principal, uow=uow)
    found = None
    if shown.may_match:
        query = MatchJob(job_id, MATCHES)
        found = MatchesRead.of(
            matches.match_job(query, principal=principal, uow=uow, cipher=cipher)
        )
    return _page(
        request,
        "jobs/job.html",
        status_code=status_code,
        shown=shown,
        job=shown.job,
        matches=found,
        problems=list(problems),
    )


@pages.get("/staff/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    cipher: Annotated[PersonalDataCipher, Depends(cipher_of)],
) -> Response:
    """A posted job: its occupation, skills and certificates; for its employers (and bank
    administrators) the learners who consented to be matched, best first, with the share of the
    job's skills their outcomes cover and which outcomes gave each."""
    return _job(request, uow, principal, cipher, job_id)


@pages.post("/staff/jobs/{job_id}/close", response_class=HTMLResponse)
def close_job(
    job_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    now: Now,
    cipher: Annotated[PersonalDataCipher, Depends(cipher_of)],
) -> Response:
    """Close the job (its employers, bank administrators); closed already: shown as refused."""
    closed = attempt(
        request,
        lambda w: postings.close_job(CloseJob(job_id), principal=principal, uow=w, now=now),
        passed_on=lambda error: error.code in PASSED_ON,
    )
    if isinstance(closed, DomainError):
        return _job(
            request,
            uow,
            principal,
            cipher,
            job_id,
            status_code=status_of(closed),
            problems=refusal(request, closed),
        )
    return see(f"/staff/jobs/{job_id}", done="closed")
