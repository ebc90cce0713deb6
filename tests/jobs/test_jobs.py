"""The jobs' handlers on both databases: the bank's suggestions for a job's text (occupations and
skills, scored and explained), posting (checked field by field, refused with nothing stored),
showing, listing, closing (once), and a learner's consent to be matched (history kept, one
active); jobs.api as the matching area reads it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import AccessError
from creditbank.db import UnitOfWork
from creditbank.jobs import api, consents, postings, views
from creditbank.jobs.commands import (
    CloseJob,
    ConsentToMatching,
    ListJobs,
    ListMatchingConsents,
    ShowJob,
    SuggestForJob,
    WithdrawMatchingConsent,
)
from creditbank.jobs.model import JobError, JobSkill
from creditbank.jobs.tables import JobCertificateRow, JobRow, JobSkillRow
from tests.jobs.world import BIM, FIRM, NOW, OTHER_FIRM, SCHOOL, SQL, TEAMWORK, World, posting
from tests.support.databases import PinnableDatabase

Bank = tuple[PinnableDatabase, World]


def _stored(uow: UnitOfWork) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        uow.session.scalar(select(func.count()).select_from(table)) or 0
        for table in (JobRow, JobSkillRow, JobCertificateRow)
    )


def test_suggestions_for_a_jobs_text(bank: Bank) -> None:
    database, world = bank
    employer = world.staff["employer"]
    with database.unit_of_work() as uow:
        found = postings.suggest_for_job(
            SuggestForJob("BIM工程师", "建立建筑信息模型，团队协作"), principal=employer, uow=uow
        )
        admin = postings.suggest_for_job(
            SuggestForJob("数据库管理员", "编写SQL查询", limit=3),
            principal=world.staff["admin"],
            uow=uow,
        )
    best = found.occupations[0]
    assert (best.code, best.matched) == ("4-08-08-23", "BIM工程师")
    assert "bim" in best.matched_words and 0 < best.score <= 1
    by_uri = {s.skill.uri: s for s in found.skills}
    assert {BIM, TEAMWORK} <= set(by_uri)
    # the BIM modelling skill is the top occupation's essential task: found through it
    assert (by_uri[BIM].relation, by_uri[BIM].via) == ("essential", "4-08-08-23")
    assert {"团队", "协作"} <= set(by_uri[TEAMWORK].matched_words)
    assert all(0 < s.score <= 1 for s in found.skills)
    assert [s.score for s in found.skills] == sorted((s.score for s in found.skills), reverse=True)
    assert admin.skills[0].skill.uri == SQL and len(admin.occupations) <= 3


@pytest.mark.parametrize(
    ("title", "description", "limit"),
    [("  ", "建模", 10), ("BIM\x00", "", 10), ("BIM", "x" * 5000, 10), ("BIM", "", 0)],
)
def test_suggestions_refuse_odd_text(bank: Bank, title: str, description: str, limit: int) -> None:
    database, world = bank
    with database.unit_of_work() as uow, pytest.raises(JobError) as refused:
        postings.suggest_for_job(
            SuggestForJob(title, description, limit), principal=world.staff["employer"], uow=uow
        )
    assert refused.value.code == "invalid_job_search"


def test_a_job_posted_shown_and_listed(bank: Bank) -> None:
    database, world = bank
    employer = world.staff["employer"]
    with database.unit_of_work() as uow:
        job = postings.post_job(posting(world), principal=employer, uow=uow, now=NOW)
    assert (job.institution, job.institution_name, job.region) == (
        FIRM,
        "甲建筑科技有限公司",
        "CN-SH",
    )
    assert (job.status, job.posted_by, job.posted_at) == ("open", "hr@firm-a.example", NOW)
    assert job.skills == (
        api.JobSkill(world.skill_ids[BIM], "essential"),
        api.JobSkill(world.skill_ids[TEAMWORK], "optional"),
    )
    assert job.certificates == (f"{SCHOOL}:BIM-101@5",)
    assert len(job.public_id) == 32
    with database.unit_of_work() as uow:
        shown = views.show_job(ShowJob(job.id), principal=world.staff["registrar"], uow=uow)
        own = views.show_job(ShowJob(job.id), principal=employer, uow=uow)
        listed = views.list_jobs(ListJobs(institution=FIRM), principal=employer, uow=uow)
        in_region = views.list_jobs(ListJobs(region="cn-sh"), principal=employer, uow=uow)
        elsewhere = views.list_jobs(ListJobs(region="江苏"), principal=employer, uow=uow)
        closed = views.list_jobs(ListJobs(status="closed"), principal=employer, uow=uow)
        assert api.get_job(uow, job.id) == job
        assert api.open_jobs(uow, region="CN-SH") == [job]
        assert api.open_jobs(uow, region="上海市") == [job]  # as an institution may write it
        assert api.open_jobs(uow, region="CN-JS") == []
    assert shown.job == job and shown.occupation_name == ("建筑信息模型技术员", "BIM technician")
    assert shown.skills[world.skill_ids[BIM]].uri == BIM
    assert (shown.may_close, shown.may_match) == (False, False)  # a school's registrar reads
    assert (own.may_close, own.may_match) == (True, True)
    assert [j.id for j in listed.jobs] == [job.id] and listed.skills[
        world.skill_ids[BIM]
    ].uri == BIM
    assert [j.id for j in in_region.jobs] == [job.id]
    assert elsewhere.jobs == [] and closed.jobs == []


def test_skills_named_by_uri_and_kept_in_order(bank: Bank) -> None:
    database, world = bank
    command = posting(
        world,
        skills=(),
        skill_uris=((TEAMWORK, "optional"), (SQL, "essential")),
        certificates=(),
        occupation=None,
        language="EN",
        region="CN-JS",
    )
    with database.unit_of_work() as uow:
        job = postings.post_job(command, principal=world.staff["admin"], uow=uow, now=NOW)
    assert job.skills == (
        api.JobSkill(world.skill_ids[SQL], "essential"),
        api.JobSkill(world.skill_ids[TEAMWORK], "optional"),
    )
    assert (job.occupation, job.certificates, job.language, job.region) == (
        None,
        (),
        "en",
        "CN-JS",
    )


REFUSED_POSTINGS: dict[str, tuple[dict[str, object], str]] = {
    "no title": ({"title": " "}, "a job needs a title"),
    "long title": ({"title": "岗" * 201}, "at most 200 characters"),
    "language": ({"language": "fr"}, "zh or en"),
    "region": ({"region": "火星"}, "not one of China's provincial-level regions"),
    "no skill": ({"skills": ()}, "at least one skill"),
    "relation": ({"skills": (JobSkill(1, "nice"),)}, "essential or optional"),
    "unknown skill": ({"skills": (JobSkill(10**9, "essential"),)}, "no skill 1000000000"),
    "unknown uri": ({"skill_uris": (("urn:x:none", "essential"),)}, "no skill urn:x:none"),
    "occupation": ({"occupation": "9-99-99-99"}, "no occupation 9-99-99-99"),
    "certificate name": ({"certificates": ("BIM 101",)}, "OWNER:CODE or OWNER:CODE@LEVEL"),
    "certificate owner": ({"certificates": ("NOBODY:BIM-101",)}, "no item NOBODY:BIM-101"),
    "certificate item": ({"certificates": (f"{SCHOOL}:NONE",)}, f"no item {SCHOOL}:NONE"),
    "certificate level": ({"certificates": (f"{SCHOOL}:BIM-101@9",)}, "is awarded at 5"),
}


@pytest.mark.parametrize("case", REFUSED_POSTINGS, ids=list(REFUSED_POSTINGS))
def test_a_bad_posting_is_refused_and_nothing_stored(bank: Bank, case: str) -> None:
    database, world = bank
    changes, words = REFUSED_POSTINGS[case]
    with database.unit_of_work() as uow:
        if case == "relation":
            changes = {"skills": (JobSkill(world.skill_ids[BIM], "nice"),)}
        with pytest.raises(JobError, match=words) as refused:
            postings.post_job(
                posting(world, **changes), principal=world.staff["employer"], uow=uow, now=NOW
            )
        assert refused.value.code == "invalid_job"
        assert _stored(uow) == (0, 0, 0)


def test_a_skill_named_twice_is_refused(bank: Bank) -> None:
    database, world = bank
    twice = (
        JobSkill(world.skill_ids[BIM], "essential"),
        JobSkill(world.skill_ids[BIM], "optional"),
    )
    with database.unit_of_work() as uow, pytest.raises(JobError, match="named twice"):
        postings.post_job(
            posting(world, skills=twice), principal=world.staff["employer"], uow=uow, now=NOW
        )


def test_who_may_post_and_for_whom(bank: Bank) -> None:
    database, world = bank
    with database.unit_of_work() as uow:
        for who in ("other_employer", "registrar", "auditor"):
            with pytest.raises(AccessError):
                postings.post_job(posting(world), principal=world.staff[who], uow=uow, now=NOW)
        with pytest.raises(JobError, match="UNI-S is not an enterprise") as refused:
            postings.post_job(
                posting(world, institution=SCHOOL), principal=world.staff["admin"], uow=uow, now=NOW
            )
        assert refused.value.code == "not_an_enterprise"
        with pytest.raises(AccessError):
            postings.suggest_for_job(
                SuggestForJob("BIM"), principal=world.staff["registrar"], uow=uow
            )
        assert _stored(uow) == (0, 0, 0)
        job = postings.post_job(
            posting(world, institution=OTHER_FIRM.lower()),
            principal=world.staff["admin"],
            uow=uow,
            now=NOW,
        )
    assert (job.institution, job.posted_by) == (OTHER_FIRM, "admin@bank.example")


def test_a_job_is_closed_once(bank: Bank) -> None:
    database, world = bank
    employer = world.staff["employer"]
    with database.unit_of_work() as uow:
        job = postings.post_job(posting(world), principal=employer, uow=uow, now=NOW)
    with database.unit_of_work() as uow:
        with pytest.raises(AccessError):
            postings.close_job(
                CloseJob(job.id), principal=world.staff["other_employer"], uow=uow, now=NOW
            )
        closed = postings.close_job(CloseJob(job.id), principal=employer, uow=uow, now=NOW)
    assert (closed.status, closed.closed_at, closed.closed_by) == ("closed", NOW, employer.email)
    with database.unit_of_work() as uow:
        with pytest.raises(JobError, match="closed already") as again:
            postings.close_job(CloseJob(job.id), principal=world.staff["admin"], uow=uow, now=NOW)
        assert again.value.code == "job_closed"
        with pytest.raises(JobError) as missing:
            postings.close_job(CloseJob(10**9), principal=employer, uow=uow, now=NOW)
        assert missing.value.code == "job_not_found"
        with pytest.raises(JobError) as unknown:
            api.get_job(uow, 10**9)
        assert unknown.value.code == "job_not_found"
        assert api.open_jobs(uow) == []
        assert views.show_job(ShowJob(job.id), principal=employer, uow=uow).may_close is False


def test_lists_refuse_odd_filters(bank: Bank) -> None:
    database, world = bank
    with database.unit_of_work() as uow:
        for query, words in (
            (ListJobs(status="pending"), "open or closed"),
            (ListJobs(region="Atlantis"), "provincial-level"),
        ):
            with pytest.raises(JobError, match=words):
                views.list_jobs(query, principal=world.staff["auditor"], uow=uow)


def test_a_learners_consent_to_be_matched(bank: Bank) -> None:
    database, world = bank
    me, other = world.learners
    later = NOW.replace(hour=7)
    with database.unit_of_work() as uow:
        assert not api.has_matching_consent(uow, me.learner_id)
        assert (
            consents.withdraw_matching_consent(
                WithdrawMatchingConsent(), principal=me, uow=uow, now=NOW
            )
            is None
        )  # nothing to withdraw
        given = consents.consent_to_matching(ConsentToMatching(), principal=me, uow=uow, now=NOW)
        again = consents.consent_to_matching(ConsentToMatching(), principal=me, uow=uow, now=later)
        assert again == given and given.active and given.granted_at == NOW
        assert api.has_matching_consent(uow, me.learner_id)
        assert not api.has_matching_consent(uow, other.learner_id)
        consenting = set(uow.session.scalars(api.matching_consent_select()))
        assert consenting == {me.learner_id}
        withdrawn = consents.withdraw_matching_consent(
            WithdrawMatchingConsent(), principal=me, uow=uow, now=later
        )
        assert withdrawn is not None and withdrawn.withdrawn_at == later
        assert not api.has_matching_consent(uow, me.learner_id)
        renewed = consents.consent_to_matching(
            ConsentToMatching(), principal=me, uow=uow, now=later
        )
        history = consents.list_matching_consents(ListMatchingConsents(), principal=me, uow=uow)
        theirs = consents.list_matching_consents(ListMatchingConsents(), principal=other, uow=uow)
    assert [c.id for c in history] == [renewed.id, given.id]
    assert [c.active for c in history] == [True, False]
    assert theirs == []  # a learner sees only their own
