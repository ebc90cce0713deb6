"""HTTP of matching: a learner's gaps and fits, a job's matches, a programme's coverage. Thin:
authenticate, build the query, call its handler (which checks the policy), render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from creditbank.accounts.api import PersonalDataCipher
from creditbank.matching import coverage, gaps, matches
from creditbank.matching.commands import ListFits, MatchJob, ShowCoverage, ShowGaps
from creditbank.matching.schemas import CoverageRead, FitsRead, GapRead, MatchesRead
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Uow, cipher_of
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["matching"])

OccupationQuery = Annotated[
    str | None, Query(max_length=16, description="An occupation's code, e.g. 4-04-05-04.")
]
JobQuery = Annotated[int | None, Query(ge=1, le=2**62, description="A posted job's id.")]


@api.get(
    "/accounts/{number}/gaps",
    response_model=GapRead,
    responses=responses(400, 401, 403, 404, 422),
)
def read_gaps(
    number: str,
    request: Request,
    uow: Uow,
    now: Now,
    principal: Authenticated,
    occupation: OccupationQuery = None,
    job: JobQuery = None,
) -> GapRead:
    """A learner's gap to an occupation or a posted job (name one): the required skills covered
    and the outcomes that gave each (or what approved conversion rules would give), what is
    missing, the smallest set of catalogue items closing the gap (fewest items, then fewest
    credits) and the skills nothing teaches. Bank administrators, auditors; an institution's
    staff with the learner's consent."""
    query = ShowGaps(number, occupation=occupation, job=job)
    found = gaps.show_gaps(query, principal=principal, uow=uow, now=now)
    return GapRead.of(found, request.state.language)


@api.get(
    "/accounts/{number}/fits", response_model=FitsRead, responses=responses(400, 401, 403, 404)
)
def read_fits(
    number: str,
    uow: Uow,
    now: Now,
    principal: Authenticated,
    limit: Annotated[int, Query(ge=1, le=gaps.MAX_FITS)] = 20,
) -> FitsRead:
    """The occupations and open jobs that fit a learner, ranked by the share of their required
    skills the learner has. Who may: as for gaps."""
    found = gaps.list_fits(ListFits(number, limit), principal=principal, uow=uow, now=now)
    return FitsRead.of(found)


@api.get(
    "/jobs/{job_id}/matches", response_model=MatchesRead, responses=responses(400, 401, 403, 404)
)
def read_matches(
    job_id: Annotated[int, Path(ge=1, le=2**62, description="The job's id.")],
    uow: Uow,
    principal: Authenticated,
    cipher: Annotated[PersonalDataCipher, Depends(cipher_of)],
    limit: Annotated[int, Query(ge=1, le=matches.MAX_MATCHES)] = 50,
) -> MatchesRead:
    """The learners who consented to be matched, best first for the job: name, account number,
    the share of the job's required skills they have and the outcomes that gave each. The
    job's employer (its enterprise's employers) and bank administrators."""
    found = matches.match_job(MatchJob(job_id, limit), principal=principal, uow=uow, cipher=cipher)
    return MatchesRead.of(found)


@api.get(
    "/programmes/{code}/coverage",
    response_model=CoverageRead,
    responses=responses(400, 401, 403, 404, 422),
)
def read_coverage(
    code: str,
    uow: Uow,
    principal: Authenticated,
    occupation: OccupationQuery = None,
    job: JobQuery = None,
    region: Annotated[
        bool, Query(description="The open jobs in the region of the programme's institution.")
    ] = False,
) -> CoverageRead:
    """How a programme's components cover the skills of an occupation, a job or the open jobs
    in its institution's region (name one), and which required skills no component teaches.
    The programme's registrars and accreditation officers, bank administrators, auditors."""
    query = ShowCoverage(code, occupation=occupation, job=job, region=region)
    return CoverageRead.of(coverage.show_coverage(query, principal=principal, uow=uow))
