"""A small world for matching (issue 20), on top of tests/conversion_world.py (SHVC's BIM
diploma, whose approved rule exempts BIM-101 and BIM-102 for BIMTEO's X certificate BIM-X at
intermediate or higher), built through the areas' own services.

- The occupation 4-08-08-23 (BIM technician) requires five skills: MODEL, DRAW, COORD and
  SURVEY (essential), RENDER (optional); 4-04-05-04 (database administrator) requires DBA.
- Alignments in force: BIM-X at intermediate teaches MODEL and COORD (at any level: nothing);
  BIM-101 teaches MODEL; BIM-102 COORD and RENDER; DRAW-100 DRAW. Nothing teaches SURVEY or DBA.
- Learners: X_HOLDER holds BIM-X at intermediate (MODEL and COORD by the outcome; MODEL by
  conversion too: the rule would exempt BIM-101 and BIM-102, the diploma's cap of 6 credits per
  source item lets the plan grant BIM-101 only); DRAWER holds DRAW-100; REVOKED held BIM-101,
  revoked. X_HOLDER and DRAWER consent to be matched.
- SHVC is in Shanghai (CN-SH); BUILDCO, an enterprise there, has an employer (EMPLOYER) and two
  open jobs: BIM_JOB (MODEL, DRAW, COORD essential; RENDER optional) in Shanghai and DBA_JOB (DBA)
  in Beijing.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from creditbank.access.policy import OPERATOR, LearnerPrincipal
from creditbank.accounts import api as accounts
from creditbank.accounts import service as account_service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.alignments import store as alignment_store
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.institutions import service as institution_service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.jobs import consents as job_consents
from creditbank.jobs import postings
from creditbank.jobs.api import JobSkill
from creditbank.jobs.commands import ConsentToMatching, PostJob
from creditbank.jobs.tables import JobRow
from creditbank.matching.model import ESSENTIAL
from creditbank.occupations import importing as occupations_importing
from creditbank.occupations.commands import ImportOccupations
from creditbank.skills import api as skills
from creditbank.skills import importing as skills_importing
from creditbank.skills.commands import ImportSkills
from tests import conversion_world as conversion
from tests.bulk_files import id_number
from tests.occupations import files as occupation_files

CIPHER = PersonalDataCipher(os.urandom(32))
"""What the world's learners' personal data is sealed with."""
BIM = "4-08-08-23"
DBA_OCCUPATION = "4-04-05-04"
ENTERPRISE = "BUILDCO"
EMPLOYER = "hr@buildco.example"
URI = "urn:test:matching:"
SKILLS_CSV = f"""uri,name,name_en,kind,occupation,relation
{URI}model,建立建筑信息模型,Build BIM models,task,{BIM},essential
{URI}draw,绘制工程图,Draw engineering drawings,task,{BIM},essential
{URI}coord,协调施工,Coordinate construction,task,{BIM},essential
{URI}survey,现场测量,Survey sites,task,{BIM},essential
{URI}render,效果图渲染,Render views,task,{BIM},optional
{URI}dba,维护数据库,Maintain databases,task,{DBA_OCCUPATION},essential
"""
ALIGNMENTS = (
    ("BIMTEO:BIM-X", "intermediate", ("model", "coord")),
    ("SHVC:BIM-101", None, ("model",)),
    ("SHVC:BIM-102", None, ("coord", "render")),
    ("SHVC:DRAW-100", None, ("draw",)),
)


@dataclass(frozen=True)
class World:
    users: conversion.Users
    skills: dict[str, int]
    """Skill ids by short name (model, draw, coord, survey, render, dba)."""
    x_holder: str
    drawer: str
    revoked: str
    x_outcome: str
    draw_outcome: str
    bim_job: int
    dba_job: int


def build(uow: UnitOfWork, cipher: PersonalDataCipher = CIPHER) -> World:
    """The world (the conversion world first); needs an initialised bank. The learners'
    personal data is sealed with ``cipher``."""
    users = conversion.build(uow)
    conversion.approved(uow, users, conversion.x_certificate_rule(), "SHVC")
    occupations_importing.import_occupations(
        ImportOccupations(occupation_files.CSV.encode(), "ours.csv", "Test", "1", "CC0"),
        principal=OPERATOR,
        uow=uow,
    )
    skills_importing.import_skills(
        ImportSkills(SKILLS_CSV.encode(), "skills.csv", "Test", "1", "CC0"),
        principal=OPERATOR,
        uow=uow,
    )
    ids = {}
    for name in ("model", "draw", "coord", "survey", "render", "dba"):
        found = skills.skill_by_uri(uow, URI + name)
        assert found is not None
        ids[name] = found.id
    for item, level, taught in ALIGNMENTS:
        author = users.teo if item.startswith("BIMTEO") else users.shvc
        subject = alignment_store.find_subject(uow, item, level)
        version = alignment_store.draft_alignment(
            uow=uow,
            subject=subject,
            skill_uris=[URI + name for name in taught],
            note="",
            user_id=author,
        )
        alignment_store.submit_alignment(uow=uow, alignment_id=version.id, user_id=author)
        alignment_store.approve_alignment(uow=uow, alignment_id=version.id, user_id=users.admin1)
    x_holder = learner(uow, 1, "张三", cipher)
    conversion.deposit(
        uow, x_holder, institution="BIMTEO", item="BIM-X", level="intermediate", record="X-1"
    )
    drawer = learner(uow, 2, "李四", cipher)
    draw_outcome = conversion.deposit(
        uow, drawer, institution="SHVC", item="DRAW-100", level="4", record="D-2"
    )
    revoked = learner(uow, 3, "王五", cipher)
    gone = conversion.deposit(
        uow, revoked, institution="SHVC", item="BIM-101", level="4", record="R-3"
    )
    accounts.revoke_outcome(uow=uow, public_id=gone, reason="wrongly deposited", user_id=users.shvc)
    (x_outcome,) = accounts.standing_outcome_ids(uow=uow, account_number=x_holder)
    for number in (x_holder, drawer):
        consent_to_matching(uow, number)
    shvc = institution_service.get_institution(uow=uow, code="SHVC")
    institution_service.edit_institution(
        uow=uow,
        code="SHVC",
        version=shvc.version,
        name=shvc.name,
        name_en=shvc.name_en,
        region="CN-SH",
        alliances=(),
    )
    institution_service.add_institution(
        uow=uow, code=ENTERPRISE, name="某建筑公司", type=InstitutionType.ENTERPRISE, region="CN-SH"
    )
    institution_service.add_user(
        uow=uow, email=EMPLOYER, role=Role.EMPLOYER, institution=ENTERPRISE
    )
    bim_job = post_job(
        uow,
        ENTERPRISE,
        {
            ids["model"]: ESSENTIAL,
            ids["draw"]: ESSENTIAL,
            ids["coord"]: ESSENTIAL,
            ids["render"]: "optional",
        },
    )
    dba_job = post_job(
        uow, ENTERPRISE, {ids["dba"]: ESSENTIAL}, region="CN-BJ", title="数据库管理员"
    )
    return World(users, ids, x_holder, drawer, revoked, x_outcome, draw_outcome, bim_job, dba_job)


def learner(uow: UnitOfWork, serial: int, name: str, cipher: PersonalDataCipher = CIPHER) -> str:
    """A learner's new account (personal data sealed with ``cipher``): its number."""
    return account_service.open_account(
        uow=uow, cipher=cipher, id_number=parse_id_number(id_number(7000 + serial)), name=name
    ).number


def consent_to_matching(uow: UnitOfWork, number: str) -> None:
    """The learner's consent to be matched, through the jobs area's handler."""
    learner = LearnerPrincipal(accounts.learner_id_of(uow, number), number)
    job_consents.consent_to_matching(
        ConsentToMatching(), principal=learner, uow=uow, now=datetime.now(UTC)
    )


def post_job(
    uow: UnitOfWork,
    institution: str,
    skill_ids: dict[int, str],
    *,
    region: str = "CN-SH",
    title: str = "BIM 建模员",
    certificates: tuple[str, ...] = (),
) -> int:
    """A job of the enterprise ``institution`` asking for ``skill_ids`` (id -> relation) and
    ``certificates``, posted by a bank administrator through the jobs area's handler: its id."""
    return postings.post_job(
        PostJob(
            institution=institution,
            title=title,
            description="负责建筑信息模型的建立与维护。",
            language="zh",
            region=region,
            occupation=None,
            skills=tuple(JobSkill(skill, relation) for skill, relation in skill_ids.items()),
            certificates=certificates,
        ),
        principal=OPERATOR,
        uow=uow,
        now=datetime.now(UTC),
    ).id


def insert_job(uow: UnitOfWork, institution: str) -> int:
    """An open job of any institution, written below the use case (which wants an enterprise),
    for the access matrix, whose "own" is the principal's institution: its id."""
    row = JobRow(
        public_id=uuid.uuid4().hex,
        institution_id=institutions.institution_id(uow=uow, code=institution),
        title="岗位",
        description="",
        language="zh",
        region="CN-SH",
        occupation_code=None,
        status="open",
        posted_at=datetime.now(UTC),
        posted_by="hr@example.com",
    )
    uow.session.add(row)
    uow.session.flush()
    return row.id
