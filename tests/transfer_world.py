"""Two peer banks in one test process, for moving a learner's record between them.

Bank A (a Shanghai-like bank, institution SHOU) and bank B (a Guangdong-like bank, institution
GDOU), each with its own database (a copy of the initialised template), settings (its own log
origin and log key, its public URL), app and in-process server (httpx2 reaches each by its
made-up host, so B reads A's DID documents and status lists over HTTP as it would on the
network). Each trusts the other (proposed by one bank administrator, approved by another);
A's witness list names B's witness, which cosigns A's checkpoints, so B accepts them.

The learner (one identity number) holds an account at each bank; A holds their outcomes of
SHOU's courses. Another learner at B has another identity number. Built once per module and
backend; each test runs with both databases pinned (rolled back at its end).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.bootstrap import build_app, peer_settings_of, wire
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import api as credentials
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.ledger import notes
from creditbank.ledger.witnessing import ask_witnesses
from creditbank.peers import trust
from creditbank.peers.commands import AddPeer, ApprovePeer
from creditbank.settings import Settings
from creditbank.transfers import packages
from creditbank.transfers.commands import MakeTransferPackage
from tests.bulk_files import id_number
from tests.conftest import _new_database, test_settings
from tests.support.inprocess import InProcessServer, new_host

ON = date(2026, 11, 22)
AGREED_FROM = date(2026, 1, 1)
LEARNER_SERIAL = 77
OTHER_SERIAL = 78
PASSWORD = "correct horse battery staple"


@dataclass
class Bank:
    """One bank of the world: its database, settings, server and users."""

    name: str
    database: Database
    settings: Settings
    host: str
    admins: tuple[Principal, Principal]
    staff: dict[str, Principal] = field(default_factory=dict)
    learner: str = ""
    """The account number of the world's learner here."""

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def origin(self) -> str:
        return self.settings.log_origin

    @property
    def cipher(self) -> PersonalDataCipher:
        return PersonalDataCipher.from_base64(self.settings.data_key.get_secret_value())

    @property
    def log_key(self) -> str:
        secret = self.settings.log_key
        assert secret is not None
        return notes.Signer.from_private_key(secret.get_secret_value()).verifier_key()

    @property
    def witness_key(self) -> str:
        return peer_settings_of(self.settings).witness.verifier().verifier_key()


@dataclass
class World:
    """Banks A and B, the learner's outcomes at A, and the other learner at B."""

    a: Bank
    b: Bank
    outcomes: list[str]
    other_learner: str

    def learner_at(self, bank: Bank) -> LearnerPrincipal:
        with bank.database.unit_of_work() as uow:
            found = accounts.find_account(
                uow=uow, cipher=bank.cipher, id_number=parse_id_number(id_number(LEARNER_SERIAL))
            )
            assert found is not None
            ref = accounts_api.find_learner(uow=uow, account_number=found)
            assert ref is not None
            return LearnerPrincipal(ref.id, ref.account_number)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Both banks' databases rolled back at the end of the block."""
        with self.a.database.pinned(), self.b.database.pinned():  # type: ignore[attr-defined]
            yield

    def package(
        self, outcome_ids: tuple[str, ...] = (), *, link: bool = False
    ) -> packages.MadePackage:
        """The learner's package at A for B (the world's outcomes unless some are named)."""
        learner = self.learner_at(self.a)
        outcome_ids = outcome_ids or tuple(self.outcomes)
        with self.a.database.unit_of_work() as uow:
            return packages.make_transfer_package(
                MakeTransferPackage(learner.account_number, self.b.origin, outcome_ids, link=link),
                principal=learner,
                uow=uow,
                now=datetime.now(UTC),
                cipher=self.a.cipher,
            )


def http_post(url: str, body: bytes) -> tuple[int, bytes]:
    """The witness protocol's POST through httpx2 (which reaches the in-process banks)."""
    answer = httpx2.post(url, content=body, timeout=30)
    return answer.status_code, answer.content


def _settings(database: Database, host: str, witness: Bank | None) -> Settings:
    """A test bank's settings with a log of its own (origin, key) and its public URL; its log
    asks ``witness`` to cosign its checkpoints."""
    origin = f"{host}/log"
    private, _verifier = notes.generate_key(origin)
    base = test_settings(database.url)
    return Settings(
        environment=base.environment,
        database_url=database.url,
        secret_key=base.secret_key.get_secret_value(),
        data_key=base.data_key.get_secret_value(),
        log_origin=origin,
        log_key=private,
        public_url=f"http://{host}",
        log_witnesses=[] if witness is None else [f"{witness.url}/witness {witness.witness_key}"],
        log_publish_seconds=base.log_publish_seconds,
    )


def _bank(
    request: pytest.FixtureRequest, backend: str, tmp: Path, name: str, witness: Bank | None
) -> Bank:
    database = _new_database(request, backend, tmp, initialised=True)
    host = new_host()
    settings = _settings(database, host, witness)
    wire(database, settings)
    with database.unit_of_work() as uow:
        admins = []
        for n in (1, 2):
            user = institutions.add_user(
                uow=uow, email=f"admin{n}@{name}.example", role=Role.BANK_ADMIN, password=PASSWORD
            )
            admins.append(Principal(user.id, user.email, Role.BANK_ADMIN, None))
    return Bank(name, database, settings, host, (admins[0], admins[1]))


def _trust(bank: Bank, peer: Bank, institution: str) -> None:
    """``bank`` proposes and approves ``peer`` (two administrators: four eyes)."""
    with bank.database.unit_of_work() as uow:
        trust.add_peer(
            AddPeer(
                origin=peer.origin,
                log_key=peer.log_key,
                did=f"did:web:{peer.host}",
                url=peer.url,
                witness_url=f"{peer.url}/witness",
                witness_key=peer.witness_key,
                frameworks=("LOFOUC",),
                item_kinds=("course",),
                institutions=(institution,),
                valid_from=AGREED_FROM,
            ),
            principal=bank.admins[0],
            uow=uow,
        )
    with bank.database.unit_of_work() as uow:
        trust.approve_peer(ApprovePeer(peer.origin), principal=bank.admins[1], uow=uow)


def _staff(bank: Bank, institution: str, name: str, roles: dict[str, Role]) -> None:
    with bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code=institution, name=name, type=InstitutionType.OPEN_UNIVERSITY
        )
        for email, role in roles.items():
            user = institutions.add_user(
                uow=uow, email=email, role=role, institution=institution, password=PASSWORD
            )
            bank.staff[email] = Principal(user.id, user.email, role, institution)


def _learner(bank: Bank, serial: int) -> str:
    with bank.database.unit_of_work() as uow:
        return accounts.open_account(
            uow=uow,
            cipher=bank.cipher,
            id_number=parse_id_number(id_number(serial)),
            name="学员甲" if serial == LEARNER_SERIAL else "学员乙",
        ).number


def _outcomes(bank: Bank, account: str, count: int) -> list[str]:
    with bank.database.unit_of_work() as uow:
        for code, carried in (("SH-101", 3), ("SH-102", 2)):
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution="SHOU",
                    code=code,
                    kind=ItemKind.COURSE,
                    name=f"课程 {code}",
                    name_en=f"Course {code}",
                    framework="LOFOUC",
                    levels=("4",),
                    credits=Decimal(carried),
                ),
                on=date(2025, 1, 1),
            )
        made = [
            outcomes.deposit_outcome(
                uow=uow,
                institution="SHOU",
                account_number=account,
                facts=OutcomeFacts(
                    record_id=f"SH-{n:04d}",
                    item_code="SH-101" if n % 2 == 0 else "SH-102",
                    level="4",
                    credits=Decimal(3) if n % 2 == 0 else Decimal(2),
                    score=Decimal(85),
                    assessed_on=date(2025, 6, 30),
                    # SH-102 is a short course taken outside a programme: non-formal learning
                    setting=LearningSetting.FORMAL if n % 2 == 0 else LearningSetting.NON_FORMAL,
                ),
                today=ON,
            ).outcome.public_id
            for n in range(count)
        ]
    with bank.database.unit_of_work() as uow:  # each credential (and the issuer's key) made
        for outcome_id in made:
            credentials.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=datetime.now(UTC))
    return made


@contextmanager
def two_banks(
    request: pytest.FixtureRequest, backend: str, tmp: Path, *, outcome_count: int = 3
) -> Iterator[World]:
    """The world, served; the servers stop and the databases are disposed at the end."""
    b = _bank(request, backend, tmp, "gdou", None)
    a = _bank(request, backend, tmp, "shou", b)
    _staff(a, "SHOU", "上海开放大学", {"registrar@shou.example": Role.REGISTRAR})
    _staff(
        b,
        "GDOU",
        "广东开放大学",
        {
            "registrar@gdou.example": Role.REGISTRAR,
            "officer@gdou.example": Role.ACCREDITATION_OFFICER,
        },
    )
    with ExitStack() as stack:
        for bank in (a, b):
            # served without witnesses (and, as every test bank, publishing once a day), so that
            # no publishing thread asks them behind the tests' back (a pinned database takes one
            # thread at a time); the world asks them
            quiet = bank.settings.model_copy(update={"log_witnesses": []})
            server = InProcessServer(build_app(quiet, bank.database), host=bank.host)
            stack.enter_context(server)
            wire(bank.database, bank.settings)
        _trust(b, a, "SHOU")
        _trust(a, b, "GDOU")
        a.learner = _learner(a, LEARNER_SERIAL)
        b.learner = _learner(b, LEARNER_SERIAL)
        other = _learner(b, OTHER_SERIAL)
        made = _outcomes(a, a.learner, outcome_count)
        outcomes_of_witness = ask_witnesses(a.database, post=http_post)
        assert outcomes_of_witness, "A has no witness"
        assert all(o.cosigned for o in outcomes_of_witness), outcomes_of_witness
        yield World(a, b, made, other)
    a.database.dispose()
    b.database.dispose()


def fresh_outcome(world: World, account: str | None = None) -> str:
    """A new outcome of the learner (of ``account``) at A, with its credential, and A's
    checkpoint cosigned again by B's witness (committed unless the banks are pinned)."""
    account = account or world.a.learner
    with world.a.database.unit_of_work() as uow:
        count = len(accounts_api.standing_outcome_ids(uow=uow, account_number=account))
        made = outcomes.deposit_outcome(
            uow=uow,
            institution="SHOU",
            account_number=account,
            facts=OutcomeFacts(
                record_id=f"SH-FRESH-{account}-{count}",
                item_code="SH-101",
                level="4",
                credits=Decimal(3),
                score=Decimal(90),
                assessed_on=date(2025, 7, 1),
                setting=LearningSetting.FORMAL,
            ),
            today=ON,
        ).outcome.public_id
    with world.a.database.unit_of_work() as uow:
        credentials.issue(uow=uow, outcome_id=made, fmt="ob3", now=datetime.now(UTC))
    asked = ask_witnesses(world.a.database, post=http_post)
    assert all(o.cosigned for o in asked), asked
    return made


def learner_only_at_a(world: World, serial: int) -> tuple[LearnerPrincipal, str]:
    """A learner with an account at A only (identity number ``serial``) and one outcome there,
    witnessed: the learner and the outcome's id."""
    number = _learner(world.a, serial)
    made = fresh_outcome(world, number)
    with world.a.database.unit_of_work() as uow:
        ref = accounts_api.find_learner(uow=uow, account_number=number)
        assert ref is not None
    return LearnerPrincipal(ref.id, ref.account_number), made
