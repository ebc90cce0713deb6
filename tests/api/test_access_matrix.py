"""Who may do what over HTTP: every role against every endpoint, on own, other and no institution.

The expected table is written out here by hand, not derived from the policy,
so that a change to the policy that opens or closes a door fails this test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlsplit

import httpx2
import pytest
from sqlalchemy import select

from creditbank import clock
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import (
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.accounts.tables import LearnerRow
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
from creditbank.catalog import grants
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.consents import service as consents
from creditbank.consents.tables import ConsentRow
from creditbank.credentials import issuing, signing
from creditbank.db import Database, UnitOfWork
from creditbank.evidence import service as evidence
from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.tables import ApiTokenRow, UserRow
from tests.bulk_files import id_number
from tests.conftest import LiveBank

OWN, OTHER = "ALPHA-U", "BETA-VC"
PDF = b"%PDF-1.7\n"


@dataclass(frozen=True)
class Staff:
    role: Role
    token: str


@pytest.fixture(scope="module")
def staff(live_bank: LiveBank) -> dict[Role, Staff]:
    """One user per role; staff roles belong to ALPHA-U; admin and auditor to no institution.

    Both institutions are of the accreditation centre type: the type matters to nothing but
    accreditation (an application goes to a centre), and it lets the staff be a centre's staff
    in the accreditation rows."""
    with live_bank.database.unit_of_work() as uow:
        for code, name in ((OWN, "甲大学"), (OTHER, "乙职业学院")):
            service.add_institution(
                uow=uow, code=code, name=name, type=InstitutionType.ACCREDITATION_CENTRE
            )
        people = {}
        for role in Role:
            institution = OWN if role.needs_institution else None
            service.add_user(
                uow=uow, email=f"{role.value}@alpha.example", role=role, institution=institution
            )
            people[role] = Staff(
                role, service.create_token(uow=uow, email=f"{role.value}@alpha.example").secret
            )
    return people


@dataclass(frozen=True)
class World:
    """Fresh things to act on, one per call: an institution's outcome, a grant of its course."""

    make_outcome: Callable[[str], str]
    make_grant: Callable[[str], int]
    evidence: dict[str, str]  # institution -> the hash of a file only it uploaded


def other_than(code: str) -> str:
    return OTHER if code == OWN else OWN


@pytest.fixture(scope="module")
def world(live_bank: LiveBank, staff: dict[Role, Staff]) -> World:
    """Both institutions with a course MATRIX-101, and a learner's account."""
    del staff  # the institutions come with the staff
    with live_bank.database.unit_of_work() as uow:
        for owner in (OWN, OTHER):
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=owner,
                    code="MATRIX-101",
                    kind=ItemKind.COURSE,
                    name="课程",
                    framework="LOFOUC",
                    levels=("5",),
                    credits=Decimal(2),
                ),
                on=clock.today(),
            )
        account = accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number("E7654321"),
            name="学员",
        ).number
    serials = count(1)

    def deposit(owner: str) -> str:
        with live_bank.database.unit_of_work() as uow:
            return outcomes.deposit_outcome(
                uow=uow,
                institution=owner,
                account_number=account,
                facts=_facts(f"M-{next(serials)}"),
                today=clock.today(),
            ).outcome.public_id

    def grant(owner: str) -> int:
        day = date(1900, 1, 1) + timedelta(days=next(serials))  # windows never overlap
        with live_bank.database.unit_of_work() as uow:
            return grants.grant_item(
                uow=uow,
                owner=owner,
                code="MATRIX-101",
                grantee=other_than(owner),
                valid_from=day,
                valid_until=day,
                by="matrix",
            ).id

    files = {}
    with live_bank.database.unit_of_work() as uow:
        for owner in (OWN, OTHER):
            files[owner] = evidence.store_evidence(
                uow=uow,
                institution=owner,
                content=PDF + owner.encode(),
                declared_type=None,
                by="matrix",
                max_bytes=1000,
            ).sha256
    return World(deposit, grant, files)


def _facts(record_id: str) -> OutcomeFacts:
    return OutcomeFacts(
        record_id=record_id,
        item_code="MATRIX-101",
        level="5",
        credits=Decimal(2),
        score=None,
        assessed_on=date(2024, 1, 1),
        setting=LearningSetting.FORMAL,
    )


# --- accreditation: standards, certified assessors, applications in every state ----------

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


@dataclass(frozen=True)
class Credentials:
    """Fresh credentials and spare keys to act on, one per call, made through the services; a
    learner with one outcome of OWN's, for the learner's record."""

    database: Database
    world: World
    account: str
    outcome: str

    def credential(self, owner: str) -> str:
        """A new outcome of ``owner``'s, exported as a credential: the credential's id."""
        outcome = self.world.make_outcome(owner)
        with self.database.unit_of_work() as uow:
            return issuing.issue(
                uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC)
            ).credential_id

    def badge(self, owner: str) -> dict[str, object]:
        """A new outcome of ``owner``'s as a signed Open Badge."""
        outcome = self.world.make_outcome(owner)
        with self.database.unit_of_work() as uow:
            document = issuing.issue(
                uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC)
            ).document
        assert document is not None
        return document

    def spare_key(self, owner: str) -> str:
        """A new key of ``owner``'s (an institution or ``bank``) with a newer one after it, which
        goes on signing whatever happens to the spare: the spare's name."""
        now = datetime.now(UTC)
        with self.database.unit_of_work() as uow:
            spare = signing.generate_key(uow=uow, owner=owner, now=now)
            signing.generate_key(uow=uow, owner=owner, now=now)
        return spare.name


@pytest.fixture(scope="module")
def credentials(live_bank: LiveBank, world: World) -> Credentials:
    with live_bank.database.unit_of_work() as uow:
        account = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(9000)),
            name="档案学员",
        ).number
        outcome = outcomes.deposit_outcome(
            uow=uow,
            institution=OWN,
            account_number=account,
            facts=_facts("CLR-1"),
            today=clock.today(),
        ).outcome.public_id
    return Credentials(live_bank.database, world, account, outcome)


@pytest.fixture
def anonymous(bank: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"}) as http:
        yield http


def as_(staff: Staff, bank: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=bank,
        timeout=10,
        headers={"Authorization": f"Bearer {staff.token}", "Accept-Language": "en"},
    )


ADMIN, REGISTRAR, ASSESSOR, OFFICER, AUDITOR = (
    Role.BANK_ADMIN,
    Role.REGISTRAR,
    Role.ASSESSOR,
    Role.ACCREDITATION_OFFICER,
    Role.AUDITOR,
)

# (endpoint, owner) -> roles that succeed; every other role gets 403.
EVERYONE = {ADMIN, REGISTRAR, ASSESSOR, OFFICER, AUDITOR}
EXPECTED: dict[tuple[str, str], set[Role]] = {
    ("create institution", "none"): {ADMIN},
    ("read institution", "own"): EVERYONE,
    ("read institution", "other"): {ADMIN, AUDITOR},
    ("create catalog item", "own"): {ADMIN, REGISTRAR},
    ("create catalog item", "other"): {ADMIN},
    ("list catalog", "own"): EVERYONE,
    ("list catalog", "other"): EVERYONE,
    ("list catalog", "none"): EVERYONE,
    ("open account", "own"): {ADMIN, REGISTRAR},
    ("deposit", "own"): {ADMIN, REGISTRAR},
    ("deposit", "other"): {ADMIN},
    ("read outcome", "own"): EVERYONE,
    ("read outcome", "other"): {ADMIN, AUDITOR},
    ("verify outcome", "own"): {ADMIN, ASSESSOR, OFFICER},
    ("verify outcome", "other"): {ADMIN},
    ("revoke outcome", "own"): {ADMIN, REGISTRAR},
    ("revoke outcome", "other"): {ADMIN},
    ("supersede outcome", "own"): {ADMIN, REGISTRAR},
    ("supersede outcome", "other"): {ADMIN},
    ("grant item", "own"): {ADMIN, REGISTRAR},
    ("grant item", "other"): {ADMIN},
    ("list grants", "own"): EVERYONE,
    ("list grants", "other"): EVERYONE,
    ("withdraw grant", "own"): {ADMIN, REGISTRAR},
    ("withdraw grant", "other"): {ADMIN},
    ("upload evidence", "own"): {ADMIN, REGISTRAR},
    ("upload evidence", "other"): {ADMIN},
    ("read evidence", "own"): EVERYONE,
    ("read evidence", "other"): {ADMIN, AUDITOR},
    # accreditation. The owner is whose the row's resource is: a standard's owner; for applying,
    # the institution the learner consents to ("none": to none); an application's centre (read
    # at centre, assign, confirm, the queue) or the institution that applied for the learner
    # (read applied for, appeal, add evidence; "none": the learner applied); for marks and
    # decisions, the institution of the assessor the application is assigned to ("own": the
    # matrix's ASSESSOR). Each call acts on an application of its own in the right state.
    ("list standards", "none"): EVERYONE,
    ("read standard", "own"): EVERYONE,
    ("read standard", "other"): EVERYONE,
    ("apply for accreditation", "own"): {ADMIN, REGISTRAR},
    ("apply for accreditation", "other"): {ADMIN},
    ("apply for accreditation", "none"): {ADMIN},
    ("read application at centre", "own"): EVERYONE,
    ("read application at centre", "other"): {ADMIN, AUDITOR},
    ("read application applied for", "own"): EVERYONE,
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
    ("centre queue", "own"): EVERYONE,
    ("centre queue", "other"): {ADMIN, AUDITOR},
    # verifiable credentials. The owner is the outcome's or the credential's issuer, or whose
    # keys they are ("none": the bank's own); the learner's record is the bank's ("none").
    # Verifying, DID documents and status lists are public: see
    # test_public_credential_endpoints_answer_anyone.
    ("export credential", "own"): {ADMIN, REGISTRAR},
    ("export credential", "other"): {ADMIN},
    ("export learner record", "none"): {ADMIN},
    ("change credential status", "own"): {ADMIN, REGISTRAR},
    ("change credential status", "other"): {ADMIN},
    ("list keys", "own"): {ADMIN, REGISTRAR},
    ("list keys", "other"): {ADMIN},
    ("list keys", "none"): {ADMIN},
    ("register key", "own"): {ADMIN, REGISTRAR},
    ("register key", "other"): {ADMIN},
    ("register key", "none"): {ADMIN},
    ("rotate keys", "own"): {ADMIN, REGISTRAR},
    ("rotate keys", "other"): {ADMIN},
    ("rotate keys", "none"): {ADMIN},
    ("mark key compromised", "own"): {ADMIN, REGISTRAR},
    ("mark key compromised", "other"): {ADMIN},
    ("mark key compromised", "none"): {ADMIN},
}

# Refusals that come from the service, not the policy, with their problem type; every other
# refusal is the policy's /problems/forbidden. The policy lets any assessor score and decide
# (on their own institution); the service then refuses all but the assigned assessor with
# 403 not-the-assessor. That is a refusal like any other here (the role is not in EXPECTED),
# and naming it keeps the layer exact: were the policy to let, say, bank admins score, their
# forbidden would turn into not-the-assessor and fail.
REFUSED_BY_SERVICE: dict[tuple[str, str], dict[Role, str]] = {
    ("record marks", "other"): {ASSESSOR: "not-the-assessor"},
    ("decide", "other"): {ASSESSOR: "not-the-assessor"},
}
ACCREDITATION_ENDPOINTS = {
    "list standards",
    "read standard",
    "apply for accreditation",
    "read application at centre",
    "read application applied for",
    "read application assigned",
    "assign assessor",
    "record marks",
    "decide",
    "confirm decision",
    "appeal",
    "add evidence",
    "centre queue",
}
CREDENTIAL_ENDPOINTS = {
    "export credential",
    "export learner record",
    "change credential status",
    "list keys",
    "register key",
    "rotate keys",
    "mark key compromised",
}


def call(  # noqa: PLR0911 - one branch per family of endpoints
    client: httpx2.Client,
    endpoint: str,
    owner: str,
    serial: int,
    world: World,
    *,
    accreditations: Accreditations,
    credentials: Credentials,
) -> httpx2.Response:
    code = {"own": OWN, "other": OTHER, "none": ""}[owner]
    if endpoint in ACCREDITATION_ENDPOINTS:
        return call_on_accreditation(client, endpoint, code, accreditations)
    if endpoint in CREDENTIAL_ENDPOINTS:
        return call_on_credentials(client, endpoint, code, credentials)
    if endpoint.endswith(" outcome"):  # each call on an outcome of its own, fresh
        url = f"/api/v1/outcomes/{world.make_outcome(code)}"
        return call_on_outcome(client, endpoint, url, serial)
    if "grant" in endpoint:
        return call_on_grants(client, endpoint, code, serial, world)
    if endpoint == "upload evidence":
        return client.post(
            "/api/v1/evidence",
            data={"institution": code},
            files={"file": ("scan.pdf", PDF + str(serial).encode(), "application/pdf")},
        )
    if endpoint == "read evidence":
        return client.get(f"/api/v1/evidence/{world.evidence[code]}")
    return call_on_institution(client, endpoint, code, serial)


def call_on_grants(
    client: httpx2.Client, endpoint: str, code: str, serial: int, world: World
) -> httpx2.Response:
    url = "/api/v1/catalog/items/MATRIX-101/grants"
    if endpoint == "list grants":
        return client.get(url, params={"owner": code})
    if endpoint == "withdraw grant":  # a fresh grant each time
        return client.post(f"/api/v1/catalog/grants/{world.make_grant(code)}/withdrawal")
    assert endpoint == "grant item", endpoint
    day = (date(2000, 1, 1) + timedelta(days=serial)).isoformat()
    return client.post(
        url,
        json={
            "owner": code,
            "institution": other_than(code),
            "valid_from": day,
            "valid_until": day,
        },
    )


def call_on_institution(
    client: httpx2.Client, endpoint: str, code: str, serial: int
) -> httpx2.Response:
    if endpoint == "create institution":
        return client.post(
            "/api/v1/institutions",
            json={
                "code": f"NEW-{serial}",
                "name": "新机构",
                "type": "enterprise",
                "alliances": ["YRD"],
            },
        )
    if endpoint == "read institution":
        return client.get(f"/api/v1/institutions/{code}")
    if endpoint == "create catalog item":
        return client.post(
            "/api/v1/catalog/items",
            json={
                "institution": code,
                "code": f"C{serial}",
                "kind": "course",
                "name": "课程",
                "framework": "LOFOUC",
                "levels": ["5"],
                "credits": "3",
            },
        )
    if endpoint == "open account":
        first = f"310104199003{serial % 28 + 1:02d}123"
        return client.post(
            "/api/v1/learners",
            json={"id_number": first + resident_check_character(first), "name": "王小明"},
        )
    if endpoint == "deposit":
        # the policy refuses before the content is looked at; permitted calls then meet
        # the domain (no such account), which this matrix does not test
        return client.post(
            "/api/v1/outcomes",
            json={
                "institution": code,
                "account_number": "CB000000000000",
                "record_id": f"R{serial}",
                "item_code": "X",
                "level": "1",
                "assessed_on": "2024-01-01",
            },
        )
    if endpoint == "list catalog":
        return client.get("/api/v1/catalog/items", params={"institution": code} if code else {})
    raise AssertionError(endpoint)


def call_on_accreditation(
    client: httpx2.Client, endpoint: str, code: str, made: Accreditations
) -> httpx2.Response:
    if endpoint == "list standards":
        return client.get("/api/v1/standards")
    if endpoint == "read standard":
        return client.get(f"/api/v1/standards/{STANDARDS[code]}")
    if endpoint == "centre queue":
        return client.get(f"/api/v1/centres/{code}/queue")
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
    if endpoint.startswith("read application"):
        return client.get(APPLICATIONS + application_to_read(endpoint, code, made))
    return call_on_step(client, endpoint, code, made)


def application_to_read(endpoint: str, code: str, made: Accreditations) -> str:
    if endpoint == "read application at centre":
        return made.application(centre=code, until=State.SUBMITTED)
    if endpoint == "read application applied for":  # to OTHER's centre: code only applied
        return made.application(centre=OTHER, applied_by=code, until=State.SUBMITTED)
    assert endpoint == "read application assigned", endpoint  # code's centre, applied by code
    return made.application(
        centre=code, applied_by=code, until=State.ASSIGNED, assessor=ASSESSORS[OWN]
    )


def call_on_step(
    client: httpx2.Client, endpoint: str, code: str, made: Accreditations
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


def call_on_credentials(
    client: httpx2.Client, endpoint: str, code: str, made: Credentials
) -> httpx2.Response:
    if endpoint == "export credential":
        return client.get(f"/api/v1/outcomes/{made.world.make_outcome(code)}/credential")
    if endpoint == "export learner record":
        return client.get(f"/api/v1/learners/{made.account}/clr", params={"outcomes": made.outcome})
    if endpoint == "change credential status":
        return client.post(
            f"/api/v1/credentials/{made.credential(code)}/status",
            json={"purpose": "suspension", "reason": "matrix"},
        )
    return call_on_keys(client, endpoint, code or "bank", made)


def call_on_keys(
    client: httpx2.Client, endpoint: str, owner: str, made: Credentials
) -> httpx2.Response:
    keys = f"/api/v1/institutions/{owner}/keys"
    if endpoint == "list keys":
        return client.get(keys)
    if endpoint == "register key":
        return client.post(keys, json={})
    if endpoint == "rotate keys":
        return client.post(f"{keys}/rotate")
    assert endpoint == "mark key compromised", endpoint
    return client.post(
        f"{keys}/{made.spare_key(owner)}/compromised",
        json={"since": "2024-01-01T00:00:00Z"},
    )


def call_on_outcome(client: httpx2.Client, endpoint: str, url: str, serial: int) -> httpx2.Response:
    if endpoint == "read outcome":
        return client.get(url)
    if endpoint == "verify outcome":
        return client.post(f"{url}/verification")
    if endpoint == "revoke outcome":
        return client.post(f"{url}/revocation", json={"reason": "matrix"})
    assert endpoint == "supersede outcome", endpoint
    return client.post(
        f"{url}/supersession",
        json={
            "record_id": f"FIX-{serial}",
            "item_code": "MATRIX-101",
            "level": "5",
            "assessed_on": "2024-01-02",
            "reason": "matrix",
        },
    )


def test_the_whole_matrix(  # noqa: PLR0917 - fixtures
    staff: dict[Role, Staff],
    bank: str,
    anonymous: httpx2.Client,
    world: World,
    accreditations: Accreditations,
    credentials: Credentials,
) -> None:
    serial = 0
    for (endpoint, owner), permitted in EXPECTED.items():
        for role, person in staff.items():
            serial += 1
            with as_(person, bank) as client:
                response = call(
                    client,
                    endpoint,
                    owner,
                    serial,
                    world,
                    accreditations=accreditations,
                    credentials=credentials,
                )
            if role in permitted:
                assert response.status_code in {200, 201, 404}, (
                    endpoint,
                    owner,
                    role,
                    response.text,
                )
                assert response.status_code != 404 or endpoint == "deposit"
            else:
                assert response.status_code == 403, (endpoint, owner, role, response.text)
                refusal = REFUSED_BY_SERVICE.get((endpoint, owner), {}).get(role, "forbidden")
                assert response.json()["type"] == f"/problems/{refusal}", (endpoint, owner, role)
        response = call(
            anonymous,
            endpoint,
            owner,
            serial,
            world,
            accreditations=accreditations,
            credentials=credentials,
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_public_credential_endpoints_answer_anyone(
    anonymous: httpx2.Client, credentials: Credentials
) -> None:
    """Anyone may check a credential: the verifier, the DID documents and the status lists
    answer without a token."""
    badge = credentials.badge(OWN)
    verdict = anonymous.post("/api/v1/verify", json=badge)
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["verified"] is True, verdict.text
    statuses = badge["credentialStatus"]
    assert isinstance(statuses, list)
    for path in (
        "/.well-known/did.json",
        f"/institutions/{OWN}/did.json",
        *(urlsplit(entry["statusListCredential"]).path for entry in statuses),
    ):
        answer = anonymous.get(path)
        assert answer.status_code == 200, (path, answer.text)


def test_created_institution_reads_back(staff: dict[Role, Staff], bank: str) -> None:
    with as_(staff[ADMIN], bank) as admin:
        created = admin.post(
            "/api/v1/institutions",
            json={
                "code": "shou",
                "name": "上海开放大学",
                "name_en": "Shanghai Open University",
                "type": "open_university",
                "region": "CN-SH",
                "alliances": ["OUC-ALLIANCE", "SH-BANK"],
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["code"] == "SHOU"
        read = admin.get("/api/v1/institutions/SHOU").json()
        assert (
            read["alliances"] == ["OUC-ALLIANCE", "SH-BANK"] and read["type"] == "open_university"
        )
        again = admin.post(
            "/api/v1/institutions", json={"code": "SHOU", "name": "x", "type": "enterprise"}
        )
        assert again.status_code == 409 and again.json()["type"] == "/problems/institution-exists"
        bad = admin.post("/api/v1/institutions", json={"code": "S", "name": "x", "type": "school"})
        assert bad.status_code == 422
        missing = admin.get("/api/v1/institutions/NOPE")
        assert (
            missing.status_code == 404
            and missing.json()["type"] == "/problems/institution-not-found"
        )


def test_revoked_and_unknown_tokens_are_refused(
    staff: dict[Role, Staff], live_bank: LiveBank, bank: str
) -> None:
    with live_bank.database.unit_of_work() as uow:
        service.add_user(
            uow=uow, email="leaver@alpha.example", role=Role.REGISTRAR, institution=OWN
        )
        issued = service.create_token(uow=uow, email="leaver@alpha.example")
    leaver = Staff(Role.REGISTRAR, issued.secret)
    with as_(leaver, bank) as client:
        assert client.get(f"/api/v1/institutions/{OWN}").status_code == 200
        with live_bank.database.unit_of_work() as uow:
            service.revoke_token(uow=uow, token_id=issued.id)
        refused = client.get(f"/api/v1/institutions/{OWN}")
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]
    with as_(Staff(Role.REGISTRAR, "cb_not-a-real-token"), bank) as client:
        assert client.get(f"/api/v1/institutions/{OWN}").status_code == 401


def test_tokens_and_passwords_are_stored_hashed(
    staff: dict[Role, Staff], live_bank: LiveBank
) -> None:
    with live_bank.database.unit_of_work() as uow:
        service.add_user(
            uow=uow,
            email="web@alpha.example",
            role=Role.REGISTRAR,
            institution=OWN,
            password="correct horse battery",
        )
        digests = set(uow.session.scalars(select(ApiTokenRow.digest)))
        prefixes = set(uow.session.scalars(select(ApiTokenRow.prefix)))
        hashed = uow.session.scalar(
            select(UserRow.password_hash).where(UserRow.email == "web@alpha.example")
        )
    for person in staff.values():
        assert person.token not in digests
        assert all(len(prefix) < len(person.token) for prefix in prefixes)
    assert hashed is not None and hashed.startswith("$argon2") and "correct horse" not in hashed


# --- reading a transcript, and what a learner's consent changes ---------------------------

# (consent state, issuer asked for) -> roles that succeed and how many outcomes they see;
# every other role gets 403. The learner has one outcome from ALPHA-U (own) and one from
# BETA-VC (other); "any" asks for no issuer.
ALL_STAFF = {REGISTRAR, ASSESSOR, OFFICER}
READING: dict[tuple[str, str], dict[Role, int]] = {
    ("no consent", "own"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("no consent", "other"): {ADMIN: 1, AUDITOR: 1},
    ("no consent", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "own"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "other"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 2),
    ("consent to other only", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent to other only", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent withdrawn", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent withdrawn", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent expired", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent expired", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
}


@pytest.fixture(scope="module")
def learner(staff: dict[Role, Staff], live_bank: LiveBank) -> tuple[str, int]:
    """A learner with one outcome from each institution: (account number, learner id)."""
    with live_bank.database.unit_of_work() as uow:
        for owner in (OWN, OTHER):
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=owner,
                    code="READ-1",
                    kind=ItemKind.COURSE,
                    name="课程",
                    framework="LOFOUC",
                    levels=("5",),
                    credits=Decimal(2),
                ),
                on=date(2026, 11, 22),
            )
        first = "32010219900101123"
        number = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(first + resident_check_character(first)),
            name="读者",
        ).number
        for owner in (OWN, OTHER):
            outcomes.deposit_outcome(
                uow=uow,
                institution=owner,
                account_number=number,
                facts=OutcomeFacts(
                    record_id="READ-1",
                    item_code="READ-1",
                    level="5",
                    credits=Decimal(2),
                    score=None,
                    assessed_on=date(2025, 1, 1),
                    setting=LearningSetting.FORMAL,
                ),
                today=date(2026, 11, 22),
            )
        learner_id = uow.session.scalar(
            select(LearnerRow.id).where(LearnerRow.account_number == number)
        )
    assert learner_id is not None
    return number, learner_id


def _set_consents(live_bank: LiveBank, learner_id: int, state: str) -> None:
    now = datetime.now(UTC)
    with live_bank.database.unit_of_work() as uow:
        for row in uow.session.scalars(select(ConsentRow).where(ConsentRow.withdrawn_at.is_(None))):
            row.withdrawn_at = now
    if state == "no consent":
        return
    with live_bank.database.unit_of_work() as uow:
        target = OTHER if state == "consent to other only" else OWN
        granted = consents.grant_consent(
            uow=uow,
            learner_id=learner_id,
            institution=target,
            until=None,
            today=clock.today(),
            now=now,
        )
        if state == "consent withdrawn":
            consents.withdraw_consent(
                uow=uow, learner_id=learner_id, consent_id=granted.id, now=now
            )
        if state == "consent expired":
            row = uow.session.get_one(ConsentRow, granted.id)
            row.expires_at = now - timedelta(seconds=1)


def test_reading_a_transcript_with_and_without_consent(
    staff: dict[Role, Staff], learner: tuple[str, int], live_bank: LiveBank, bank: str
) -> None:
    number, learner_id = learner
    for (state, asked), permitted in READING.items():
        _set_consents(live_bank, learner_id, state)
        params = {"institution": {"own": OWN, "other": OTHER}[asked]} if asked != "any" else {}
        for role, person in staff.items():
            with as_(person, bank) as client:
                response = client.get(f"/api/v1/accounts/{number}/outcomes", params=params)
            if role in permitted:
                assert response.status_code == 200, (state, asked, role, response.text)
                assert len(response.json()["outcomes"]) == permitted[role], (state, asked, role)
            else:
                assert response.status_code == 403, (state, asked, role, response.text)
