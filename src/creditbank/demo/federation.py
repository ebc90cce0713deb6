"""A federation of three credit banks on loopback, for `creditbank demo federation` and the tests.

A national bank, a Shanghai-like and a Guangdong-like one, each with its own database, its own
log (origin ``<bank>.creditbank.example/log``, a signing key of its own), its own witness key,
data key and secret key, and its public URL on 127.0.0.1. Each bank trusts the other two as
peers (proposed by one bank administrator and approved by another, as the trust list's four eyes
want), and so asks their witnesses to cosign its checkpoints: nothing configures them
(``log_witnesses`` stays empty), the trust list names them. Guangdong's
terms for Shanghai's outcomes map the Open University's level 4 to Guangdong's framework.

The learner to move has outcomes of two courses of the Shanghai Open University (SHOU) at
Shanghai and a login at Guangdong under the same identity number. Everything is made through
the banks' own services and handlers, in each bank's database; the banks talk to each other
(witnesses, DID documents, status lists, one-time links, the national batches) over HTTP only
once served (:class:`Serving`).

The pieces, in order: :func:`generate_keys` (or :func:`read_keys`), :func:`bank_settings` for
each bank once its URL is known, :func:`set_up` on each bank's wired database, then
:class:`Serving` (uvicorn, one thread per bank), :func:`witness_round` and
:func:`send_to_national` (the regional banks' references to the national bank).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from creditbank.access.policy import Principal
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import (
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.bootstrap import initialise, peer_settings_of, wire
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import api as credentials
from creditbank.db import Database, UnitOfWork
from creditbank.demo import network_stats
from creditbank.institutions import api as institution_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.ledger import notes
from creditbank.ledger.witnessing import WitnessOutcome, ask_witnesses
from creditbank.national import sending
from creditbank.national.api import NationalError
from creditbank.national.commands import SendReferences
from creditbank.peers import trust
from creditbank.peers.commands import AddPeer, ApprovePeer, ListPeers
from creditbank.peers.views import list_peers
from creditbank.sessions import service as sessions
from creditbank.settings import Environment, Settings
from creditbank.transfers import terms
from creditbank.transfers.commands import SetRecognitionTerms

if TYPE_CHECKING:
    import uvicorn

PASSWORD = "demo-password-2026"  # noqa: S105 - the demo bank's published password (demo.toml)
"""Every login of the federation (staff and the learner) uses the demo bank's password."""
HOST = "127.0.0.1"
DOMAIN = "creditbank.example"
COSIGNATURES = 2
"""A peer's checkpoint needs both other banks' witnesses (this bank's own and the third's)."""
AGREED_FROM = date(2026, 1, 1)
LEARNER_NAME = "林晓雨"  # invented
LEARNER_ID_FIRST_17 = "31010419950307242"  # invented: Shanghai, born 1995-03-07
COURSES = (  # (code, name, name_en, credits): SHOU's courses the learner passed
    ("SH-101", "计算机应用基础", "Computer Applications", Decimal(3)),
    ("SH-102", "大学英语（一）", "College English I", Decimal(2)),
    ("SH-103", "高等数学", "Advanced Mathematics", Decimal(4)),
)


@dataclass(frozen=True, slots=True)
class BankSpec:
    """One bank of the federation: its name, and its own institution (staff belong to it)."""

    key: str
    name: str
    name_en: str
    institution: str
    institution_name: str
    institution_name_en: str
    region: str
    frameworks: tuple[str, ...]
    """The frameworks other banks recognise this bank's institution's outcomes in."""

    @property
    def host_name(self) -> str:
        return f"{self.key}.{DOMAIN}"

    @property
    def origin(self) -> str:
        """The log's origin, naming its checkpoints."""
        return f"{self.host_name}/log"

    def email(self, who: str) -> str:
        return f"{who}@{self.host_name}"


NATIONAL = BankSpec(
    "national",
    "国家学分银行（演示）",
    "National Credit Bank (demo)",
    "NCB",
    "国家学分银行认证中心（演示）",
    "National Credit Bank Accreditation Centre (demo)",
    "北京",
    ("NVQC",),
)
SHANGHAI = BankSpec(
    "shanghai",
    "上海学分银行（演示）",
    "Shanghai Credit Bank (demo)",
    "SHOU",
    "上海开放大学（演示）",
    "Shanghai Open University (demo)",
    "上海",
    ("LOFOUC",),
)
GUANGDONG = BankSpec(
    "guangdong",
    "广东学分银行（演示）",
    "Guangdong Credit Bank (demo)",
    "GDOU",
    "广东开放大学（演示）",
    "Guangdong Open University (demo)",
    "广东",
    ("LOFOUC", "GDLEQF"),
)
BANKS = (NATIONAL, SHANGHAI, GUANGDONG)
STAFF = (  # (who, role, of the bank's institution)
    ("admin", Role.BANK_ADMIN, False),
    ("admin2", Role.BANK_ADMIN, False),
    ("officer", Role.ACCREDITATION_OFFICER, True),
    ("registrar", Role.REGISTRAR, True),
)
MAPPING = (("LOFOUC:4", "GDLEQF:4"),)
"""Guangdong's terms for Shanghai: the Open University's level 4 stands at GDLEQF level 4."""


@dataclass(frozen=True, slots=True)
class BankKeys:
    """A bank's secrets: log signing key, witness key, data key (personal data), secret key."""

    log_key: str
    witness_key: str
    data_key: str
    secret_key: str

    @classmethod
    def generate(cls, spec: BankSpec) -> BankKeys:
        log_key, _ = notes.generate_key(spec.origin)
        witness_key, _ = notes.generate_key(f"{spec.host_name}/witness")
        return cls(
            log_key=log_key,
            witness_key=witness_key,
            data_key=base64.b64encode(secrets.token_bytes(32)).decode(),
            secret_key=secrets.token_urlsafe(48),
        )


def generate_keys() -> dict[str, BankKeys]:
    """New keys for each bank of the federation."""
    return {spec.key: BankKeys.generate(spec) for spec in BANKS}


def read_keys(path: Path) -> dict[str, BankKeys] | None:
    """The keys saved at ``path`` (None: none saved yet)."""
    if not path.exists():
        return None
    saved = json.loads(path.read_text("utf-8"))
    return {spec.key: BankKeys(**saved[spec.key]) for spec in BANKS}


def save_keys(path: Path, keys: Mapping[str, BankKeys]) -> None:
    """Keep the keys (readable by the owner only) so that the banks' logs stay theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({name: asdict(one) for name, one in keys.items()}, file, indent=2)


def log_verifier_key(keys: BankKeys) -> str:
    return notes.Signer.from_private_key(keys.log_key).verifier_key()


def bank_settings(
    spec: BankSpec,
    keys: Mapping[str, BankKeys],
    *,
    database_url: str,
    urls: Mapping[str, str],
    environment: Environment = Environment.DEVELOPMENT,
    publish_seconds: int = 5,
) -> Settings:
    """The settings of ``spec``'s bank: its keys, its URL, the national bank's URL (no
    witnesses: those of its approved peers are asked)."""
    own = keys[spec.key]
    return Settings(
        environment=environment,
        database_url=database_url,
        secret_key=own.secret_key,
        data_key=own.data_key,
        public_url=urls[spec.key],
        log_origin=spec.origin,
        log_key=own.log_key,
        witness_key=own.witness_key,
        log_publish_seconds=publish_seconds,
        peer_cosignatures_required=COSIGNATURES,
        national_suppress_below=1,
        national_url=None if spec is NATIONAL else urls[NATIONAL.key],
    )


@dataclass
class Bank:
    """One bank of the federation: its spec, settings, wired database and staff."""

    spec: BankSpec
    settings: Settings
    database: Database
    staff: dict[str, Principal] = field(default_factory=dict)
    learner: str = ""
    """The account number of the learner to move, here."""
    outcomes: list[str] = field(default_factory=list)
    """The learner's outcomes here (at Shanghai: those to move)."""

    @property
    def url(self) -> str:
        return self.settings.public_url

    @property
    def origin(self) -> str:
        return self.settings.log_origin

    @property
    def cipher(self) -> PersonalDataCipher:
        return PersonalDataCipher.from_base64(self.settings.data_key.get_secret_value())

    @property
    def log_key(self) -> str:
        """The log's verifier key."""
        secret = self.settings.log_key
        if secret is None:  # pragma: no cover - a federation's bank always has its key
            raise ValueError(self.spec.key)
        return notes.Signer.from_private_key(secret.get_secret_value()).verifier_key()

    @property
    def witness_key(self) -> str:
        """The witness's cosignature verifier key."""
        return peer_settings_of(self.settings).witness.verifier().verifier_key()

    @property
    def did(self) -> str:
        return "did:web:" + quote(urlsplit(self.url).netloc, safe="")


@dataclass(frozen=True, slots=True)
class SetUp:
    """What :func:`set_up` did at one bank."""

    bank: str
    demo_loaded: bool
    peers_added: tuple[str, ...]


def banks_of(
    databases: Mapping[str, Database],
    urls: Mapping[str, str],
    keys: Mapping[str, BankKeys],
    *,
    environment: Environment = Environment.DEVELOPMENT,
    publish_seconds: int = 5,
) -> dict[str, Bank]:
    """The three banks on ``databases`` (by bank key), each wired with its settings."""
    found = {}
    for spec in BANKS:
        database = databases[spec.key]
        settings = bank_settings(
            spec,
            keys,
            database_url=database.url,
            urls=urls,
            environment=environment,
            publish_seconds=publish_seconds,
        )
        found[spec.key] = Bank(spec, settings, wire(database, settings))
    return found


def prepare(
    banks: Mapping[str, Bank], *, initialise_databases: bool = True, demo: bool = False, today: date
) -> list[SetUp]:
    """:func:`set_up` each bank (Shanghai with the demo bank's data if ``demo``), then the
    regional banks' statistics combined at the national bank."""
    done = [
        set_up(
            bank,
            banks,
            initialise_database=initialise_databases,
            demo=demo and bank.spec == SHANGHAI,
            today=today,
        )
        for bank in banks.values()
    ]
    network_stats.combine_regional_banks(banks, national=NATIONAL.key)
    return done


def learner_id_number() -> str:
    """The identity number of the learner to move (invented, checksum-valid)."""
    return LEARNER_ID_FIRST_17 + resident_check_character(LEARNER_ID_FIRST_17)


def set_up(
    bank: Bank,
    banks: Mapping[str, Bank],
    *,
    initialise_database: bool = True,
    demo: bool = False,
    today: date,
) -> SetUp:
    """Make ``bank`` ready (idempotent): the database migrated with the built-in frameworks
    (and, with ``demo``, the demo bank's data), its institution and staff, the other banks as
    approved peers, Guangdong's terms for Shanghai, and the learner (with their outcomes at
    Shanghai). ``bank.database`` is wired with ``bank.settings``."""
    loaded = False
    if initialise_database:
        report = initialise(bank.database, demo_cipher=bank.cipher if demo else None)
        loaded = report.demo is not None and report.demo.loaded
    with bank.database.unit_of_work() as uow:
        _staff(uow, bank)
    added = tuple(
        other.origin for other in banks.values() if other.spec != bank.spec and _trust(bank, other)
    )
    if bank.spec == GUANGDONG:
        with bank.database.unit_of_work() as uow:
            terms.set_recognition_terms(
                SetRecognitionTerms(
                    banks[SHANGHAI.key].origin,
                    GUANGDONG.institution,
                    automatic=False,
                    mapping=MAPPING,
                ),
                principal=bank.staff["admin"],
                uow=uow,
                now=datetime.now(UTC),
            )
    if bank.spec in {SHANGHAI, GUANGDONG}:
        _learner(bank, today)
    return SetUp(bank.spec.key, loaded, added)


def _staff(uow: UnitOfWork, bank: Bank) -> None:
    spec = bank.spec
    if spec.institution not in institution_api.institution_codes(uow=uow).values():
        institutions.add_institution(
            uow=uow,
            code=spec.institution,
            name=spec.institution_name,
            name_en=spec.institution_name_en,
            type=InstitutionType.OPEN_UNIVERSITY
            if spec != NATIONAL
            else InstitutionType.ACCREDITATION_CENTRE,
            region=spec.region,
        )
    for who, role, of_institution in STAFF:
        email = spec.email(who)
        institution = spec.institution if of_institution else None
        found = institution_api.principal_or_none(uow=uow, email=email)
        if found is None:
            user = institutions.add_user(
                uow=uow, email=email, role=role, institution=institution, password=PASSWORD
            )
            found = Principal(user.id, user.email, role, institution)
        bank.staff[who] = found


def _trust(bank: Bank, peer: Bank) -> bool:
    """``bank`` proposes and approves ``peer`` (two administrators); False if it has it."""
    with bank.database.unit_of_work() as uow:
        known = list_peers(ListPeers(), principal=bank.staff["admin"], uow=uow)
        if any(one.peer.origin == peer.origin for one in known):
            return False
        trust.add_peer(
            AddPeer(
                origin=peer.origin,
                log_key=peer.log_key,
                did=peer.did,
                url=peer.url,
                witness_url=f"{peer.url}/witness",
                witness_key=peer.witness_key,
                frameworks=peer.spec.frameworks,
                item_kinds=(ItemKind.COURSE.value,),
                institutions=(peer.spec.institution,),
                valid_from=AGREED_FROM,
            ),
            principal=bank.staff["admin"],
            uow=uow,
        )
    with bank.database.unit_of_work() as uow:
        trust.approve_peer(ApprovePeer(peer.origin), principal=bank.staff["admin2"], uow=uow)
    return True


def _learner(bank: Bank, today: date) -> None:
    """The learner's account here (with their password), and at Shanghai their outcomes."""
    with bank.database.unit_of_work() as uow:
        bank.learner = accounts.open_account(
            uow=uow,
            cipher=bank.cipher,
            id_number=parse_id_number(learner_id_number()),
            name=LEARNER_NAME,
            opened_by=bank.spec.institution,
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=bank.learner, password=PASSWORD, now=datetime.now(UTC)
        )
        if bank.spec != SHANGHAI or catalog.find_item(
            uow=uow, institution=SHANGHAI.institution, code=COURSES[0][0]
        ):
            return
        for code, name, name_en, carried in COURSES:
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=SHANGHAI.institution,
                    code=code,
                    kind=ItemKind.COURSE,
                    name=name,
                    name_en=name_en,
                    framework="LOFOUC",
                    levels=("4",),
                    credits=carried,
                ),
                on=AGREED_FROM,
            )
        bank.outcomes = [
            outcomes.deposit_outcome(
                uow=uow,
                institution=SHANGHAI.institution,
                account_number=bank.learner,
                facts=OutcomeFacts(
                    record_id=f"SHOU-2025-{n:04d}",
                    item_code=code,
                    level="4",
                    credits=carried,
                    score=Decimal(80 + 3 * n),
                    assessed_on=date(2025, 1 + 5 * (n % 2), 20),
                    setting=LearningSetting.FORMAL,
                ),
                today=today,
            ).outcome.public_id
            for n, (code, _name, _name_en, carried) in enumerate(COURSES, start=1)
        ]
    with bank.database.unit_of_work() as uow:  # the credentials (and the issuers' keys) made
        for outcome_id in bank.outcomes:
            credentials.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=datetime.now(UTC))


def witness_round(banks: Sequence[Bank]) -> dict[str, list[WitnessOutcome]]:
    """Each bank asks its approved peers' witnesses, the other two banks' (over HTTP), to cosign
    its newest checkpoint."""
    return {bank.spec.key: ask_witnesses(bank.database) for bank in banks}


MAX_BATCHES = 10
"""At most this many batches a regional bank sends the national bank in one go."""


def send_to_national(banks: Mapping[str, Bank]) -> dict[str, list[sending.SentBatch]]:
    """Shanghai and Guangdong each send the national bank (over HTTP) the references to the
    outcomes deposited since their last batch, batch after batch until none is left."""
    national = banks[NATIONAL.key]
    sent: dict[str, list[sending.SentBatch]] = {}
    for bank in banks.values():
        if bank.spec == NATIONAL:
            continue
        batches = sent[bank.spec.key] = []
        for _batch in range(MAX_BATCHES):
            try:
                with bank.database.unit_of_work() as uow:
                    batches.append(
                        sending.send_references(
                            SendReferences(national.url), principal=bank.staff["admin"], uow=uow
                        )
                    )
            except NationalError as error:
                if error.code == "nothing_to_send":
                    break
                raise
    return sent


# --- serving --------------------------------------------------------------------------------


def bind(port: int) -> socket.socket:
    """A listening socket on loopback (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    return f"http://{HOST}:{sock.getsockname()[1]}"


STARTUP_SECONDS = 30.0


@dataclass
class Serving:
    """The banks' apps served by uvicorn, one thread each, on their bound sockets."""

    servers: list[uvicorn.Server] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)

    def start(self, bank: Bank, sock: socket.socket) -> None:
        import uvicorn  # noqa: PLC0415 - only when serving

        from creditbank.bootstrap import build_app  # noqa: PLC0415

        config = uvicorn.Config(
            build_app(bank.settings, bank.database),
            log_level="warning",
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self.sockets.append(sock)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=bank.spec.key, daemon=True
        )
        thread.start()
        self.servers.append(server)
        self.threads.append(thread)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                message = f"the {bank.spec.key} bank did not start"
                raise RuntimeError(message)
            time.sleep(0.01)

    def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True
        for thread in self.threads:
            thread.join(STARTUP_SECONDS)
        for sock in self.sockets:
            sock.close()


@contextmanager
def serving(banks: Sequence[tuple[Bank, socket.socket]]) -> Iterator[Serving]:
    """Serve each bank on its socket for the block's duration (the sockets closed after)."""
    served = Serving()
    try:
        for bank, sock in banks:
            served.start(bank, sock)
        yield served
    finally:
        served.stop()
