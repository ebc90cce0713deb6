"""A bank with known statistics, for the statistics pages' tests: two institutions, their staff,
and a known set of facts tallied through ``stats.api.tally`` (what the use cases call), so that
every figure has rows, some counts large enough to show and some below the threshold (10).

- SCU, a university (四川), and CQOU, an open university (重庆); a registrar of each, a bank
  administrator and an auditor, all with :data:`PASSWORD`.
- accounts opened: SCU 15 in 2024 and 12 in 2025, CQOU 3 in 2025 (suppressed);
- outcomes deposited at SCU: 30 formal courses (60 credits) in 2025, 4 informal (8 credits);
  at CQOU 20 non-formal qualifications (100 credits) in 2024; 2 revoked at SCU;
- accreditation at SCU: 20 applications, 12 accredited, 3 not, 15 decided in 450 days, 1 appeal;
- conversion at CQOU: 25 requested, 18 confirmed (72 credits) in 2025;
- cohorts: 50 learners in 2023 (12 converted after 1 year, 11 after 2, 10 after 3), 40 in 2024
  (15 after 1 year);
- 1+X at SCU in 2025: 40 registered, 5 fee-exempt, 30 assessed, 20 certified; at CQOU 12
  registered, 11 assessed, 8 certified;
- recognition with peer ``bank-b.example``: 14 packages exported, 11 imported, 30 outcomes
  recognised in 2025.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.stats.api import Fact, tally

PASSWORD = "correct horse battery"
SCU = "SCU"
CQOU = "CQOU"
SCU_REGISTRAR = "registrar@scu.example"
CQOU_REGISTRAR = "registrar@cqou.example"
ADMIN = "admin@bank.example"
AUDITOR = "audit@bank.example"
PEER = "bank-b.example"
THRESHOLD = 10
"""The bank's default ``stats_suppress_below``."""
FIGURE_NAMES = (
    "accounts",
    "outcomes",
    "accreditation",
    "conversion",
    "cohorts",
    "xcerts",
    "recognition",
)

SPRING_2024 = date(2024, 4, 10)
SPRING_2025 = date(2025, 3, 12)
AUTUMN_2025 = date(2025, 10, 20)


def _facts() -> list[Fact]:
    """The world's facts (see the module's docstring)."""
    facts = [
        Fact("accounts", "opened", SPRING_2024, SCU, {"sex": "female", "age": "20-29"}, 9),
        Fact("accounts", "opened", SPRING_2024, SCU, {"sex": "male", "age": "30-39"}, 6),
        Fact("accounts", "opened", SPRING_2025, SCU, {"sex": "female", "age": "<20"}, 12),
        Fact("accounts", "opened", AUTUMN_2025, CQOU, {"sex": "male", "age": "40-49"}, 3),
        Fact(
            "outcomes",
            "deposited",
            SPRING_2025,
            SCU,
            {"setting": "formal", "kind": "course"},
            30,
            Decimal(60),
        ),
        Fact(
            "outcomes",
            "deposited",
            AUTUMN_2025,
            SCU,
            {"setting": "informal", "kind": "course"},
            4,
            Decimal(8),
        ),
        Fact(
            "outcomes",
            "deposited",
            SPRING_2024,
            CQOU,
            {"setting": "non_formal", "kind": "qualification"},
            20,
            Decimal(100),
        ),
        Fact(
            "outcomes",
            "revoked",
            AUTUMN_2025,
            SCU,
            {"setting": "formal", "kind": "course"},
            2,
            Decimal(4),
        ),
        Fact("accreditation", "applied", SPRING_2025, SCU, {}, 20),
        Fact("accreditation", "accredited", AUTUMN_2025, SCU, {}, 12),
        Fact("accreditation", "not_accredited", AUTUMN_2025, SCU, {}, 3),
        Fact("accreditation", "decided", AUTUMN_2025, SCU, {}, 15, Decimal(450)),
        Fact("accreditation", "appealed", AUTUMN_2025, SCU, {}, 1),
        Fact("conversion", "requested", SPRING_2025, CQOU, {}, 25),
        Fact("conversion", "confirmed", AUTUMN_2025, CQOU, {}, 18, Decimal(72)),
        Fact("cohorts", "learners", date(2023, 5, 1), None, {"cohort": "2023"}, 50),
        Fact("cohorts", "learners", SPRING_2024, None, {"cohort": "2024"}, 40),
    ]
    for at, cohort, after, count in (
        (SPRING_2024, "2023", "1", 12),
        (SPRING_2025, "2023", "2", 11),
        (AUTUMN_2025, "2023", "3", 10),
        (SPRING_2025, "2024", "1", 15),
    ):
        facts.append(
            Fact("cohorts", "converted", at, None, {"cohort": cohort, "after": after}, count)
        )
    for institution, counts in (
        (SCU, {"registered": 40, "fee_exempt": 5, "assessed": 30, "certified": 20}),
        (CQOU, {"registered": 12, "assessed": 11, "certified": 8}),
    ):
        facts.extend(
            Fact(
                "xcerts",
                measure,
                SPRING_2025,
                institution,
                {"certificate": "LFZK:BIM", "level": "1X@1:intermediate"},
                count,
            )
            for measure, count in counts.items()
        )
    facts.extend(
        Fact("recognition", measure, AUTUMN_2025, None, {"peer": PEER}, count)
        for measure, count in (("exported", 14), ("imported", 11), ("recognised", 30))
    )
    return facts


def build(database: Database) -> None:
    """Open the institutions and staff and tally the facts, in one committed unit of work."""
    with database.unit_of_work() as uow:
        for code, name, name_en, kind, region in (
            (SCU, "四川某大学", "A Sichuan University", InstitutionType.UNIVERSITY, "四川"),
            (
                CQOU,
                "重庆某开放大学",
                "A Chongqing Open University",
                InstitutionType.OPEN_UNIVERSITY,
                "重庆",
            ),
        ):
            institutions.add_institution(
                uow=uow, code=code, name=name, name_en=name_en, type=kind, region=region
            )
        for email, role, institution in (
            (SCU_REGISTRAR, Role.REGISTRAR, SCU),
            (CQOU_REGISTRAR, Role.REGISTRAR, CQOU),
            (ADMIN, Role.BANK_ADMIN, None),
            (AUDITOR, Role.AUDITOR, None),
        ):
            institutions.add_user(
                uow=uow, email=email, role=role, institution=institution, password=PASSWORD
            )
        tally(uow, _facts())
