"""A small bank with a learner's record to test learners' pages, consents and shares with.

Two institutions issue outcomes to learner 张晓梅: college JSVC (a course at LOFOUC levels
4 and 5, an electrician's qualification at NVQC levels 3 and 2, where 2 is the higher) and
the training-evaluation organisation TEO-BIM (the BIM X certificate). A third institution,
OTHER-U, issues nothing to her.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.accounts.tables import LearnerRow
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.sessions import service as sessions
from tests.bulk_files import id_number

NAME = "张晓梅"
PASSWORD = "correct horse battery"
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Record:
    account: str
    learner_id: int
    id_number: str
    outcomes: dict[str, str]
    """Public ids of the outcomes by record id."""
    other_account: str


ITEMS = (
    ItemDraft(
        institution="JSVC",
        code="CAD-201",
        kind=ItemKind.COURSE,
        name="计算机辅助设计",
        name_en="Computer-aided design",
        framework="LOFOUC",
        levels=("4", "5"),
        credits=Decimal(3),
    ),
    ItemDraft(
        institution="JSVC",
        code="ELEC",
        kind=ItemKind.VOCATIONAL_QUALIFICATION,
        name="电工职业资格",
        framework="NVQC",
        levels=("3", "2"),
    ),
    ItemDraft(
        institution="TEO-BIM",
        code="BIM-X",
        kind=ItemKind.X_CERTIFICATE,
        name="建筑信息模型（BIM）职业技能等级证书",
        framework="1X",
        levels=("beginner", "intermediate", "advanced"),
        provider="TEO-BIM",
        approval_round=1,
    ),
)

# record id, institution, item, level, credits, score, assessed on, setting
DEPOSITS = (
    ("C-1", "JSVC", "CAD-201", "4", "3", "88.5", date(2023, 1, 15), LearningSetting.FORMAL),
    ("C-2", "JSVC", "CAD-201", "4", "2.5", "75", date(2024, 6, 30), LearningSetting.FORMAL),
    ("C-3", "JSVC", "CAD-201", "5", "3", "91", date(2025, 1, 10), LearningSetting.FORMAL),
    ("E-3", "JSVC", "ELEC", "3", None, None, date(2022, 7, 1), LearningSetting.NON_FORMAL),
    ("E-2", "JSVC", "ELEC", "2", None, "80", date(2024, 12, 1), LearningSetting.NON_FORMAL),
    (
        "B-1",
        "TEO-BIM",
        "BIM-X",
        "intermediate",
        None,
        "82",
        date(2024, 3, 3),
        LearningSetting.INFORMAL,
    ),
)


def build_record(database: Database, cipher: PersonalDataCipher) -> Record:
    """The institutions, their staff (with web passwords), the learner and her outcomes."""
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)  # idempotent: a live bank has them
        for code, name, name_en, kind in (
            (
                "JSVC",
                "江苏某职业技术学院",
                "Jiangsu Vocational College",
                InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
            ),
            (
                "TEO-BIM",
                "某培训评价组织",
                "BIM Training and Evaluation",
                InstitutionType.TRAINING_EVALUATION_ORGANISATION,
            ),
            ("OTHER-U", "另一所大学", "Another University", InstitutionType.UNIVERSITY),
        ):
            institutions.add_institution(uow=uow, code=code, name=name, name_en=name_en, type=kind)
            institutions.add_user(
                uow=uow,
                email=f"reg@{code.lower()}.example",
                role=Role.REGISTRAR,
                institution=code,
                password=PASSWORD,
            )
        for draft in ITEMS:
            catalog.add_item(uow=uow, draft=draft, on=TODAY)
        number = id_number(501)
        opened = accounts.open_account(
            uow=uow, cipher=cipher, id_number=parse_id_number(number), name=NAME, opened_by="JSVC"
        )
        other = accounts.open_account(
            uow=uow, cipher=cipher, id_number=parse_id_number(id_number(502)), name="钱七"
        )
        deposited = {}
        for record, institution, item, level, earned, score, assessed, setting in DEPOSITS:
            facts = OutcomeFacts(
                record_id=record,
                item_code=item,
                level=level,
                credits=Decimal(earned) if earned else None,
                score=Decimal(score) if score else None,
                assessed_on=assessed,
                setting=setting,
            )
            done = outcomes.deposit_outcome(
                uow=uow,
                institution=institution,
                account_number=opened.number,
                facts=facts,
                today=TODAY,
            )
            deposited[record] = done.outcome.public_id
        for account in (opened.number, other.number):
            sessions.set_learner_password(
                uow=uow, account_number=account, password=PASSWORD, now=_now()
            )
        learner_id = _learner_id(uow, opened.number)
    return Record(opened.number, learner_id, number, deposited, other.number)


def _now() -> datetime:
    return datetime.now(UTC)


def _learner_id(uow: UnitOfWork, number: str) -> int:
    found = uow.session.scalar(select(LearnerRow.id).where(LearnerRow.account_number == number))
    assert found is not None
    return found
