"""The jobs' tests' world: the occupations' and skills' small test files imported, two
enterprises (FIRM-A in Shanghai, FIRM-B), a university (UNI-S) with a course, staff of each, and
two learners. Built once per module and database; a test's changes are rolled back."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.jobs.commands import PostJob
from creditbank.jobs.model import JobSkill
from creditbank.skills import api as skills
from tests.occupations import files as occupation_files
from tests.occupations.test_importing import import_file as import_occupations
from tests.skills.files import CSV as SKILLS_CSV
from tests.skills.test_importing import import_file as import_skills

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
FIRM, OTHER_FIRM, SCHOOL = "FIRM-A", "FIRM-B", "UNI-S"
BIM, SQL, TEAMWORK = (
    "urn:test:skill:bim-modelling",
    "urn:test:skill:sql",
    "urn:test:skill:teamwork",
)
PEOPLE = {
    "admin": ("admin@bank.example", Role.BANK_ADMIN, None),
    "auditor": ("auditor@bank.example", Role.AUDITOR, None),
    "employer": ("hr@firm-a.example", Role.EMPLOYER, FIRM),
    "other_employer": ("hr@firm-b.example", Role.EMPLOYER, OTHER_FIRM),
    "registrar": ("registrar@uni-s.example", Role.REGISTRAR, SCHOOL),
}


@dataclass(frozen=True)
class World:
    staff: dict[str, Principal]
    skill_ids: dict[str, int]
    learners: tuple[LearnerPrincipal, LearnerPrincipal]


def build(uow: UnitOfWork) -> World:
    import_occupations(uow, occupation_files.CSV)
    import_skills(uow, SKILLS_CSV)
    for code, name, kind, region in (
        (FIRM, "甲建筑科技有限公司", InstitutionType.ENTERPRISE, "上海"),
        (OTHER_FIRM, "乙软件有限公司", InstitutionType.ENTERPRISE, "CN-JS"),
        (SCHOOL, "丙大学", InstitutionType.UNIVERSITY, "上海"),
    ):
        institutions.add_institution(uow=uow, code=code, name=name, type=kind, region=region)
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution=SCHOOL,
            code="BIM-101",
            kind=ItemKind.COURSE,
            name="建筑信息模型基础",
            framework="LOFOUC",
            levels=("5",),
            credits=Decimal(2),
        ),
        on=NOW.date(),
    )
    staff = {}
    for key, (email, role, institution) in PEOPLE.items():
        institutions.add_user(uow=uow, email=email, role=role, institution=institution)
        staff[key] = institutions.principal_for(uow=uow, email=email)
    cipher = PersonalDataCipher(os.urandom(32))
    learners = []
    for id_number, name in (("E1234567", "学员甲"), ("E7654321", "学员乙")):
        account = accounts.open_account(
            uow=uow, cipher=cipher, id_number=parse_id_number(id_number), name=name
        )
        learners.append(
            LearnerPrincipal(
                learner_id=accounts_api.learner_id_of(uow, account.number),
                account_number=account.number,
            )
        )
    ids = {}
    for uri in (BIM, SQL, TEAMWORK):
        skill = skills.skill_by_uri(uow, uri)
        assert skill is not None
        ids[uri] = skill.id
    return World(staff, ids, (learners[0], learners[1]))


def posting(world: World, **changes: object) -> PostJob:
    """A valid posting for FIRM-A: a BIM modeller in Shanghai, BIM essential, teamwork optional."""
    fields: dict[str, object] = {
        "institution": FIRM,
        "title": "BIM建模员",
        "description": "负责建筑信息模型搭建，团队协作。",
        "language": "zh",
        "region": "上海",
        "occupation": "4-08-08-23",
        "skills": (
            JobSkill(world.skill_ids[BIM], "essential"),
            JobSkill(world.skill_ids[TEAMWORK], "optional"),
        ),
        "certificates": (f"{SCHOOL}:BIM-101@5",),
    }
    fields.update(changes)
    return PostJob(**fields)  # type: ignore[arg-type]
