"""A small accreditation world, built through the services (seed 000: a centre accrediting
workplace learning against a competence standard).

- CQARC, an accreditation centre, owns the standard CQ-RAIL-OPS (version 1) with two units:
  RAIL-OPS-01 (LOFOUC 4, 4 credits, portfolio 40 / interview 60, pass 60) and RAIL-OPS-02
  (LOFOUC 4, 3 credits, theory 30 / practice 70, practice at least 60, pass 60).
- CQRT, a college, taught some learners; its registrar applies for them (with consent).
- CQRAIL, an enterprise, employs the assessors: ASSESSOR_A and ASSESSOR_B are certified for
  both units; ASSESSOR_C is certified but is staff of CQRT (a conflict when CQRT taught the
  learner); ASSESSOR_D is not certified; ASSESSOR_SELF is certified and is the learner of
  serial ``SELF_SERIAL`` (the same identity number).
- Two accreditation officers of CQARC, a bank administrator and an auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from creditbank.accounts import service as accounts
from creditbank.accounts.api import learner_id_of
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation import certifications, standards
from creditbank.accreditation.model import (
    ComponentKind,
    Domain,
    EvidenceNeed,
    Scheme,
    SchemeComponent,
    StandardDraft,
    Statement,
    UnitSpec,
)
from creditbank.consents import service as consents
from creditbank.db import UnitOfWork
from creditbank.evidence import service as evidence
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.bulk_files import id_number

ON = date(2026, 11, 22)
CENTRE = "CQARC"
COLLEGE = "CQRT"
EMPLOYER = "CQRAIL"
STANDARD = "CQ-RAIL-OPS"
UNIT = "RAIL-OPS-01"
UNIT_2 = "RAIL-OPS-02"
OFFICER_1 = "officer1@cqarc.example"
OFFICER_2 = "officer2@cqarc.example"
REGISTRAR = "registrar@cqrt.example"
ASSESSOR_A = "assessor.a@cqrail.example"
ASSESSOR_B = "assessor.b@cqrail.example"
ASSESSOR_C = "assessor.c@cqrt.example"
ASSESSOR_D = "assessor.d@cqrail.example"
ASSESSOR_SELF = "assessor.self@cqrail.example"
ADMIN = "admin@bank.example"
AUDITOR = "auditor@bank.example"
SELF_SERIAL = 9001
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def standard_draft(version: int = 1, credits_1: Decimal = Decimal(4)) -> StandardDraft:
    return StandardDraft(
        code=STANDARD,
        version=version,
        name="城市轨道交通运营服务能力标准",
        name_en="Urban rail transit operations competence standard",
        industry="交通运输",
        occupation="城市轨道交通站务员",
        framework="LOFOUC",
        units=(
            UnitSpec(
                code=UNIT,
                name="车站客运服务",
                name_en="Station passenger service",
                level="4",
                credits=credits_1,
                scheme=Scheme(
                    (
                        SchemeComponent(ComponentKind.PORTFOLIO, 40),
                        SchemeComponent(ComponentKind.INTERVIEW, 60),
                    ),
                    Decimal(60),
                ),
                statements=(
                    Statement(Domain.KNOWLEDGE, "掌握客运组织规章", "Knows the rules"),
                    Statement(Domain.SKILLS, "能处理乘客投诉", "Handles complaints"),
                    Statement(Domain.COMPETENCY, "能独立负责站厅服务", "Runs a concourse"),
                ),
                criteria=("一年以上站务工作经历", "能说明三种以上突发情况的处置"),
                evidence=(EvidenceNeed("employer_letter", "单位出具的工作证明"),),
            ),
            UnitSpec(
                code=UNIT_2,
                name="行车组织基础",
                level="4",
                credits=Decimal(3),
                scheme=Scheme(
                    (
                        SchemeComponent(ComponentKind.THEORY, 30),
                        SchemeComponent(ComponentKind.PRACTICE, 70, Decimal(60)),
                    ),
                    Decimal(60),
                ),
                statements=(Statement(Domain.SKILLS, "能执行行车作业程序"),),
                criteria=("操作考核合格",),
            ),
        ),
    )


@dataclass(frozen=True)
class World:
    cipher: PersonalDataCipher
    users: dict[str, int]


def build(uow: UnitOfWork, cipher: PersonalDataCipher) -> World:
    """Institutions, users, the standard and the certifications."""
    for code, name, kind in (
        (CENTRE, "重庆某学分银行认证分中心", InstitutionType.ACCREDITATION_CENTRE),
        (COLLEGE, "重庆某轨道交通职业学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
        (EMPLOYER, "重庆某轨道交通集团", InstitutionType.ENTERPRISE),
    ):
        institutions.add_institution(uow=uow, code=code, name=name, type=kind)
    users = {}
    for email, role, institution in (
        (OFFICER_1, Role.ACCREDITATION_OFFICER, CENTRE),
        (OFFICER_2, Role.ACCREDITATION_OFFICER, CENTRE),
        (REGISTRAR, Role.REGISTRAR, COLLEGE),
        (ASSESSOR_A, Role.ASSESSOR, EMPLOYER),
        (ASSESSOR_B, Role.ASSESSOR, EMPLOYER),
        (ASSESSOR_C, Role.ASSESSOR, COLLEGE),
        (ASSESSOR_D, Role.ASSESSOR, EMPLOYER),
        (ASSESSOR_SELF, Role.ASSESSOR, EMPLOYER),
        (ADMIN, Role.BANK_ADMIN, None),
        (AUDITOR, Role.AUDITOR, None),
    ):
        users[email] = institutions.add_user(
            uow=uow, email=email, role=role, institution=institution
        ).id
    standards.import_standard(
        uow=uow,
        draft=standard_draft(),
        institution=CENTRE,
        by=OFFICER_1,
        source_sha256="0" * 64,
        on=ON,
    )
    for serial, email in enumerate(
        (ASSESSOR_A, ASSESSOR_B, ASSESSOR_C, ASSESSOR_SELF), start=SELF_SERIAL - 3
    ):
        certifications.certify(
            uow=uow,
            cipher=cipher,
            email=email,
            kind="assessor",
            item_ref=f"{CENTRE}:{UNIT}",
            level=None,
            id_number=id_number(serial),
            valid_from=ON - timedelta(days=365),
            valid_until=ON + timedelta(days=365),
            training="重庆分中心评审员培训（3天）",
            by=OFFICER_1,
        )
    return World(cipher, users)


def learner(uow: UnitOfWork, cipher: PersonalDataCipher, serial: int, *, consent: bool) -> str:
    """A learner's new account (consenting to CQRT or not): its number."""
    number = accounts.open_account(
        uow=uow, cipher=cipher, id_number=parse_id_number(id_number(serial)), name="学员"
    ).number
    if consent:
        consents.grant_consent(
            uow=uow,
            learner_id=learner_id_of(uow, number),
            institution=COLLEGE,
            until=None,
            today=ON,
            now=datetime.now(UTC),
        )
    return number


def upload(uow: UnitOfWork, serial: int, institution: str = COLLEGE) -> str:
    """An evidence file uploaded by ``institution``: its SHA-256."""
    return evidence.store_evidence(
        uow=uow,
        institution=institution,
        content=PDF + f"% {serial}\n".encode(),
        declared_type="application/pdf",
        by=REGISTRAR,
        max_bytes=10_000_000,
    ).sha256
