"""A bank with known demand for skills and known supply, for the tests of skills in demand and
held (``stats.demand``): built through the use cases (imports, alignments with four eyes,
deposits, jobs posted and closed), committed.

- Occupations 4-08-08-23 (BIM technician: tasks 1-4) and 2-02-10-03 (software: tasks 1-3),
  their tasks the skills (``urn:creditbank:csco2022:CODE:task:N``), from a small file of the
  classification's shape.
- SHVC (上海): course BIM-101 aligned to BIM tasks 1 and 2; course SW-101 to software task 1;
  X certificate BIM-X aligned at the advanced level only, to BIM task 3. BJVC (北京): course
  BIM-201 aligned to BIM tasks 1 and 4. ENT, an enterprise (上海), and its employer.
- Learners: 12 with BIM-101 at SHVC, one of them then revoked (11 count); 3 with SW-101; 4 with
  BIM-201 at BJVC; 3 with BIM-X at the intermediate level (aligned to nothing); 1 with BIM-X
  advanced. 19 learners hold an aligned skill.
- Jobs of ENT: open in 上海 for 4-08-08-23 asking BIM task 1 (essential) and 3 (optional); open
  in 北京 with no occupation asking software task 1 and BIM task 1; closed in 上海 asking BIM
  task 2 (not counted).

- The skills held counted by a refresh (``stats.supply``) once all that is done.

So, threshold 10, by skill: BIM 1 (jobs 2, learners 15), BIM 2 (0, 11), BIM 3 (1, "<10"),
BIM 4 (0, "<10"), software 1 (1, "<10"); total 2 jobs, 19 learners.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

from creditbank.access.policy import Principal
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.lifecycle import revoke_outcome
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.alignments.commands import ApproveAlignment, DraftAlignment, SubmitAlignment
from creditbank.alignments.decisions import approve_alignment
from creditbank.alignments.drafting import draft_alignment, submit_alignment
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import api as institution_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.jobs.commands import CloseJob, PostJob
from creditbank.jobs.postings import close_job, post_job
from creditbank.occupations.commands import ImportOccupations
from creditbank.occupations.importing import import_occupations
from creditbank.skills.commands import ImportSkills
from creditbank.skills.importing import import_skills
from creditbank.stats.commands import RefreshSkillSupply
from creditbank.stats.supply import refresh_skill_supply
from tests.bulk_files import id_number

PASSWORD = "correct horse battery"
ON = date(2026, 11, 22)
BIM = "4-08-08-23"
SOFTWARE = "2-02-10-03"
ADMINS = ("admin1@bank.example", "admin2@bank.example")
SHVC_REGISTRAR = "registrar@shvc.example"
BJVC_REGISTRAR = "registrar@bjvc.example"
EMPLOYER = "hr@ent.example"
THRESHOLD = 10

OCCUPATIONS = (
    "code,name,definition,tasks\n"
    f"{BIM},建筑信息模型技术员,使用计算机软件进行工程模拟建造的人员。,"
    "1.搭建建筑信息模型 2.协同建模并做碰撞检查 3.进行建筑信息模型可视化设计 4.施工管理及后期运维\n"
    f"{SOFTWARE},计算机软件工程技术人员,从事计算机软件研究、设计、测试的工程技术人员。,"
    "1.研究、应用计算机软件开发技术和方法 2.分析需求，编写需求说明书 3.设计、编码和测试计算机软件\n"
).encode()


def task(code: str, number: int) -> str:
    """The URI of occupation ``code``'s main task ``number``."""
    return f"urn:creditbank:csco2022:{code}:task:{number}"


def _principal(uow: UnitOfWork, email: str) -> Principal:
    return institution_api.principal_for(uow=uow, email=email)


def _staff(uow: UnitOfWork) -> None:
    for code, name, kind, region in (
        ("SHVC", "上海某职业技术学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE, "上海"),
        ("BJVC", "北京某职业技术学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE, "北京"),
        ("ENT", "上海某智能制造有限公司", InstitutionType.ENTERPRISE, "上海"),
    ):
        institutions.add_institution(uow=uow, code=code, name=name, type=kind, region=region)
    for email, role, institution in (
        (SHVC_REGISTRAR, Role.REGISTRAR, "SHVC"),
        (BJVC_REGISTRAR, Role.REGISTRAR, "BJVC"),
        (EMPLOYER, Role.EMPLOYER, "ENT"),
        (ADMINS[0], Role.BANK_ADMIN, None),
        (ADMINS[1], Role.BANK_ADMIN, None),
    ):
        institutions.add_user(
            uow=uow, email=email, role=role, institution=institution, password=PASSWORD
        )


def _items(uow: UnitOfWork) -> None:
    for institution, code in (("SHVC", "BIM-101"), ("SHVC", "SW-101"), ("BJVC", "BIM-201")):
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=institution,
                code=code,
                kind=ItemKind.COURSE,
                name=code,
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(3),
            ),
            on=ON,
        )
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution="SHVC",
            code="BIM-X",
            kind=ItemKind.X_CERTIFICATE,
            name="建筑信息模型（BIM）职业技能等级证书",
            framework="1X",
            levels=("beginner", "intermediate", "advanced"),
            provider="SHVC",
            approval_round=1,
        ),
        on=ON,
    )


def _aligned(uow: UnitOfWork) -> None:
    """Each alignment drafted by the item's registrar, approved by the first administrator."""
    admin = _principal(uow, ADMINS[0])
    for registrar, item, level, wanted in (
        (SHVC_REGISTRAR, "SHVC:BIM-101", None, (task(BIM, 1), task(BIM, 2))),
        (SHVC_REGISTRAR, "SHVC:SW-101", None, (task(SOFTWARE, 1),)),
        (SHVC_REGISTRAR, "SHVC:BIM-X", "advanced", (task(BIM, 3),)),
        (BJVC_REGISTRAR, "BJVC:BIM-201", None, (task(BIM, 1), task(BIM, 4))),
    ):
        author = _principal(uow, registrar)
        draft = draft_alignment(
            DraftAlignment(item=item, skills=wanted, level=level), principal=author, uow=uow
        )
        submit_alignment(SubmitAlignment(draft.id), principal=author, uow=uow)
        approve_alignment(ApproveAlignment(draft.id), principal=admin, uow=uow)


def _outcomes(uow: UnitOfWork) -> None:
    cipher = PersonalDataCipher(os.urandom(32))
    serial = 0
    revoke = None
    for institution, item, level, how_many in (
        ("SHVC", "BIM-101", "4", 12),
        ("SHVC", "SW-101", "4", 3),
        ("BJVC", "BIM-201", "4", 4),
        ("SHVC", "BIM-X", "intermediate", 3),
        ("SHVC", "BIM-X", "advanced", 1),
    ):
        for _ in range(how_many):
            serial += 1
            account = accounts.open_account(
                uow=uow,
                cipher=cipher,
                id_number=parse_id_number(id_number(7000 + serial)),
                name="学员",
            ).number
            made = outcomes.deposit_outcome(
                uow=uow,
                institution=institution,
                account_number=account,
                facts=OutcomeFacts(
                    record_id=f"D-{serial}",
                    item_code=item,
                    level=level,
                    credits=None,
                    score=Decimal(80),
                    assessed_on=date(2025, 6, 30),
                    setting=LearningSetting.FORMAL,
                ),
                today=ON,
            )
            revoke = revoke or made.outcome.public_id
    assert revoke is not None
    registrar = _principal(uow, SHVC_REGISTRAR)
    revoke_outcome(uow=uow, public_id=revoke, user_id=registrar.user_id, reason="录入错误")


def _jobs(uow: UnitOfWork) -> None:
    employer = _principal(uow, EMPLOYER)
    now = datetime.now(UTC)
    posted = [
        post_job(
            PostJob(
                institution="ENT",
                title="BIM 建模员",
                description="搭建建筑信息模型",
                language="zh",
                region=region,
                occupation=occupation,
                skill_uris=asked,
            ),
            principal=employer,
            uow=uow,
            now=now,
        )
        for region, occupation, asked in (
            ("上海", BIM, ((task(BIM, 1), "essential"), (task(BIM, 3), "optional"))),
            ("北京", None, ((task(SOFTWARE, 1), "essential"), (task(BIM, 1), "essential"))),
            ("上海", BIM, ((task(BIM, 2), "essential"),)),
        )
    ]
    close_job(CloseJob(posted[-1].id), principal=employer, uow=uow, now=now)


def build(database: Database) -> None:
    """The world (see the module's docstring), committed."""
    with database.unit_of_work() as uow:
        _staff(uow)
        admin = _principal(uow, ADMINS[1])
        import_occupations(
            ImportOccupations(
                content=OCCUPATIONS,
                file_name="occupations.csv",
                source="test",
                version="1",
                licence="test",
                file_format="csv",
            ),
            principal=admin,
            uow=uow,
        )
        import_skills(
            ImportSkills(
                content=OCCUPATIONS,
                file_name="occupations.csv",
                source="test",
                version="1",
                licence="test",
                file_format="csco22",
            ),
            principal=admin,
            uow=uow,
        )
        _items(uow)
        _aligned(uow)
        _outcomes(uow)
        _jobs(uow)
    with database.unit_of_work() as uow:  # the skills held counted, as the figure reads them
        refresh_skill_supply(
            RefreshSkillSupply(seen=0), principal=_principal(uow, ADMINS[0]), uow=uow
        )
