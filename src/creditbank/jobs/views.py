"""Reading posted jobs: one job with what its page shows (ShowJob), and lists (ListJobs). Every
staff role reads posted jobs (an enterprise's public offers); learners see the open jobs that
fit them through the matching area."""

from __future__ import annotations

from dataclasses import dataclass, field

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.jobs import reading
from creditbank.jobs.commands import ListJobs, ShowJob
from creditbank.jobs.model import Job, JobError, JobStatus, region_code
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.skills import api as skills
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class JobDetail:
    """A job with the names its page shows, and what the reader may do with it."""

    job: Job
    skills: dict[int, skills.Skill]
    occupation_name: tuple[str, str | None] | None
    may_close: bool
    may_match: bool
    certificate_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The names (Chinese, English or "") of the certificates asked for, by the certificate as
    the job names it (``OWNER:CODE[@LEVEL]``)."""


@handler
def show_job(query: ShowJob, *, principal: Principal, uow: UnitOfWork) -> JobDetail:
    """Any staff role: a posted job, its skills and occupation by name."""
    require(principal, Action.READ_JOBS, reading.job_owner(uow, query.job))
    job = reading.get_job(uow, query.job)
    names = (
        occupations.occupation_names(uow, {job.occupation}).get(job.occupation)
        if job.occupation
        else None
    )
    return JobDetail(
        job,
        skills.get_skills(uow, {s.skill_id for s in job.skills}),
        names,
        may_close=job.is_open and allowed(principal, Action.POST_JOB, job.institution),
        may_match=allowed(principal, Action.MATCH_JOB, job.institution),
        certificate_names=_certificate_names(uow, job.certificates),
    )


def _certificate_names(
    uow: UnitOfWork, certificates: tuple[str, ...]
) -> dict[str, tuple[str, str]]:
    """The catalogue's names (Chinese, English or "") of the items ``certificates`` name
    (``OWNER:CODE[@LEVEL]``), by the certificate as the job names it."""
    items = {name: name.partition("@")[0].partition(":") for name in certificates}
    found = catalog.item_names_coded(
        uow=uow, items={(owner, code) for owner, _, code in items.values()}
    )
    return {
        name: found[owner, code]
        for name, (owner, _, code) in items.items()
        if (owner, code) in found
    }


@dataclass(frozen=True, slots=True)
class JobList:
    jobs: list[Job]
    skills: dict[int, skills.Skill]


@handler
def list_jobs(query: ListJobs, *, principal: Principal, uow: UnitOfWork) -> JobList:
    """Any staff role: posted jobs, newest first, of one enterprise, status or region."""
    owner = query.institution.strip().upper() if query.institution else None
    require(principal, Action.READ_JOBS, owner)
    if owner is not None:
        institutions.get_institution(uow=uow, code=owner)  # an unknown one is not found
    status = query.status.strip().lower() if query.status else None
    if status is not None and status not in tuple(JobStatus):
        raise JobError(
            "invalid_job",
            msg("a job's status is open or closed, not {status}", status=repr(query.status)),
        )
    region = None
    if query.region:
        region = region_code(query.region)
        if region is None:
            raise JobError(
                "invalid_job",
                msg(
                    "{region} is not one of China's provincial-level regions (give its name, "
                    "such as 上海, or its code, such as CN-SH)",
                    region=repr(query.region.strip()),
                ),
            )
    listed = reading.list_jobs(uow, institution=owner, status=status, region=region)
    return JobList(listed, skills.get_skills(uow, {s.skill_id for j in listed for s in j.skills}))
