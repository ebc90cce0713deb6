"""Reading jobs and matching consents from the tables (no policy: the handlers and ``api`` callers
check theirs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, exists, select

from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.jobs.model import Job, JobError, JobSkill, JobStatus, region_code, utc
from creditbank.jobs.tables import JobCertificateRow, JobRow, JobSkillRow, MatchingConsentRow
from creditbank.messages import msg

_CHUNK = 500


def _jobs(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[Job]:
    """The jobs ``where`` selects, newest first, with their skills and certificates."""
    session = uow.session
    rows = list(session.scalars(select(JobRow).where(*where).order_by(JobRow.id.desc())))
    if not rows:
        return []
    ids = [row.id for row in rows]
    skills: dict[int, list[JobSkill]] = defaultdict(list)
    certificates: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for job_id, skill_id, relation in session.execute(
            select(JobSkillRow.job_id, JobSkillRow.skill_id, JobSkillRow.relation)
            .where(JobSkillRow.job_id.in_(chunk))
            .order_by(JobSkillRow.job_id, JobSkillRow.relation, JobSkillRow.skill_id)
        ):
            skills[job_id].append(JobSkill(skill_id, relation))
        for job_id, certificate in session.execute(
            select(JobCertificateRow.job_id, JobCertificateRow.certificate)
            .where(JobCertificateRow.job_id.in_(chunk))
            .order_by(JobCertificateRow.job_id, JobCertificateRow.certificate)
        ):
            certificates[job_id].append(certificate)
    codes = institutions.institution_codes(uow=uow)
    named = institutions.institutions_coded(
        uow=uow, codes={codes[row.institution_id] for row in rows}
    )
    return [
        Job(
            id=row.id,
            public_id=row.public_id,
            institution=codes[row.institution_id],
            institution_name=named[codes[row.institution_id]].name,
            title=row.title,
            description=row.description,
            language=row.language,
            region=row.region,
            occupation=row.occupation_code,
            skills=tuple(skills[row.id]),
            certificates=tuple(certificates[row.id]),
            status=row.status,
            posted_at=utc(row.posted_at),
            posted_by=row.posted_by,
            closed_at=None if row.closed_at is None else utc(row.closed_at),
            closed_by=row.closed_by,
        )
        for row in rows
    ]


def get_job(uow: UnitOfWork, job_id: int) -> Job:
    """Job ``job_id``, or ``job_not_found`` (404)."""
    found = _jobs(uow, JobRow.id == job_id)
    if not found:
        raise JobError("job_not_found", msg("there is no job {id}", id=job_id))
    return found[0]


def job_owner(uow: UnitOfWork, job_id: int) -> str:
    """The code of the enterprise that posted job ``job_id`` (``job_not_found`` if none)."""
    institution_id = uow.session.scalar(select(JobRow.institution_id).where(JobRow.id == job_id))
    if institution_id is None:
        raise JobError("job_not_found", msg("there is no job {id}", id=job_id))
    return institutions.institution_codes(uow=uow)[institution_id]


def list_jobs(
    uow: UnitOfWork,
    *,
    institution: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> list[Job]:
    """Jobs, newest first: of one enterprise, in one status, in one region (its code or name)."""
    where: list[ColumnElement[bool]] = []
    if institution is not None:
        where.append(
            JobRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    if status is not None:
        where.append(JobRow.status == status)
    if region is not None:  # a code, or a name as institutions write theirs
        where.append(JobRow.region == (region_code(region) or region.strip()))
    return _jobs(uow, *where)


def open_jobs(uow: UnitOfWork, *, region: str | None = None) -> list[Job]:
    """The open jobs, newest first; with ``region`` (an ISO 3166-2 code, or a region's name as
    institutions write theirs), only that region's."""
    return list_jobs(uow, status=JobStatus.OPEN, region=region)


def matching_consent_select() -> Select[int]:
    """The learners with an active consent to be matched (column ``learner_id``), for SQL
    joins."""
    return select(MatchingConsentRow.learner_id).where(MatchingConsentRow.withdrawn_at.is_(None))


def has_matching_consent(uow: UnitOfWork, learner_id: int) -> bool:
    """Whether learner ``learner_id`` consents now to be matched to jobs."""
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    MatchingConsentRow.learner_id == learner_id,
                    MatchingConsentRow.withdrawn_at.is_(None),
                )
            )
        )
    )


def consents_of(uow: UnitOfWork, learner_id: int) -> Sequence[MatchingConsentRow]:
    """Learner ``learner_id``'s consents to be matched, newest first (the history)."""
    return list(
        uow.session.scalars(
            select(MatchingConsentRow)
            .where(MatchingConsentRow.learner_id == learner_id)
            .order_by(MatchingConsentRow.id.desc())
        )
    )
