"""The demo's invented learners and their learning paths, as each institution's deposit file."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from creditbank.accounts.files import Row
from creditbank.accounts.model import resident_check_character
from creditbank.demo.common import X_LEVELS, x_certificate_code

SEED = 20201222  # the fourth round of X certificates was announced in December 2020
LEARNERS = 3000
EARLY_CHILDHOOD = range(66, 78)
TOURISM_AND_HOSPITALITY = range(82, 93)


# --- learning paths ---------------------------------------------------------------------


@dataclass
class _Learner:
    """One invented learner while their outcomes are drawn."""

    serial: int
    id_number: str
    name: str
    start: date
    rows: dict[str, list[Row]]
    today: date
    counter: int = 0

    def outcome(
        self,
        institution: str,
        item: str,
        level: str,
        *,
        after_days: int,
        setting: str,
        earned: str = "",
        score: str = "",
    ) -> None:
        assessed = min(self.start + timedelta(days=after_days), self.today - timedelta(days=1))
        self.counter += 1
        self.rows[institution].append(
            {
                "record_id": f"DEMO-{self.serial:05d}-{self.counter:02d}",
                "id_number": self.id_number,
                "name": self.name,
                "item_code": item,
                "level": level,
                "credits": earned,
                "score": score,
                "assessed_on": assessed.isoformat(),
                "setting": setting,
            }
        )


LearningPath = Callable[[_Learner, random.Random, dict[int, str]], None]


def _score(chance: random.Random) -> str:
    return str(chance.randint(60, 98))


def _courses(
    learner: _Learner, chance: random.Random, institution: str, courses: dict[str, tuple[str, str]]
) -> None:
    """Each course (code -> (level, credits)) passed one term after the other."""
    for term, (code, (level, earned)) in enumerate(courses.items()):
        learner.outcome(
            institution,
            code,
            level,
            after_days=120 * term + chance.randint(0, 30),
            setting="formal",
            earned=earned,
            score=_score(chance),
        )


def _x_certificates(
    learner: _Learner, chance: random.Random, providers: dict[int, str], numbers: range
) -> None:
    for number in chance.sample(list(numbers), k=chance.choice((1, 1, 2))):
        learner.outcome(
            providers[number],
            x_certificate_code(number),
            chance.choices(X_LEVELS, weights=(6, 3, 1))[0],
            after_days=chance.randint(200, 900),
            setting="non-formal",
            score=_score(chance),
        )


def _hospitality(learner: _Learner, chance: random.Random, providers: dict[int, str]) -> None:
    courses = {"HM101": ("VE2", "3"), "HM204": ("VE2", "3"), "TR150": ("VE2", "2")}
    _courses(learner, chance, "PJVC", courses)
    if chance.random() < 0.5:  # noqa: PLR2004 - half of them have graduated
        learner.outcome("PJVC", "DIP-HOTEL", "VE2", after_days=1090, setting="formal", earned="120")
    _x_certificates(learner, chance, providers, TOURISM_AND_HOSPITALITY)
    if chance.random() < 0.1:  # noqa: PLR2004
        learner.outcome("PJVC", "INNOV-CONTEST", "VA-INNOV", after_days=500, setting="informal")


def _early_childhood(learner: _Learner, chance: random.Random, providers: dict[int, str]) -> None:
    _courses(learner, chance, "PJVC", {"EC110": ("VE2", "4")})
    _x_certificates(learner, chance, providers, EARLY_CHILDHOOD)


def _university(learner: _Learner, chance: random.Random, _providers: dict[int, str]) -> None:
    courses = {"CS101": ("GE5", "4"), "MA102": ("GE5", "5"), "CS305": ("GE5", "3")}
    _courses(learner, chance, "HJUT", courses)
    if chance.random() < 0.5:  # noqa: PLR2004
        learner.outcome("HJUT", "BENG-CS", "GE5", after_days=1450, setting="formal", earned="160")
    if chance.random() < 0.1:  # noqa: PLR2004
        learner.outcome(
            "HJUT", "RES-PAPER", "VA-RESEARCH", after_days=1200, setting="informal", earned="2"
        )


def _adult(learner: _Learner, chance: random.Random, _providers: dict[int, str]) -> None:
    courses = {"ENG110": ("4", "2"), "ACC201": ("5", "3"), "MGT210": ("5", "4")}
    _courses(learner, chance, "SHOUD", courses)
    if chance.random() < 0.3:  # noqa: PLR2004
        learner.outcome("SHOUD", "DIP-ADMIN", "CE2", after_days=900, setting="formal", earned="76")
    if chance.random() < 0.4:  # noqa: PLR2004
        learner.outcome(
            "DFZZ", "TRN-PLC", "VT-TRAIN", after_days=300, setting="non-formal", earned="1"
        )
    if chance.random() < 0.3:  # noqa: PLR2004
        learner.outcome(
            "HPTS", "NVQ-ELEC", chance.choice(("4", "3")), after_days=600, setting="non-formal"
        )
    if chance.random() < 0.3:  # noqa: PLR2004
        learner.outcome(
            "SHCB", "SVC-COMMUNITY", "VA-SERVICE", after_days=400, setting="informal", earned="1"
        )


def _chef(learner: _Learner, chance: random.Random, _providers: dict[int, str]) -> None:
    _courses(learner, chance, "SCVS", {"CK101": ("VE1", "2"), "CK120": ("VE1", "2")})
    learner.outcome("HPTS", "NVQ-CHEF", "5", after_days=400, setting="non-formal")
    if chance.random() < 0.4:  # noqa: PLR2004 - some went on to the next level
        learner.outcome("HPTS", "NVQ-CHEF", "4", after_days=1100, setting="non-formal")
    if chance.random() < 0.2:  # noqa: PLR2004
        learner.outcome(
            "SHPR", "COMP-CHEF", "VA-COMP", after_days=700, setting="informal", earned="1"
        )
    if chance.random() < 0.1:  # noqa: PLR2004
        learner.outcome(
            "SHCB", "HER-PAPERCUT", "VA-HERITAGE", after_days=800, setting="informal", earned="1"
        )


PATHS: tuple[tuple[LearningPath, int], ...] = (
    (_hospitality, 30),
    (_early_childhood, 15),
    (_university, 20),
    (_adult, 20),
    (_chef, 15),
)


# Where the invented learners' identity numbers say they registered: Shanghai's districts and
# a few neighbouring cities (GB/T 2260 codes).
REGIONS = (
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
    "310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151",
    "320102", "320505", "330106", "340104",
)  # fmt: skip


def _id_number(chance: random.Random, serial: int) -> str:
    """A checksum-valid resident identity number, different for every ``serial``."""
    born = date(1968, 1, 1) + timedelta(days=chance.randint(0, 38 * 365))
    first = f"{chance.choice(REGIONS)}{born:%Y%m%d}{serial % 1000:03d}"
    return first + resident_check_character(first)


def deposit_files(providers: dict[int, str], today: date) -> dict[str, list[Row]]:
    """Every institution's deposit file (as rows), for :data:`LEARNERS` invented learners."""
    chance = random.Random(SEED)  # noqa: S311 - invented demo data, not secrets
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rows: dict[str, list[Row]] = defaultdict(list)
    paths, weights = zip(*PATHS, strict=True)
    latest_start = today - timedelta(days=400)
    for serial in range(LEARNERS):
        start = date(2016, 9, 1) + timedelta(days=chance.randint(0, 7 * 365))
        learner = _Learner(
            serial=serial,
            id_number=_id_number(chance, serial),
            name=fake.name(),
            start=min(start, latest_start),
            rows=rows,
            today=today,
        )
        chance.choices(paths, weights=weights)[0](learner, chance, providers)
    return dict(rows)
