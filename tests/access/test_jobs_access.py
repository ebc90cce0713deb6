"""Who may ask for suggestions, post, close, show and list jobs (handlers of ``creditbank.jobs``).

An enterprise's employers post and close their own enterprise's jobs (bank administrators any);
every staff role reads posted jobs, any enterprise's. The matrix's institutions are not
enterprises, so a posting let through then fails as ``not_an_enterprise``: past the policy,
which is what the door tries. A learner's consent to be matched is the learner's own (``OPEN``;
test in tests/jobs/test_jobs: a learner lists only their own)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.jobs import postings, views
from creditbank.jobs.commands import CloseJob, ListJobs, PostJob, ShowJob, SuggestForJob
from creditbank.jobs.model import JobSkill
from creditbank.jobs.tables import JobRow
from tests.access.matrix import BANK_WIDE, EVERY_ROLE, OTHER, OWN, Door, let_through

NOW = {"now": datetime(2026, 12, 7, 6, 0, tzinfo=UTC)}
POSTERS = frozenset({Role.BANK_ADMIN, Role.EMPLOYER})


def _job(owner: str) -> Callable[[UnitOfWork], int]:
    def made(uow: UnitOfWork) -> int:
        row = JobRow(
            public_id=uuid.uuid4().hex,
            institution_id=institutions.institution_id(uow=uow, code=owner),
            title="岗位",
            description="",
            language="zh",
            region="CN-SH",
            occupation_code=None,
            status="open",
            posted_at=NOW["now"],
            posted_by="hr@matrix.example",
        )
        uow.session.add(row)
        uow.session.flush()
        return row.id

    return made


def _posting(owner: str) -> PostJob:
    return PostJob(owner, "岗位", "", "zh", "上海", None, (JobSkill(1, "essential"),))


DOORS = [
    Door("suggest for a job", postings.suggest_for_job, lambda _: SuggestForJob("BIM"), POSTERS),
    Door("post a job for own", postings.post_job, lambda _: _posting(OWN), POSTERS, NOW),
    Door("post a job for another", postings.post_job, lambda _: _posting(OTHER), BANK_WIDE, NOW),
    Door(
        "close own's job",
        postings.close_job,
        lambda uow: CloseJob(_job(OWN)(uow)),
        POSTERS,
        NOW,
    ),
    Door(
        "close another's job",
        postings.close_job,
        lambda uow: CloseJob(_job(OTHER)(uow)),
        BANK_WIDE,
        NOW,
    ),
    Door("show own's job", views.show_job, lambda uow: ShowJob(_job(OWN)(uow)), EVERY_ROLE),
    Door("show another's job", views.show_job, lambda uow: ShowJob(_job(OTHER)(uow)), EVERY_ROLE),
    Door("list own's jobs", views.list_jobs, lambda _: ListJobs(institution=OWN), EVERY_ROLE),
    Door("list another's jobs", views.list_jobs, lambda _: ListJobs(institution=OTHER), EVERY_ROLE),
    Door("list every job", views.list_jobs, lambda _: ListJobs(status="open"), EVERY_ROLE),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
