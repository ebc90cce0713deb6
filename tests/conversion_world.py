"""A small 1+X world for conversion tests, built through the services (seed 004, both ways).

- BIMTEO, a training-evaluation organisation, owns the X certificate BIM-X (1X beginner,
  intermediate, advanced) and the programme BIM-X-INT (the intermediate certificate: a
  2-credit theory exam and an 8-credit practical).
- SHVC, a higher vocational college, owns the courses BIM-101 (4 credits), BIM-102 (3) and
  DRAW-100 (2), and the diploma programme SHVC-BIM-DIP (60 credits) made of them, with a cap
  of 6 credits per source item and a third of the programme in total.
- Users: a registrar of each, two bank administrators.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.conversion import api as conversion
from creditbank.conversion.model import (
    Caps,
    Component,
    Conditions,
    LevelBar,
    RuleDraft,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.bulk_files import id_number

ON = date(2026, 11, 22)
DIPLOMA = "SHVC-BIM-DIP"
X_PROGRAMME = "BIM-X-INT"
SHVC_REGISTRAR = "registrar@shvc.example"
TEO_REGISTRAR = "registrar@bimteo.example"
ADMINS = ("admin1@bank.example", "admin2@bank.example")


@dataclass(frozen=True)
class Users:
    shvc: int
    teo: int
    admin1: int
    admin2: int


def build(uow: UnitOfWork) -> Users:
    """Institutions, users, items and the two programmes (no rules yet)."""
    institutions.add_institution(
        uow=uow,
        code="SHVC",
        name="上海某职业技术学院",
        type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
    )
    institutions.add_institution(
        uow=uow,
        code="BIMTEO",
        name="某建筑信息模型培训评价组织",
        type=InstitutionType.TRAINING_EVALUATION_ORGANISATION,
    )
    ids = []
    for email, role, institution in (
        (SHVC_REGISTRAR, Role.REGISTRAR, "SHVC"),
        (TEO_REGISTRAR, Role.REGISTRAR, "BIMTEO"),
        (ADMINS[0], Role.BANK_ADMIN, None),
        (ADMINS[1], Role.BANK_ADMIN, None),
    ):
        ids.append(
            institutions.add_user(uow=uow, email=email, role=role, institution=institution).id
        )
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution="BIMTEO",
            code="BIM-X",
            kind=ItemKind.X_CERTIFICATE,
            name="建筑信息模型（BIM）职业技能等级证书",
            framework="1X",
            levels=("beginner", "intermediate", "advanced"),
            provider="BIMTEO",
            approval_round=1,
        ),
        on=ON,
    )
    for code, carried in (("BIM-101", 4), ("BIM-102", 3), ("DRAW-100", 2)):
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="SHVC",
                code=code,
                kind=ItemKind.COURSE,
                name=code,
                name_en="BIM applications" if code == "BIM-102" else "",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(carried),
            ),
            on=ON,
        )
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution="SHVC",
            code="DIP-CE",
            kind=ItemKind.QUALIFICATION,
            name="建筑工程技术专业（高职）",
            framework="LOFOUC",
            levels=("5",),
        ),
        on=ON,
    )
    conversion.create_programme(
        uow=uow,
        spec=conversion.ProgrammeSpec(
            code=DIPLOMA,
            institution="SHVC",
            item="DIP-CE",
            name="建筑工程技术（高职）",
            total_credits=Decimal(60),
            components=(
                Component(
                    "BIM-101", "BIM 建模", Decimal(4), "core", mandatory=True, item="BIM-101"
                ),
                Component("BIM-102", "BIM 应用", Decimal(3), "core", item="BIM-102"),
                Component("DRAW-100", "工程制图", Decimal(2), "general", item="DRAW-100"),
            ),
            caps=Caps(per_source_item=Decimal(6), programme_share=Decimal("0.333")),
        ),
        by=SHVC_REGISTRAR,
    )
    conversion.create_programme(
        uow=uow,
        spec=conversion.ProgrammeSpec(
            code=X_PROGRAMME,
            institution="BIMTEO",
            item="BIM-X",
            name="BIM 职业技能等级证书（中级）",
            total_credits=Decimal(10),
            components=(
                Component("THEORY", "理论考试", Decimal(2), mandatory=True),
                Component("PRACTICE", "实操考核", Decimal(8), mandatory=True),
            ),
        ),
        by=TEO_REGISTRAR,
    )
    return Users(*ids)


def x_certificate_rule(code: str = "BIMX-INT") -> RuleDraft:
    """SHVC's rule: the BIM-X certificate at intermediate or higher exempts BIM-101 and BIM-102."""
    return RuleDraft(
        code=code,
        programme=DIPLOMA,
        name="BIM 中级证书免修 BIM 课程",
        sources=(
            SourceSpec(
                item="BIMTEO:BIM-X", level=LevelBar("1X", "intermediate", "", 0), at_least=True
            ),
        ),
        targets=(
            Target(TargetKind.COMPONENT, component="BIM-101"),
            Target(TargetKind.COMPONENT, component="BIM-102"),
        ),
        valid_from=date(2025, 9, 1),
    )


def course_rule() -> RuleDraft:
    """BIMTEO's rule the other way: course BIM-101 with 80 or more exempts the theory exam."""
    return RuleDraft(
        code="BIM101-THEORY",
        programme=X_PROGRAMME,
        name="BIM-101 成绩 80 分以上免理论考试",
        sources=(SourceSpec(item="SHVC:BIM-101"),),
        targets=(Target(TargetKind.COMPONENT, component="THEORY"),),
        conditions=Conditions(min_score=Decimal(80), max_age_years=5),
        valid_from=date(2025, 9, 1),
    )


def approved(uow: UnitOfWork, users: Users, draft: RuleDraft, institution: str) -> int:
    """Draft, submit and approve ``draft``: the approved version's id."""
    author = users.shvc if institution == "SHVC" else users.teo
    rule = conversion.draft_rule(uow=uow, institution=institution, draft=draft, user_id=author)
    conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=author)
    conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=users.admin1)
    return rule.id


def learner(uow: UnitOfWork, serial: int) -> str:
    """A learner's new account: its number."""
    return accounts.open_account(
        uow=uow,
        cipher=PersonalDataCipher(os.urandom(32)),
        id_number=parse_id_number(id_number(serial)),
        name="学员",
    ).number


def deposit(
    uow: UnitOfWork,
    account: str,
    *,
    institution: str,
    item: str,
    level: str,
    record: str,
    score: str | None = "85",
    earned: Decimal | None = None,
    assessed_on: date = date(2025, 6, 30),
) -> str:
    """Deposit one outcome: its public id."""
    return outcomes.deposit_outcome(
        uow=uow,
        institution=institution,
        account_number=account,
        facts=OutcomeFacts(
            record_id=record,
            item_code=item,
            level=level,
            credits=earned,
            score=Decimal(score) if score is not None else None,
            assessed_on=assessed_on,
            setting=LearningSetting.FORMAL,
        ),
        today=ON,
    ).outcome.public_id


def x_certificate_holder(uow: UnitOfWork, serial: int, level: str = "intermediate") -> str:
    """A learner holding BIM-X at ``level``: the account number."""
    account = learner(uow, serial)
    deposit(uow, account, institution="BIMTEO", item="BIM-X", level=level, record=f"X-{serial}")
    return account
