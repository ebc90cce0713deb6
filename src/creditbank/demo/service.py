"""Demo data: a believable regional credit bank for `creditbank init --demo` (and `make run`).

Institutions of every type, staff of every role, a catalogue with an item of every kind (the
real fourth-round X certificates of seed 004 among them), and a few thousand invented learners
with Chinese names and checksum-valid identity numbers (Faker's ``zh_CN`` locale), each with the
outcomes of a plausible learning path: a vocational college student in hospitality or early
childhood, a university student, an adult learner at the open university, a trainee chef.

Everything goes through the same services as real data: accounts are opened and outcomes
deposited by each institution's bulk deposit, so the demo also shows what a batch looks like.
Seeded randomness makes the data the same on every machine. Loading is idempotent: a bank
that has the demo's institutions already gets nothing more.
"""

from __future__ import annotations

import random
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from faker import Faker
from sqlalchemy import select

from creditbank.accounts import bulk, lifecycle
from creditbank.accounts.bulk import BatchStatus
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import OutcomeFacts, parse_id_number, resident_check_character
from creditbank.accounts.tables import LearnerIdentityRow, LearnerRow, OutcomeRow
from creditbank.accreditation import files as accreditation_files
from creditbank.accreditation import service as accreditation_service
from creditbank.accreditation import standards as accreditation_standards
from creditbank.accreditation.api import ComponentKind, Scheme, SchemeComponent
from creditbank.accreditation.model import Decision
from creditbank.catalog import service as catalog
from creditbank.catalog.model import AchievementType, ItemDraft, ItemKind
from creditbank.catalog.tables import CatalogItemRow
from creditbank.conversion import api as conversion
from creditbank.conversion.model import (
    Caps,
    Component,
    Conditions,
    ConversionError,
    LevelBar,
    RuleDraft,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.evidence import service as evidence_service
from creditbank.institutions import api as institution_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.tables import UserRow
from creditbank.messages import msg
from creditbank.sessions import service as sessions
from creditbank.xcerts import service as xcerts
from creditbank.xcerts.model import Offering, Profile, Training

SEED = 20201222  # the fourth round of X certificates was announced in December 2020
LEARNERS = 3000
X_CERTIFICATE_ROUND = 4
X_LEVELS = ("beginner", "intermediate", "advanced")
EARLY_CHILDHOOD = range(66, 78)
TOURISM_AND_HOSPITALITY = range(82, 93)


class DemoError(DomainError):
    """The demo data cannot be loaded (its data file does not fit the bank)."""


@dataclass
class DemoReport:
    loaded: bool = False
    institutions: int = 0
    users: int = 0
    items: int = 0
    learners: int = 0
    outcomes: int = 0
    password: str = ""
    users_added: list[str] = field(default_factory=list)
    learner_account: str = ""  # a learner who can log in with the demo password


def _data() -> dict[str, Any]:
    text = (resources.files("creditbank.demo") / "data" / "demo.toml").read_text("utf-8")
    return tomllib.loads(text)


def x_certificate_code(number: int) -> str:
    """The catalogue code of the round-4 X certificate numbered ``number`` in the round's list."""
    return f"1X-R4-{number:03d}"


def load_demo(*, database: Database, cipher: PersonalDataCipher, today: date) -> DemoReport:
    """Load the demo bank into ``database`` unless its institutions are there already."""
    data = _data()
    report = DemoReport(password=data["demo_password"])
    with database.unit_of_work() as uow:
        known = institution_api.institution_codes(uow=uow).values()
        if data["institutions"][0]["code"] in known:
            return report
        for entry in data["institutions"]:
            institutions.add_institution(
                uow=uow,
                code=entry["code"],
                name=entry["name"],
                name_en=entry["name_en"],
                type=InstitutionType(entry["type"]),
                region=entry.get("region", ""),
                alliances=entry.get("alliances", ()),
            )
        for entry in data["users"]:
            institutions.add_user(
                uow=uow,
                email=entry["email"],
                role=Role(entry["role"]),
                institution=entry.get("institution"),
                password=report.password,
            )
            report.users_added.append(entry["email"])
        for draft in _drafts(data):
            catalog.add_item(uow=uow, draft=draft, on=today)
            report.items += 1
    report.institutions = len(data["institutions"])
    report.users = len(data["users"])
    providers = {entry["number"]: entry["provider"] for entry in data["x_certificates"]}
    files = _deposit_files(providers, today)
    for institution, rows in sorted(files.items()):
        batch = bulk.import_batch(
            database=database,
            cipher=cipher,
            institution=institution,
            submitted_by="demo",
            filename=f"demo-{institution.lower()}.csv",
            file_format=FileFormat.CSV,
            rows=enumerate(rows, start=2),
            today=today,
        )
        if batch.status is not BatchStatus.COMMITTED:
            raise DemoError(
                "demo_rejected",
                msg(
                    "the demo batch of {institution} was rejected: {errors} problems",
                    institution=institution,
                    errors=batch.error_count,
                ),
            )
        report.learners += batch.accounts_opened
        report.outcomes += batch.deposited
    with database.unit_of_work() as uow:
        corrections, learner = _later_facts(uow, today)
        report.outcomes += corrections
        _conversion_rules(uow, today)
        sessions.set_learner_password(
            uow=uow, account_number=learner, password=report.password, now=datetime.now(UTC)
        )
        report.learner_account = learner
    report.outcomes += _xcert_operations(
        database=database, cipher=cipher, bim=data["bim"], candidates=files["PJVC"], today=today
    )
    with database.unit_of_work() as uow:
        report.items += _accreditation(
            uow, cipher, data["accreditation"], learner=report.learner_account, today=today
        )
        report.outcomes += 1  # the accredited unit
    with database.unit_of_work() as uow:
        report.outcomes += _confirmed_conversion(uow, learner=report.learner_account, today=today)
    report.loaded = True
    return report


def _accreditation(
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    setup: dict[str, Any],
    *,
    learner: str,
    today: date,
) -> int:
    """Import the built-in standards for the centre, certify its assessors for every unit, and
    give the demo learner three applications: accredited, decided (waiting for a second
    person), new. The number of catalogue items (units) made."""
    centre, (officer, second) = setup["centre"], setup["officers"]
    units: list[tuple[str, accreditation_standards.Unit]] = []
    for standard_file in accreditation_files.builtin_standards():
        standard = accreditation_standards.import_standard(
            uow=uow,
            draft=standard_file.draft,
            institution=centre,
            by=officer,
            source_sha256=standard_file.sha256,
            on=today,
        )
        units.extend((standard.code, unit) for unit in standard.units)
    for serial, email in enumerate(setup["assessors"], start=1):
        for _code, unit in units:
            accreditation_standards.certify(
                uow=uow,
                cipher=cipher,
                email=email,
                kind="assessor",
                item_ref=f"{unit.item.institution}:{unit.item.code}",
                level=None,
                id_number=_staff_id_number(serial),
                valid_from=today - timedelta(days=30),
                valid_until=today + timedelta(days=3 * 365),
                training=setup["training"],
                by=officer,
            )
    assessor = setup["assessors"][0]
    assessor_id = institution_api.principal_for(uow=uow, email=assessor).user_id
    evidence = evidence_service.store_evidence(
        uow=uow,
        institution=centre,
        content=b"%PDF-1.7\n% demo: employer's letter\n%%EOF\n",
        declared_type="application/pdf",
        by="learner",
        max_bytes=1_000_000,
    ).sha256
    by_code = {unit.code: unit for _code, unit in units}
    applications = [
        (
            by_code[entry["unit"]],
            accreditation_service.apply(
                uow=uow,
                account_number=learner,
                centre=centre,
                standard=entry["standard"],
                unit=entry["unit"],
                setting="informal",
                statement=entry["statement"],
                evidence_files=[(evidence, entry["evidence"])],
                by="learner",
            ).public_id,
        )
        for entry in setup["applications"]
    ]
    for unit, public_id in applications[:2]:
        accreditation_service.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=assessor,
            by=officer,
            by_user_id=institution_api.principal_for(uow=uow, email=officer).user_id,
            on=today,
        )
        accreditation_service.record_marks(
            uow=uow,
            public_id=public_id,
            marks={c.kind.value: Decimal(80) for c in unit.scheme.scheme.components},
            comment="",
            by=assessor,
            by_user_id=assessor_id,
            on=today,
        )
        accreditation_service.decide(
            uow=uow,
            public_id=public_id,
            decision=Decision.ACCREDITED,
            reasons="工作证明与面谈一致",
            by=assessor,
            by_user_id=assessor_id,
            on=today,
        )
    accreditation_service.confirm(
        uow=uow,
        public_id=applications[0][1],
        agree=True,
        reason="",
        by=second,
        by_user_id=institution_api.principal_for(uow=uow, email=second).user_id,
    )
    return len(units)


def _staff_id_number(serial: int) -> str:
    """A checksum-valid resident identity number for a demo staff member."""
    first = f"31011519800101{serial:03d}"
    return first + resident_check_character(first)


def _xcert_operations(
    *,
    database: Database,
    cipher: PersonalDataCipher,
    bim: dict[str, Any],
    candidates: list[Row],
    today: date,
) -> int:
    """The BIM certificate's 1+X operations (seed 004): its profile and schemes, pilot schools,
    a trained and dual-certified teacher, sessions with candidates (some fee-exempt) and their
    results, recorded by the provider's registrar like any results file. Returns the
    certificates deposited."""
    ref = f"{bim['provider']}:{bim['code']}"
    registrar = f"registrar@{bim['provider'].lower()}.example"
    people = iter(dict.fromkeys((row["id_number"], row["name"]) for row in candidates))
    sessions: list[tuple[int, list[tuple[tuple[str, str], list[int]]]]] = []
    with database.unit_of_work() as uow:
        xcerts.set_profile(
            uow=uow,
            ref=ref,
            profile=Profile(bim["industry"], bim["industry_en"], bim["valid_years"]),
            by=registrar,
        )
        for level, (theory, practice) in bim["weights"].items():
            xcerts.set_level_scheme(
                uow=uow,
                ref=ref,
                level=level,
                scheme=Scheme(
                    (
                        SchemeComponent(ComponentKind.THEORY, theory, pass_mark=None),
                        SchemeComponent(ComponentKind.PRACTICE, practice, pass_mark=None),
                    ),
                    Decimal(bim["pass_mark"]),
                ),
                by=registrar,
            )
        for offering in bim["offerings"]:
            for level in offering["levels"]:
                xcerts.declare_offering(
                    uow=uow,
                    ref=ref,
                    offering=Offering(
                        offering["school"], level, assessment_centre=offering["assessment_centre"]
                    ),
                    by=registrar,
                )
        digits = bim["teacher_id_digits"]
        xcerts.train_teacher(
            uow=uow,
            cipher=cipher,
            ref=ref,
            email=bim["teacher"],
            id_number=digits + resident_check_character(digits),
            training=Training(bim["course"], bim["course_days"], today - timedelta(days=400)),
            certifying=xcerts.Certifying(
                ("teacher", "assessor"),
                None,
                today - timedelta(days=390),
                today + timedelta(days=3 * 365),
            ),
            by=registrar,
            today=today,
        )
        for entry in bim["sessions"]:
            session = xcerts.schedule_session(
                uow=uow,
                ref=ref,
                centre=entry["centre"],
                level=entry["level"],
                held_on=today - timedelta(days=entry["days_ago"]),
                by=f"registrar@{entry['centre'].lower()}.example",
                today=today,
            )
            marked = []
            for marks, fee_exempt in entry["candidates"]:
                person = next(people)
                xcerts.register_candidate(
                    uow=uow,
                    session_id=session.id,
                    account_number=_account_of(uow, cipher, person[0]),
                    fee_exempt=fee_exempt,
                    by=f"registrar@{entry['centre'].lower()}.example",
                )
                marked.append((person, marks))
            sessions.append((session.id, marked))
    deposited = 0
    for session_id, marked in sessions:
        recorded = xcerts.record_results(
            database=database,
            cipher=cipher,
            session_id=session_id,
            header=["id_number", "name", "theory", "practice"],
            rows=[
                (
                    line,
                    {
                        "id_number": number,
                        "name": name,
                        "theory": str(marks[0]),
                        "practice": str(marks[1]),
                    },
                )
                for line, ((number, name), marks) in enumerate(marked, start=2)
                if marks
            ],
            assessor=bim["teacher"],
            by=registrar,
            filename=f"bim-results-{session_id}.csv",
            file_format=FileFormat.CSV,
            today=today,
        )
        deposited += recorded.passed
    return deposited


def _account_of(uow: UnitOfWork, cipher: PersonalDataCipher, id_number: str) -> str:
    """The account number of the demo learner with this identity number."""
    index = cipher.index(parse_id_number(id_number).index_key)
    number = uow.session.scalar(
        select(LearnerRow.account_number)
        .join(LearnerIdentityRow, LearnerIdentityRow.learner_id == LearnerRow.id)
        .where(LearnerIdentityRow.id_hmac == index)
    )
    if number is None:
        raise DemoError("demo_rejected", msg("a demo candidate has no account"))
    return number


def _later_facts(uow: UnitOfWork, today: date) -> tuple[int, str]:
    """What happens to records after deposit, shown on a few of PJVC's: verified by its assessor,
    corrected (superseded) or revoked by its registrar. Returns the corrections deposited and
    the account of the first learner with a corrected record."""
    session = uow.session
    users = dict(  # .all(): a Result has keys(), so dict() would take it for a mapping
        session.execute(
            select(UserRow.email, UserRow.id).where(
                UserRow.email.in_(("registrar@pjvc.example", "assessor@pjvc.example"))
            )
        ).all()
    )
    pjvc = institution_api.institution_id(uow=uow, code="PJVC")
    public_ids = session.scalars(
        select(OutcomeRow.public_id)
        .where(OutcomeRow.institution_id == pjvc)
        .order_by(OutcomeRow.id)
        .limit(300)
    ).all()
    for public_id in public_ids[0:200:10]:
        lifecycle.verify_outcome(
            uow=uow,
            public_id=public_id,
            user_id=users["assessor@pjvc.example"],
            reason="与学院教务系统成绩单核对一致",
        )
    for public_id in public_ids[201:204]:
        lifecycle.revoke_outcome(
            uow=uow,
            public_id=public_id,
            user_id=users["registrar@pjvc.example"],
            reason="重复登记：该成绩已由补考记录取代",
        )
    corrections, learners = 0, []
    for public_id in public_ids[211:214]:
        old = lifecycle.get_outcome(uow=uow, public_id=public_id).outcome
        lifecycle.supersede_outcome(
            uow=uow,
            public_id=public_id,
            facts=OutcomeFacts(
                record_id=f"{old.record_id}-C1",
                item_code=old.item_code,
                level=old.level.level.code,
                credits=old.credits,
                score=min(Decimal(100), (old.score or Decimal(60)) + 5),
                assessed_on=old.assessed_on,
                setting=old.setting,
            ),
            reason="成绩录入有误，按阅卷复核结果更正",
            user_id=users["registrar@pjvc.example"],
            today=today,
        )
        corrections += 1
        learners.append(old.account_number)
    return corrections, learners[0]


HOTEL_PROGRAMME = "PJVC-HOTEL-DIP"


def _conversion_rules(uow: UnitOfWork, today: date) -> None:
    """PJVC's hotel management diploma as a programme credits convert into, with two rules its
    registrar drafted and the bank's administrator approved (seed 004: an X certificate
    replaces course credits, capped)."""
    session = uow.session
    users = dict(
        session.execute(
            select(UserRow.email, UserRow.id).where(
                UserRow.email.in_(("registrar@pjvc.example", "admin@creditbank.example"))
            )
        ).all()
    )
    conversion.create_programme(
        uow=uow,
        spec=conversion.ProgrammeSpec(
            code=HOTEL_PROGRAMME,
            institution="PJVC",
            item="DIP-HOTEL",
            name="酒店管理与数字化运营专业（专科）",
            name_en="Hotel Management and Digital Operations (diploma)",
            total_credits=Decimal(120),
            components=(
                Component(
                    "HM101", "前厅服务与管理", Decimal(3), "core", mandatory=True, item="HM101"
                ),
                Component(
                    "HM204", "餐饮服务与管理", Decimal(3), "core", mandatory=True, item="HM204"
                ),
                Component("TR150", "旅游大数据应用", Decimal(2), "core", item="TR150"),
            ),
            category_credits={"core": Decimal(8), "elective": Decimal(10)},
            caps=Caps(per_source_item=Decimal(6), programme_share=Decimal("0.333")),
        ),
        by="registrar@pjvc.example",
    )
    intermediate = LevelBar("1X", "intermediate", "", 0)
    for draft in (
        RuleDraft(
            code="X-INTERMEDIATE-ELECTIVE",
            programme=HOTEL_PROGRAMME,
            name="1+X 证书中级及以上折算选修学分",
            name_en="An X certificate at intermediate or higher counts as elective credits",
            sources=(SourceSpec(kind="x_certificate", level=intermediate, at_least=True),),
            targets=(Target(TargetKind.ELECTIVE, credits=Decimal(4), category="elective"),),
            conditions=Conditions(max_age_years=5),
            valid_from=date(today.year - 1, 9, 1),
        ),
        RuleDraft(
            code="X-ANY-TR150",
            programme=HOTEL_PROGRAMME,
            name="1+X 证书免修旅游大数据应用",
            name_en="An X certificate exempts Applied Tourism Big Data",
            sources=(SourceSpec(kind="x_certificate"),),
            targets=(Target(TargetKind.COMPONENT, component="TR150"),),
            conditions=Conditions(min_score=Decimal(60)),
            valid_from=date(today.year - 1, 9, 1),
        ),
    ):
        rule = conversion.draft_rule(
            uow=uow, institution="PJVC", draft=draft, user_id=users["registrar@pjvc.example"]
        )
        conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=users["registrar@pjvc.example"])
        conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=users["admin@creditbank.example"])


def _confirmed_conversion(uow: UnitOfWork, *, learner: str, today: date) -> int:
    """One conversion toward PJVC's hotel diploma, requested and confirmed by its registrar:
    for the demo learner if an X certificate of theirs converts, else for the first learner
    whose does. Its grants become transferred credit toward the programme (never the course
    they exempt). Returns the outcomes deposited."""
    holders = uow.session.scalars(
        select(LearnerRow.account_number)
        .join(OutcomeRow, OutcomeRow.learner_id == LearnerRow.id)
        .join(CatalogItemRow, CatalogItemRow.id == OutcomeRow.item_id)
        .where(CatalogItemRow.kind == ItemKind.X_CERTIFICATE.value)
        .distinct()
        .order_by(LearnerRow.account_number)
        .limit(100)
    ).all()
    registrar = "registrar@pjvc.example"
    for number in dict.fromkeys([learner, *holders]):
        try:
            proposed = conversion.request_conversion(
                uow=uow,
                account_number=number,
                programme=HOTEL_PROGRAMME,
                on=today,
                requested_by=registrar,
            )
        except ConversionError:
            continue  # nothing of this learner's converts
        confirmed = conversion.confirm_conversion(
            uow=uow, public_id=proposed.public_id, by=registrar
        )
        return len(confirmed.grants)
    raise DemoError("demo_rejected", msg("no demo learner holds an X certificate that converts"))


def _drafts(data: dict[str, Any]) -> Iterator[ItemDraft]:
    for entry in data["items"]:
        achievement = entry.get("achievement_type")
        yield ItemDraft(
            institution=entry["institution"],
            code=entry["code"],
            kind=ItemKind(entry["kind"]),
            name=entry["name"],
            name_en=entry["name_en"],
            framework=entry["framework"],
            levels=tuple(entry["levels"]),
            credits=Decimal(entry["credits"]) if "credits" in entry else None,
            achievement_type=AchievementType(achievement) if achievement else None,
        )
    provider_names = {entry["code"]: entry["name_en"] for entry in data["institutions"]}
    for entry in data["x_certificates"]:
        yield ItemDraft(
            institution=entry["provider"],
            code=x_certificate_code(entry["number"]),
            kind=ItemKind.X_CERTIFICATE,
            name=entry["name"],
            name_en=entry["name_en"],
            framework="1X",
            levels=X_LEVELS,
            provider=provider_names[entry["provider"]],
            approval_round=X_CERTIFICATE_ROUND,
        )
    bim = data["bim"]
    yield ItemDraft(
        institution=bim["provider"],
        code=bim["code"],
        kind=ItemKind.X_CERTIFICATE,
        name=bim["name"],
        name_en=bim["name_en"],
        framework="1X",
        levels=X_LEVELS,
        provider=provider_names[bim["provider"]],
        approval_round=bim["approval_round"],
    )


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


def _deposit_files(providers: dict[int, str], today: date) -> dict[str, list[Row]]:
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
