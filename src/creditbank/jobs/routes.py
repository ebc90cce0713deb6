"""HTTP of jobs: post (``POST /api/v1/jobs``), list, show, close a job, and the bank's
suggestions for a job's text. Thin: authenticate, build the command, call its handler (which
checks the policy), render. A job's matches are the matching area's
(``GET /api/v1/jobs/{id}/matches``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditbank.jobs import postings, views
from creditbank.jobs.commands import CloseJob, ListJobs, PostJob, ShowJob, SuggestForJob
from creditbank.jobs.schemas import (
    JobCreate,
    JobListRead,
    JobRead,
    SuggestCreate,
    SuggestionsRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

JobId = Annotated[int, Path(ge=1, le=2**62, description="The job's id.")]


@api.post("", status_code=201, response_model=JobRead, responses=responses(401, 403, 404, 422))
def post_job(body: JobCreate, uow: Uow, now: Now, principal: Authenticated) -> JobRead:
    """An enterprise's employers (or a bank administrator) post a job: its text, region, the
    confirmed occupation, the skills (by URI, essential or optional) and certificates kept."""
    command = PostJob(
        institution=body.institution,
        title=body.title,
        description=body.description,
        language=body.language,
        region=body.region,
        occupation=body.occupation,
        skill_uris=tuple((s.uri, s.relation.value) for s in body.skills),
        certificates=tuple(body.certificates),
    )
    job = postings.post_job(command, principal=principal, uow=uow, now=now)
    shown = views.show_job(ShowJob(job.id), principal=principal, uow=uow)
    return JobRead.of(shown.job, shown.skills)


@api.post("/suggestions", response_model=SuggestionsRead, responses=responses(400, 401, 403, 422))
def suggest_for_job(body: SuggestCreate, uow: Uow, principal: Authenticated) -> SuggestionsRead:
    """For those who post jobs: the occupations and skills the bank suggests for a job's title
    and description, best first, each with its score (0..1) and the words that matched; a
    skill found through an occupation (its main tasks) names it in `via`."""
    query = SuggestForJob(body.title, body.description, body.limit)
    return SuggestionsRead.of(postings.suggest_for_job(query, principal=principal, uow=uow))


@api.get("", response_model=JobListRead, responses=responses(401, 403, 404, 422))
def list_jobs(
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[
        str | None, Query(max_length=32, description="Only this enterprise's.")
    ] = None,
    status: Annotated[str | None, Query(max_length=16, description="open or closed.")] = None,
    region: Annotated[
        str | None, Query(max_length=32, description="A region's name or code.")
    ] = None,
) -> JobListRead:
    """Any staff role: posted jobs, newest first."""
    found = views.list_jobs(
        ListJobs(institution=institution, status=status, region=region),
        principal=principal,
        uow=uow,
    )
    return JobListRead(jobs=[JobRead.of(job, found.skills) for job in found.jobs])


@api.get("/{job_id}", response_model=JobRead, responses=responses(401, 403, 404))
def show_job(job_id: JobId, uow: Uow, principal: Authenticated) -> JobRead:
    """Any staff role: one posted job."""
    shown = views.show_job(ShowJob(job_id), principal=principal, uow=uow)
    return JobRead.of(shown.job, shown.skills)


@api.post("/{job_id}/close", response_model=JobRead, responses=responses(401, 403, 404, 409))
def close_job(job_id: JobId, uow: Uow, now: Now, principal: Authenticated) -> JobRead:
    """The job's employers (or a bank administrator) close an open job; closed already: 409."""
    job = postings.close_job(CloseJob(job_id), principal=principal, uow=uow, now=now)
    shown = views.show_job(ShowJob(job.id), principal=principal, uow=uow)
    return JobRead.of(shown.job, shown.skills)
