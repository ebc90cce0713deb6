"""Who may do what over HTTP with accreditation (standards, applications and their steps):
every role against every endpoint, on own, other and no institution.

The expected table is written out here by hand, not derived from the policy,
so that a change to the policy that opens or closes a door fails this test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import httpx2
import pytest

from creditbank import clock
from creditbank.accounts import outcomes
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
from creditbank.consents import service as consents
from creditbank.db import Database, UnitOfWork
from creditbank.evidence import service as evidence
from creditbank.institutions import service
from creditbank.institutions.model import Role
from tests.api.access_matrix.support import (
    ADMIN,
    ASSESSOR,
    AUDITOR,
    EVERYONE,
    OFFICER,
    OTHER,
    OWN,
    PDF,
    RECORD_READERS,
    REGISTRAR,
    Kept,
    Staff,
    other_than,
    run_matrix,
)
from tests.bulk_files import id_number
from tests.conftest import LiveBank

STANDARDS = {OWN: "MATRIX-STD-A", OTHER: "MATRIX-STD-B"}  # institution -> the standard it owns
UNIT = "MATRIX-UNIT"  # the one unit of each; applications are for OWN's
# institution -> an assessor of its staff certified for the unit; OWN's is the matrix's ASSESSOR
ASSESSORS = {OWN: f"{Role.ASSESSOR.value}@alpha.example", OTHER: "assessor@beta.example"}
BANK_ADMIN = f"{Role.BANK_ADMIN.value}@alpha.example"
MARKS = {"portfolio": Decimal(80), "interview": Decimal(70)}  # 74: a pass
APPLICATIONS = "/api/v1/accreditations/"
STEPS = (State.SUBMITTED, State.ASSIGNED, State.SCORED, State.DECIDED)  # then a confirmed decision


def _standard(code: str) -> StandardDraft:
    return StandardDraft(
        code=code,
        version=1,
        name="矩阵能力标准",
        industry="交通运输",
        occupation="站务员",
        framework="LOFOUC",
        units=(
            UnitSpec(
                code=UNIT,
                name="车站客运服务",
                level="4",
                credits=Decimal(4),
                scheme=Scheme(
                    (
                        SchemeComponent(ComponentKind.PORTFOLIO, 40),
                        SchemeComponent(ComponentKind.INTERVIEW, 60),
                    ),
                    Decimal(60),
                ),
                statements=(Statement(Domain.SKILLS, "能处理乘客投诉"),),
                criteria=("面谈合格",),
            ),
        ),
    )


@dataclass(frozen=True)
class Accreditations:
    """Fresh learners, evidence files and applications, one per call, made through the
    services."""

    database: Database
    cipher: PersonalDataCipher
    users: dict[str, int]  # e-mail -> user id, of the bank admin and the two assessors
    serials: Iterator[int] = field(default_factory=lambda: count(5000))

    def learner(self, consenting: str) -> str:
        """A new account consenting to institution ``consenting`` ("": to none): its number."""
        with self.database.unit_of_work() as uow:
            return self._learner(uow, consenting)

    def _learner(self, uow: UnitOfWork, consenting: str) -> str:
        number = accounts.open_account(
            uow=uow,
            cipher=self.cipher,
            id_number=parse_id_number(id_number(next(self.serials))),
            name="申请人",
        ).number
        if consenting:
            consents.grant_consent(
                uow=uow,
                learner_id=outcomes.learner_id_of(uow, number),
                institution=consenting,
                until=None,
                today=clock.today(),
                now=datetime.now(UTC),
            )
        return number

    def evidence(self, institution: str) -> str:
        """A new evidence file uploaded by ``institution``: its SHA-256."""
        with self.database.unit_of_work() as uow:
            return self._evidence(uow, institution)

    def _evidence(self, uow: UnitOfWork, institution: str) -> str:
        return evidence.store_evidence(
            uow=uow,
            institution=institution,
            content=PDF + f"application {next(self.serials)}".encode(),
            declared_type=None,
            by="matrix",
            max_bytes=1000,
        ).sha256

    def application(
        self, *, centre: str, until: State, applied_by: str = "", assessor: str = ""
    ) -> str:
        """A new application to ``centre`` for a new learner, by ``applied_by`` (with the
        learner's consent; "": the learner applied), taken by ``assessor`` (and the bank admin
        as the centre's officer) as far as ``until``: its public id."""
        today = clock.today()
        with self.database.unit_of_work() as uow:
            filed = filing.apply(
                uow=uow,
                account_number=self._learner(uow, applied_by),
                centre=centre,
                standard=STANDARDS[OWN],
                unit=UNIT,
                setting="informal",
                statement="在地铁站做了三年站务员。",
                evidence_files=[(self._evidence(uow, centre), "工作证明")],
                by="matrix",
                applied_by_institution=applied_by or None,
            ).public_id
            # how far along: 0 submitted ... 3 decided; 4 a decision confirmed
            far = STEPS.index(until) if until in STEPS else len(STEPS)
            if far >= 1:
                assessment.assign(
                    uow=uow,
                    public_id=filed,
                    assessor_email=assessor,
                    by="matrix",
                    by_user_id=self.users[BANK_ADMIN],
                    on=today,
                )
            if far >= 2:
                assessment.record_marks(
                    uow=uow,
                    public_id=filed,
                    marks=MARKS,
                    comment="",
                    by=assessor,
                    by_user_id=self.users[assessor],
                    on=today,
                )
            if far >= 3:
                assessment.decide(
                    uow=uow,
                    public_id=filed,
                    decision=Decision.ACCREDITED if far == 3 else Decision(until.value),
                    reasons="矩阵",
                    by=assessor,
                    by_user_id=self.users[assessor],
                    on=today,
                )
            if far >= 4:
                decisions.confirm(
                    uow=uow,
                    public_id=filed,
                    agree=True,
                    reason="",
                    by="matrix",
                    by_user_id=self.users[BANK_ADMIN],
                )
            assert applications.get_application(uow=uow, public_id=filed).state is until
        return filed


@pytest.fixture(scope="module")
def accreditations(live_bank: LiveBank, staff: dict[Role, Staff]) -> Accreditations:
    """A standard owned by each institution, with one unit (portfolio 40 / interview 60);
    OWN's unit certified to an assessor of each institution (the matrix's own, and one of
    OTHER's)."""
    del staff  # the institutions and the matrix's assessor come with the staff
    today = clock.today()
    with live_bank.database.unit_of_work() as uow:
        service.add_user(uow=uow, email=ASSESSORS[OTHER], role=Role.ASSESSOR, institution=OTHER)
        for owner, code in STANDARDS.items():
            standards.import_standard(
                uow=uow,
                draft=_standard(code),
                institution=owner,
                by="matrix",
                source_sha256="0" * 64,
                on=today,
            )
        for serial, email in enumerate(ASSESSORS.values(), start=4000):
            certifications.certify(
                uow=uow,
                cipher=live_bank.cipher,
                email=email,
                kind="assessor",
                item_ref=f"{OWN}:{UNIT}",
                level=None,
                id_number=id_number(serial),
                valid_from=today - timedelta(days=365),
                valid_until=today + timedelta(days=365),
                training="矩阵培训",
                by="matrix",
            )
        users = {
            email: service.principal_for(uow=uow, email=email).user_id
            for email in (BANK_ADMIN, *ASSESSORS.values())
        }
    return Accreditations(live_bank.database, live_bank.cipher, users)


# (endpoint, owner) -> roles that succeed; every other role gets 403.
EXPECTED: dict[tuple[str, str], set[Role]] = {
    # accreditation. The owner is whose the row's resource is: a standard's owner; for applying,
    # the institution the learner consents to ("none": to none); an application's centre (read
    # at centre, assign, confirm, the queue) or the institution that applied for the learner
    # (read applied for, appeal, add evidence; "none": the learner applied); for marks and
    # decisions, the institution of the assessor the application is assigned to ("own": the
    # matrix's ASSESSOR). Each call acts on an application in the right state: a row's calls share one
    # until a call succeeds (a refusal changes nothing), then the next gets a fresh one.
    ("list standards", "none"): EVERYONE,
    ("read standard", "own"): EVERYONE,
    ("read standard", "other"): EVERYONE,
    ("apply for accreditation", "own"): {ADMIN, REGISTRAR},
    ("apply for accreditation", "other"): {ADMIN},
    ("apply for accreditation", "none"): {ADMIN},
    ("read application at centre", "own"): RECORD_READERS,
    ("read application at centre", "other"): {ADMIN, AUDITOR},
    ("read application applied for", "own"): RECORD_READERS,
    ("read application applied for", "other"): {ADMIN, AUDITOR},
    # centre and applicant OTHER: only the assignment lets the matrix's assessor in
    ("read application assigned", "other"): {ADMIN, AUDITOR, ASSESSOR},
    ("assign assessor", "own"): {ADMIN, OFFICER},
    ("assign assessor", "other"): {ADMIN},
    ("record marks", "own"): {ASSESSOR},
    ("record marks", "other"): set(),
    ("decide", "own"): {ASSESSOR},
    ("decide", "other"): set(),
    ("confirm decision", "own"): {ADMIN, OFFICER},
    ("confirm decision", "other"): {ADMIN},
    ("appeal", "own"): {ADMIN, REGISTRAR},
    ("appeal", "other"): {ADMIN},
    ("appeal", "none"): {ADMIN},
    ("add evidence", "own"): {ADMIN, REGISTRAR},
    ("add evidence", "other"): {ADMIN},
    ("add evidence", "none"): {ADMIN},
    ("centre queue", "own"): RECORD_READERS,
    ("centre queue", "other"): {ADMIN, AUDITOR},
}

# Refusals that come from the service, not the policy, with their problem type; every other
# refusal is the policy's /problems/forbidden. The policy lets any assessor score and decide
# (on their own institution); the service then refuses all but the assigned assessor with
# 403 not-the-assessor. That is a refusal like any other here (the role is not in EXPECTED),
# and naming it keeps the layer exact: were the policy to let, say, bank admins score, their
# forbidden would turn into not-the-assessor and fail.
READS = {"read application at centre", "read application applied for", "read application assigned"}
REFUSED_BY_SERVICE: dict[tuple[str, str], dict[Role, str]] = {
    ("record marks", "other"): {ASSESSOR: "not-the-assessor"},
    ("decide", "other"): {ASSESSOR: "not-the-assessor"},
}


@dataclass(frozen=True)
class KeptAccreditations:
    """The matrix's learners and applications, kept for a row's calls until one succeeds
    (:class:`~tests.api.access_matrix.support.Kept`); evidence files fresh each call."""

    made: Accreditations
    kept: Kept

    def learner(self, consenting: str) -> str:
        return self.kept.get(("learner", consenting), lambda: self.made.learner(consenting))

    def evidence(self, institution: str) -> str:
        return self.made.evidence(institution)

    def application(
        self, *, centre: str, until: State, applied_by: str = "", assessor: str = ""
    ) -> str:
        return self.kept.get(
            ("application", centre, until, applied_by, assessor),
            lambda: self.made.application(
                centre=centre, until=until, applied_by=applied_by, assessor=assessor
            ),
        )


def call(
    client: httpx2.Client, endpoint: str, owner: str, made: KeptAccreditations
) -> httpx2.Response:
    code = {"own": OWN, "other": OTHER, "none": ""}[owner]
    return call_on_accreditation(client, endpoint, code, made)


def call_on_accreditation(
    client: httpx2.Client, endpoint: str, code: str, made: KeptAccreditations
) -> httpx2.Response:
    if endpoint == "list standards":
        return client.get("/api/v1/standards")
    if endpoint == "read standard":
        return client.get(f"/api/v1/standards/{STANDARDS[code]}")
    if endpoint == "centre queue":
        return client.get(f"/api/v1/centres/{code}/queue")
    if endpoint.startswith("read application"):
        return client.get(APPLICATIONS + application_to_read(endpoint, code, made))
    if endpoint == "apply for accreditation":
        # to OTHER's centre, with a file the centre holds: one a bank admin (who applies for no
        # institution) may attach as well as a registrar
        return client.post(
            "/api/v1/accreditations",
            json={
                "account_number": made.learner(consenting=code),
                "centre": OTHER,
                "standard": STANDARDS[OWN],
                "unit": UNIT,
                "setting": "informal",
                "statement": "在地铁站做了三年站务员。",
                "evidence": [{"sha256": made.evidence(OTHER), "name": "工作证明"}],
            },
        )
    return call_on_step(client, endpoint, code, made)


def application_to_read(endpoint: str, code: str, made: KeptAccreditations) -> str:
    if endpoint == "read application at centre":
        return made.application(centre=code, until=State.SUBMITTED)
    if endpoint == "read application applied for":  # to OTHER's centre: code only applied
        return made.application(centre=OTHER, applied_by=code, until=State.SUBMITTED)
    assert endpoint == "read application assigned", endpoint  # code's centre, applied by code
    return made.application(
        centre=code, applied_by=code, until=State.ASSIGNED, assessor=ASSESSORS[OWN]
    )


def call_on_step(
    client: httpx2.Client, endpoint: str, code: str, made: KeptAccreditations
) -> httpx2.Response:
    """A step on a new application in the state the step is taken from."""
    if endpoint == "assign assessor":  # code is the centre
        url = APPLICATIONS + made.application(centre=code, until=State.SUBMITTED)
        return client.post(f"{url}/assign", json={"assessor": ASSESSORS[OTHER]})
    if endpoint == "confirm decision":  # code is the centre
        url = APPLICATIONS + made.application(
            centre=code, until=State.DECIDED, assessor=ASSESSORS[OTHER]
        )
        return client.post(f"{url}/confirm", json={"agree": True})
    if endpoint == "record marks":  # code is the institution of the assigned assessor
        url = APPLICATIONS + made.application(
            centre=OTHER, until=State.ASSIGNED, assessor=ASSESSORS[code]
        )
        marks = {kind: str(mark) for kind, mark in MARKS.items()}
        return client.post(f"{url}/scores", json={"marks": marks, "comment": "面谈记录已存档"})
    if endpoint == "decide":  # code is the institution of the assigned assessor
        url = APPLICATIONS + made.application(
            centre=OTHER, until=State.SCORED, assessor=ASSESSORS[code]
        )
        return client.post(f"{url}/decide", json={"decision": "accredited", "reasons": "矩阵"})
    # code applied for the learner ("": the learner did); the centre, whose assessor decided,
    # is the other institution (OWN when the learner applied)
    centre = other_than(code) if code else OWN
    if endpoint == "appeal":
        url = APPLICATIONS + made.application(
            centre=centre, applied_by=code, until=State.NOT_ACCREDITED, assessor=ASSESSORS[centre]
        )
        return client.post(f"{url}/appeal", json={"reason": "面谈时未考虑夜班处置经历"})
    assert endpoint == "add evidence", endpoint
    url = APPLICATIONS + made.application(
        centre=centre, applied_by=code, until=State.MORE_EVIDENCE, assessor=ASSESSORS[centre]
    )
    return client.post(
        f"{url}/evidence",
        json={
            "evidence": [{"sha256": made.evidence(centre), "name": "年度考核记录"}],
            "note": "已补充",
        },
    )


def test_the_whole_matrix(
    by_role: dict[Role | None, httpx2.Client], accreditations: Accreditations
) -> None:
    kept = Kept(reads=READS)
    made = KeptAccreditations(accreditations, kept)
    run_matrix(
        EXPECTED,
        by_role,
        lambda client, endpoint, owner, _serial: call(client, endpoint, owner, made),
        REFUSED_BY_SERVICE,
        kept,
    )
