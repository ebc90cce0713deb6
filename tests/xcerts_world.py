"""A small 1+X world for the 1+X tests, built through the services (seed 004's BIM certificate).

- LFZK, a training-evaluation organisation (河北), owns the X certificate BIM (round 1; 1X
  beginner, intermediate, advanced) with the seed's schemes: theory/practice 20/80, 20/80 and
  60/40, pass mark 60, no component minimum.
- Pilot schools: HBVC (higher vocational college, 河北), an assessment centre at every level;
  SHSV (secondary vocational school, 上海), offering the beginner level without assessing it.
- Staff: a registrar of each; ``assessor@hbvc`` trained (5 days) and dual-certified (teacher and
  assessor) for every level; ``late@hbvc`` an assessor whose certification has expired;
  ``fresh@hbvc`` an assessor never certified; a bank administrator and an auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from creditbank import clock
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation.api import ComponentKind, Scheme, SchemeComponent
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.xcerts import api as xcerts
from creditbank.xcerts.model import Offering, Profile, Training
from tests.bulk_files import id_number

PROVIDER = "LFZK"
BIM = "LFZK:BIM"
CENTRE = "HBVC"
SCHOOL = "SHSV"
PROVIDER_REGISTRAR = "registrar@lfzk.example"
CENTRE_REGISTRAR = "registrar@hbvc.example"
SCHOOL_REGISTRAR = "registrar@shsv.example"
ASSESSOR = "assessor@hbvc.example"
EXPIRED = "late@hbvc.example"
UNCERTIFIED = "fresh@hbvc.example"
ADMIN = "admin@bank.example"
AUDITOR = "audit@bank.example"
WEIGHTS = {"beginner": (20, 80), "intermediate": (20, 80), "advanced": (60, 40)}
LEVELS = tuple(WEIGHTS)


def scheme(theory: int, practice: int) -> Scheme:
    return Scheme(
        (
            SchemeComponent(ComponentKind.THEORY, theory, pass_mark=None),
            SchemeComponent(ComponentKind.PRACTICE, practice, pass_mark=None),
        ),
        pass_mark=Decimal(60),
    )


def session_day() -> date:
    """A day the sessions were held: recently, so results can be recorded today."""
    return clock.today() - timedelta(days=10)


def build(uow: UnitOfWork, cipher: PersonalDataCipher) -> None:
    today = clock.today()
    for code, name, kind, region in (
        (
            PROVIDER,
            "廊坊市中科建筑产业化创新研究中心",
            InstitutionType.TRAINING_EVALUATION_ORGANISATION,
            "河北",
        ),
        (CENTRE, "河北某职业技术学院", InstitutionType.HIGHER_VOCATIONAL_COLLEGE, "河北"),
        (SCHOOL, "上海某中等职业学校", InstitutionType.SECONDARY_VOCATIONAL_SCHOOL, "上海"),
    ):
        institutions.add_institution(uow=uow, code=code, name=name, type=kind, region=region)
    for email, role, institution in (
        (PROVIDER_REGISTRAR, Role.REGISTRAR, PROVIDER),
        (CENTRE_REGISTRAR, Role.REGISTRAR, CENTRE),
        (SCHOOL_REGISTRAR, Role.REGISTRAR, SCHOOL),
        (ASSESSOR, Role.ASSESSOR, CENTRE),
        (EXPIRED, Role.ASSESSOR, CENTRE),
        (UNCERTIFIED, Role.ASSESSOR, CENTRE),
        (ADMIN, Role.BANK_ADMIN, None),
        (AUDITOR, Role.AUDITOR, None),
    ):
        institutions.add_user(uow=uow, email=email, role=role, institution=institution)
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution=PROVIDER,
            code="BIM",
            kind=ItemKind.X_CERTIFICATE,
            name="建筑信息模型（BIM）职业技能等级证书",
            name_en="Building Information Modelling (BIM)",
            framework="1X",
            levels=LEVELS,
            provider="廊坊市中科建筑产业化创新研究中心",
            approval_round=1,
        ),
        on=today,
    )
    for level, (theory, practice) in WEIGHTS.items():
        xcerts.set_level_scheme(
            uow=uow, ref=BIM, level=level, scheme=scheme(theory, practice), by=PROVIDER_REGISTRAR
        )
    xcerts.set_profile(
        uow=uow,
        ref=BIM,
        profile=Profile("土木建筑", "Civil engineering and construction", 5),
        by=PROVIDER_REGISTRAR,
    )
    for level in LEVELS:
        xcerts.declare_offering(
            uow=uow,
            ref=BIM,
            offering=Offering(CENTRE, level, assessment_centre=True),
            by=PROVIDER_REGISTRAR,
        )
    xcerts.declare_offering(
        uow=uow,
        ref=BIM,
        offering=Offering(SCHOOL, "beginner", assessment_centre=False),
        by=PROVIDER_REGISTRAR,
    )
    course = Training("BIM 职业技能等级证书师资培训", 5, today - timedelta(days=400))
    xcerts.train_teacher(
        uow=uow,
        cipher=cipher,
        ref=BIM,
        email=ASSESSOR,
        id_number=id_number(9001),
        training=course,
        certifying=xcerts.Certifying(
            ("teacher", "assessor"), None, today - timedelta(days=365), today + timedelta(days=700)
        ),
        by=PROVIDER_REGISTRAR,
        today=today,
    )
    xcerts.train_teacher(
        uow=uow,
        cipher=cipher,
        ref=BIM,
        email=EXPIRED,
        id_number=id_number(9002),
        training=Training(course.course, 5, today - timedelta(days=900)),
        certifying=xcerts.Certifying(
            ("assessor",), None, today - timedelta(days=800), today - timedelta(days=30)
        ),
        by=PROVIDER_REGISTRAR,
        today=today,
    )


@dataclass(frozen=True)
class Person:
    serial: int
    id_number: str
    name: str
    account: str


def learner(uow: UnitOfWork, cipher: PersonalDataCipher, serial: int) -> Person:
    number = id_number(serial)
    name = f"考生{serial}"
    account = accounts.open_account(
        uow=uow, cipher=cipher, id_number=parse_id_number(number), name=name
    ).number
    return Person(serial, number, name, account)
