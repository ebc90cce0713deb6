"""Changes at the same moment, from real threads on both databases, have one winner: a job
closed by its employer and a bank administrator at once is closed once (the other is told it is
closed already); a learner consenting to be matched twice at once has one active consent. The
database guards both (a conditional update on the job's status; the learner's row lock and a
unique index over the consents not withdrawn), not the process."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.jobs import consents, postings
from creditbank.jobs.commands import CloseJob, ConsentToMatching
from creditbank.jobs.tables import JobRow, MatchingConsentRow
from tests.jobs.world import NOW, World, posting
from tests.support.databases import PinnableDatabase

RACERS = 4


def _at_once(
    database: PinnableDatabase, runs: list[Callable[[UnitOfWork], object]]
) -> list[object]:
    """Each of ``runs`` in a unit of work of its own, started together: what each answered (a
    result or the domain error it raised)."""
    start = threading.Barrier(len(runs))
    answers: list[object] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def go(run: Callable[[UnitOfWork], object]) -> None:
        start.wait()
        try:
            with database.unit_of_work() as uow:
                answer: object = run(uow)
        except DomainError as error:
            answer = error
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            with lock:
                failures.append(error)
            return
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=go, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return answers


def test_a_job_closed_by_two_at_once_is_closed_once(
    jobs_database: tuple[PinnableDatabase, World],
) -> None:
    database, world = jobs_database
    employer, admin = world.staff["employer"], world.staff["admin"]
    with database.unit_of_work() as uow:
        job = postings.post_job(posting(world), principal=employer, uow=uow, now=NOW)

    def closing(who: Principal) -> Callable[[UnitOfWork], object]:
        return lambda uow: postings.close_job(CloseJob(job.id), principal=who, uow=uow, now=NOW)

    runs = [closing(who) for who in (employer, admin) * (RACERS // 2)]
    answers = _at_once(database, runs)
    refused = [a for a in answers if isinstance(a, DomainError)]
    assert len(answers) == RACERS and len(refused) == RACERS - 1
    assert {error.code for error in refused} == {"job_closed"}
    with database.unit_of_work() as uow:
        row = uow.session.get_one(JobRow, job.id)
        assert row.status == "closed" and row.closed_by in {employer.email, admin.email}


def test_consenting_twice_at_once_keeps_one_active(
    jobs_database: tuple[PinnableDatabase, World],
) -> None:
    database, world = jobs_database
    learner = world.learners[1]
    runs: list[Callable[[UnitOfWork], object]] = [
        lambda uow: consents.consent_to_matching(
            ConsentToMatching(), principal=learner, uow=uow, now=NOW
        )
        for _ in range(RACERS)
    ]
    answers = _at_once(database, runs)
    assert not [a for a in answers if isinstance(a, DomainError)]
    assert len({getattr(a, "id", None) for a in answers}) == 1  # all found the one made
    with database.unit_of_work() as uow:
        active = uow.session.scalar(
            select(func.count())
            .select_from(MatchingConsentRow)
            .where(
                MatchingConsentRow.learner_id == learner.learner_id,
                MatchingConsentRow.withdrawn_at.is_(None),
            )
        )
    assert active == 1
