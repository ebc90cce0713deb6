"""The demo's matching of jobs to learning (issue 20): the built-in occupations and skills,
alignments of the demo's items to skills, jobs posted by an employer, and learners who consented
to be matched, so that a new user sees matching work.

Everything goes through the use cases' handlers, as people would: the bank's administrator
imports the built-in classification and its main tasks; each item's registrar drafts and
submits its alignment, which the administrator approves (four eyes); DFZZ's HR posts the jobs;
and the learners holding most of a job's skills (and the demo learner) consent to be matched,
each as themselves; then the administrator counts the skills held for the statistics (once:
"skills in demand and held" reads that count). What is aligned and posted is ``[matching]``
of the demo's data file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.alignments.commands import ApproveAlignment, DraftAlignment, SubmitAlignment
from creditbank.alignments.decisions import approve_alignment
from creditbank.alignments.drafting import draft_alignment, submit_alignment
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import api as institution_api
from creditbank.jobs import api as jobs
from creditbank.jobs.commands import ConsentToMatching, PostJob
from creditbank.jobs.consents import consent_to_matching
from creditbank.jobs.postings import post_job
from creditbank.occupations.builtin import built_in_import as built_in_occupations
from creditbank.occupations.importing import import_occupations
from creditbank.skills import api as skills
from creditbank.skills.builtin import built_in_import as built_in_skills
from creditbank.skills.importing import import_skills
from creditbank.stats.commands import RefreshSkillSupply
from creditbank.stats.supply import refresh_skill_supply

TASK_URI = "urn:creditbank:csco2022:{code}:task:{number}"
"""A built-in skill's URI: the main task ``number`` of occupation ``code`` (contract 1)."""
APPROVAL = "与职业分类大典主要工作任务逐条核对，课程目标覆盖所列任务"


@dataclass(frozen=True, slots=True)
class MatchingReport:
    """What the demo's matching holds: skills imported, alignments approved, jobs posted,
    learners who consented."""

    skills: int
    alignments: int
    jobs: int
    employer: str
    consenting: int


def task_uri(code: str, number: int) -> str:
    """The URI of occupation ``code``'s main task ``number`` (a built-in skill)."""
    return TASK_URI.format(code=code, number=number)


def load_matching(
    *, database: Database, data: Mapping[str, Any], users: Sequence[Mapping[str, Any]], learner: str
) -> MatchingReport:
    """Load ``data`` (the data file's ``[matching]``): ``users`` are the demo's staff (each
    item's registrar drafts its alignment), ``learner`` the demo learner's account number."""
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        admin = institution_api.principal_for(uow=uow, email=data["admin"])
        import_occupations(built_in_occupations(), principal=admin, uow=uow)
        import_skills(built_in_skills(), principal=admin, uow=uow)
        imported = len(skills.all_skills(uow))
    with database.unit_of_work() as uow:
        approved = _alignments(uow, data, users, admin)
    with database.unit_of_work() as uow:
        employer = institution_api.principal_for(uow=uow, email=data["employer"])
        posted = [_post(uow, job, employer, now) for job in data["jobs"]]
    with database.unit_of_work() as uow:
        chosen = _holders(uow, posted, int(data["matched_per_job"]))
        numbers = accounts.account_numbers(uow=uow, learner_ids=chosen)
        found = accounts.find_learner(uow=uow, account_number=learner)
        if found is not None:
            numbers[found.id] = learner
        for learner_id, number in sorted(numbers.items()):
            consent_to_matching(
                ConsentToMatching(),
                principal=LearnerPrincipal(learner_id=learner_id, account_number=number),
                uow=uow,
                now=now,
            )
    with database.unit_of_work() as uow:  # skills held counted once, for the statistics
        refresh_skill_supply(RefreshSkillSupply(), principal=admin, uow=uow)
    return MatchingReport(imported, approved, len(posted), employer.email, len(numbers))


def _registrar(users: Sequence[Mapping[str, Any]], institution: str) -> str:
    """The e-mail of ``institution``'s first registrar among the demo's users."""
    return next(
        str(user["email"])
        for user in users
        if user["role"] == "registrar" and user.get("institution") == institution
    )


def _alignments(
    uow: UnitOfWork,
    data: Mapping[str, Any],
    users: Sequence[Mapping[str, Any]],
    admin: Principal,
) -> int:
    """Each alignment drafted and submitted by its item's registrar, approved by ``admin``."""
    for entry in data["alignments"]:
        owner = entry["item"].partition(":")[0]
        registrar = institution_api.principal_for(uow=uow, email=_registrar(users, owner))
        draft = draft_alignment(
            DraftAlignment(
                item=entry["item"],
                level=entry.get("level"),
                skills=tuple(task_uri(entry["occupation"], n) for n in entry["tasks"]),
            ),
            principal=registrar,
            uow=uow,
        )
        submit_alignment(SubmitAlignment(draft.id), principal=registrar, uow=uow)
        approve_alignment(ApproveAlignment(draft.id, reason=APPROVAL), principal=admin, uow=uow)
    return len(data["alignments"])


def _post(uow: UnitOfWork, job: Mapping[str, Any], employer: Principal, now: datetime) -> int:
    """Post ``job`` as ``employer``: its id."""
    code = job["occupation"]
    posted = post_job(
        PostJob(
            institution=employer.institution or "",
            title=job["title"],
            description=job["description"],
            language=job["language"],
            region=job["region"],
            occupation=code,
            certificates=tuple(job["certificates"]),
            skill_uris=tuple(
                (task_uri(code, number), relation)
                for relation in ("essential", "optional")
                for number in job[relation]
            ),
        ),
        principal=employer,
        uow=uow,
        now=now,
    )
    return posted.id


def _holders(uow: UnitOfWork, job_ids: Sequence[int], per_job: int) -> set[int]:
    """For each job, the ``per_job`` learners holding most of its skills (fewest ids first)."""
    held = accounts.held_skills_select(alignments.aligned_skills_select()).subquery()
    chosen: set[int] = set()
    for job_id in job_ids:
        asked = [skill.skill_id for skill in jobs.get_job(uow, job_id).skills]
        rows = uow.session.execute(
            select(held.c.learner_id)
            .where(held.c.skill_id.in_(asked))
            .group_by(held.c.learner_id)
            .order_by(func.count(func.distinct(held.c.skill_id)).desc(), held.c.learner_id)
            .limit(per_job)
        )
        chosen.update(int(learner_id) for (learner_id,) in rows)
    return chosen
