"""The accreditation bank the access matrix tries its doors on: a standard owned by each
institution, OWN's unit certified to an assessor of each, and fresh learners, evidence files
and applications in any state, made in the trying unit of work."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from creditbank import clock
from creditbank.access.policy import Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation import (
    applications,
    assessment,
    certifications,
    decisions,
    filing,
    standards,
)
from creditbank.accreditation.model import (
    ComponentKind,
    Decision,
    Domain,
    Scheme,
    SchemeComponent,
    StandardDraft,
    State,
    Statement,
    UnitSpec,
)
from creditbank.consents import service as consent_service
from creditbank.db import Database, UnitOfWork
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.institutions import service as institution_service
from creditbank.institutions.model import Role
from tests.access.matrix import (
    BANK_WIDE,
    OTHER,
    OWN,
)
from tests.bulk_files import id_number

serials = count(7000)
CIPHER = PersonalDataCipher(os.urandom(32))
TODAY = clock.today()
NOW = datetime.now(UTC)
STANDARDS = {OWN: "ACCESS-STD-A", OTHER: "ACCESS-STD-B"}  # institution -> the standard it owns
UNIT = {OWN: "ACCESS-UNIT-A", OTHER: "ACCESS-UNIT-B"}  # the one unit of each
ASSESSORS = {OWN: f"{Role.ASSESSOR.value}@alpha.example", OTHER: "assessor@beta.example"}
OFFICERS = BANK_WIDE | {Role.ACCREDITATION_OFFICER}
APPLICANTS = BANK_WIDE | {Role.REGISTRAR}
SCHEME_KEEPERS = BANK_WIDE | {Role.REGISTRAR, Role.ACCREDITATION_OFFICER}
ASSESSOR = frozenset({Role.ASSESSOR})
MARKS = {"portfolio": Decimal(80), "interview": Decimal(70)}
PDF = b"%PDF-1.7\n"


class Bank:
    """Who the module's bank has (set by a fixture): user ids of its administrator and of the
    two certified assessors."""

    users: dict[str, int] = {}  # noqa: RUF012 - filled once per module's bank


def scheme() -> Scheme:
    return Scheme(
        (
            SchemeComponent(ComponentKind.PORTFOLIO, 40),
            SchemeComponent(ComponentKind.INTERVIEW, 60),
        ),
        Decimal(60),
    )


def standard_draft(code: str, unit: str) -> StandardDraft:
    return StandardDraft(
        code=code,
        version=1,
        name="矩阵能力标准",
        industry="交通运输",
        occupation="站务员",
        framework="LOFOUC",
        units=(
            UnitSpec(
                code=unit,
                name="车站客运服务",
                level="4",
                credits=Decimal(4),
                scheme=scheme(),
                statements=(Statement(Domain.SKILLS, "能处理乘客投诉"),),
                criteria=("面谈合格",),
            ),
        ),
    )


def build(database: Database, principals: dict[Role, Principal]) -> None:
    """A standard owned by each institution; OWN's unit certified to an assessor of each."""
    with database.unit_of_work() as uow:
        institution_service.add_user(
            uow=uow, email=ASSESSORS[OTHER], role=Role.ASSESSOR, institution=OTHER
        )
        for owner, code in STANDARDS.items():
            standards.import_standard(
                uow=uow,
                draft=standard_draft(code, UNIT[owner]),
                institution=owner,
                by="matrix",
                source_sha256="0" * 64,
                on=TODAY,
            )
        for email in ASSESSORS.values():
            certifications.certify(
                uow=uow,
                cipher=CIPHER,
                email=email,
                kind="assessor",
                item_ref=f"{OWN}:{UNIT[OWN]}",
                level=None,
                id_number=id_number(next(serials)),
                valid_from=TODAY - timedelta(days=365),
                valid_until=TODAY + timedelta(days=365),
                training="矩阵培训",
                by="matrix",
            )
        Bank.users = {
            email: institutions.principal_for(uow=uow, email=email).user_id
            for email in ASSESSORS.values()
        }
    Bank.users["admin"] = principals[Role.BANK_ADMIN].user_id


# --- things to act on, made in the trying unit of work ------------------------------------------


def learner(uow: UnitOfWork, consenting: str = "") -> str:
    """A new account consenting to ``consenting`` ("": to none): its number."""
    number = accounts.open_account(
        uow=uow, cipher=CIPHER, id_number=parse_id_number(id_number(next(serials))), name="申请人"
    ).number
    if consenting:
        consent_service.grant_consent(
            uow=uow,
            learner_id=learner_id(uow, number),
            institution=consenting,
            until=None,
            today=TODAY,
            now=NOW,
        )
    return number


def learner_id(uow: UnitOfWork, number: str) -> int:
    return accounts_api.learner_id_of(uow, number)


def evidence_file(uow: UnitOfWork, institution: str) -> str:
    return evidence.store_evidence(
        uow=uow,
        institution=institution,
        content=PDF + f"application {next(serials)}".encode(),
        declared_type=None,
        by="matrix",
        max_bytes=1000,
    ).sha256


@dataclass(frozen=True)
class Made:
    public_id: str
    sha256: str
    account_number: str


def application(
    uow: UnitOfWork, *, centre: str, until: State, applied_by: str = "", assessor: str = ""
) -> Made:
    """A new application of a new learner to ``centre`` (applied for by ``applied_by``; "": the
    learner applied) for OWN's unit, taken by ``assessor`` as far as ``until``."""
    number = learner(uow, applied_by)
    sha = evidence_file(uow, centre)
    public_id = filing.apply(
        uow=uow,
        account_number=number,
        centre=centre,
        standard=STANDARDS[OWN],
        unit=UNIT[OWN],
        setting="informal",
        statement="在地铁站做了三年站务员。",
        evidence_files=[(sha, "工作证明")],
        by="matrix",
        applied_by_institution=applied_by or None,
    ).public_id
    steps = (State.SUBMITTED, State.ASSIGNED, State.SCORED, State.DECIDED)
    far = steps.index(until) if until in steps else len(steps)
    admin, marker = Bank.users["admin"], Bank.users.get(assessor, 0)
    if far >= 1:
        assessment.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=assessor,
            by="matrix",
            by_user_id=admin,
            on=TODAY,
        )
    if far >= 2:
        assessment.record_marks(
            uow=uow,
            public_id=public_id,
            marks=MARKS,
            comment="",
            by=assessor,
            by_user_id=marker,
            on=TODAY,
        )
    if far >= 3:
        decision = Decision.ACCREDITED if far == 3 else Decision(until.value)
        assessment.decide(
            uow=uow,
            public_id=public_id,
            decision=decision,
            reasons="矩阵",
            by=assessor,
            by_user_id=marker,
            on=TODAY,
        )
    if far >= 4:
        decisions.confirm(
            uow=uow, public_id=public_id, agree=True, reason="", by="matrix", by_user_id=admin
        )
    assert applications.get_application(uow=uow, public_id=public_id).state is until
    return Made(public_id, sha, number)


def at(centre: str, until: State = State.SUBMITTED, **more: str) -> Callable[[UnitOfWork], Made]:
    return lambda uow: application(uow, centre=centre, until=until, **more)


def other_than(code: str) -> str:
    return OTHER if code == OWN else OWN


def applied_for(code: str, until: State) -> Callable[[UnitOfWork], Made]:
    """Applied for by ``code`` ("": the learner); decided by the other institution's assessor
    at its centre (OWN's when the learner applied)."""
    centre = other_than(code) if code else OWN
    return at(centre, until, applied_by=code, assessor=ASSESSORS[centre])
