"""Verifiable credentials: issuing and verifying Open Badges 3.0 and CLR 2.0 credentials.

    python -m benchmarks.credentials [--credentials 300] [--clr 50] [--clr-rounds 3]
                                     [--service 50] [--ceiling-seconds 1.0]

CREDENTIALS Open Badges credentials are built in memory with ``documents.open_badge``, as the
service builds them: Chinese course and certificate names, scores (some absent) and credits
(some fractional), two alignments (the level awarded, LOFOUC or 1X, and its EQF correspondence),
a revocation and a suspension status entry, and a ledger receipt whose checkpoint is a real
signed note. The issuer is an institution's ``did:web`` with an Ed25519 key from
``cryptography``. Each operation below is timed call by call, after 5 untimed warm-up calls,
and shown as credentials/s (count over the summed times) with p50 / p99:

- **Data Integrity, issue:** ``proofs.sign`` (``eddsa-rdfc-2022``). Ceiling: Ed25519 signing
  (``Ed25519PrivateKey.sign``) of the same 64 bytes (``SHA-256(proof config) ||
  SHA-256(document)``, captured from the canonical forms made while signing; the raw signature
  must equal the proof's, Ed25519 being deterministic).
- **Data Integrity, verify:** the bare ``proofs.verify`` (the signature only), and
  ``verifier.verify`` (every check) with an in-memory resolver that knows the key and has no
  status lists and no log. Ceiling: ``Ed25519PublicKey.verify`` over the same data.
- **JWT (``vc+jwt``):** ``vcjwt.sign``, the bare ``vcjwt.verify`` and ``verifier.verify`` of the
  token. Ceiling: Ed25519 signing and verifying of the JWS signing input (``header.payload``
  bytes; the raw signature must equal the token's).

Each ceiling is timed over passes of its inputs until CEILING_SECONDS (1 s) have gone by: the
raw calls are microseconds each (``--ceiling-seconds``; the smoke run times a few milliseconds).

Where the time goes: ``proofs.canonicalise`` (pyld's URDNA2015), inside it pyld's JSON-LD
expansion and ``jsonld.normalize``, and some of the verifier's and the service's steps (the Open
Badges schema check; in the service, the crosswalk to the EQF, the status and ledger checks and
the building and signing of status lists) are wrapped with a stopwatch while the calls run (a
few microseconds a call). Their shares of the total are shown,
with the number of canonicalisations a call; the shares overlap where one step calls another
(signing a status list canonicalises).

- **CLR:** CLR (default 50) credentials of one learner are signed (``proofs.sign`` each), wrapped
  with ``documents.clr`` and the CLR signed by the bank's key; then ``verifier.verify`` checks the
  CLR and each credential inside. CLR_ROUNDS rounds; the ceiling is CLR + 1 raw signatures (or
  verifications) at the per-call cost measured above.
- **Service on SQLite** (skipped with ``--service 0``): a fresh migrated database (built-in
  frameworks), one college with ten courses at NVQC levels (the crosswalks give their EQF level)
  and one learner with SERVICE outcomes deposited through ``accounts.outcomes.deposit_outcome``
  (each sealed in the ledger). Timed, each call in its own unit of work: ``issuing.issue``
  (``ob3``: the first issue of each outcome, which stores its row and status slot; then ``jwt``),
  ``resolver.verify`` of each ``ob3`` credential (the bank's resolver: the key from the register,
  both status lists built, signed and verified, the ledger inclusion), ``issuing.issue_clr`` of
  those outcomes and ``resolver.verify`` of that CLR (each once). A warm-up outcome is issued
  first (it makes the college's key and the status list). Compared with the in-memory calls
  above (the CLR per signature, with its last round) and with the raw ceilings.

Prints tables in the form ``docs/performance.md`` uses, and the load average (1 minute,
sampled every 10 s).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld
from tests.bulk_files import open_learner

from benchmarks.conversion import LoadWatch
from benchmarks.databases import add_sqlite_template_argument, sqlite_database
from benchmarks.transcript import account_number, percentiles
from creditbank.accounts import outcomes as deposits
from creditbank.accounts.model import LearningSetting, OutcomeFacts
from creditbank.bootstrap import initialise
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import documents, issuing, multikey, proofs, resolver, vcjwt, verifier
from creditbank.db import Database
from creditbank.frameworks import api as frameworks_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger.keys import DEVELOPMENT_ORIGIN, load_log_keys
from creditbank.ledger.service import sign_checkpoint

SEED = 20261123
WARM_UP = 5
CEILING_SECONDS = 1.0
HOST = "creditbank.example.cn"
BASE = f"https://{HOST}"
INSTITUTION = "JSVC"
INSTITUTION_DID = multikey.did_web(HOST, "institutions", INSTITUTION)
BANK_DID = multikey.did_web(HOST)
METHOD = f"{INSTITUTION_DID}#key-1"
BANK_METHOD = f"{BANK_DID}#key-1"
ISSUED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CREATED = documents.timestamp(ISSUED_AT)
STATUS_ENTRIES = 131_072

COURSES = (
    "计算机辅助设计",
    "机械制图",
    "电工电子技术",
    "高等数学",
    "大学英语",
    "数据库应用技术",
    "网络安全基础",
    "财务会计实务",
    "市场营销",
    "护理学基础",
    "建筑工程测量",
    "Python 程序设计",
    "工业机器人编程与调试",
    "跨境电子商务",
    "中国近现代史纲要",
)
CERTIFICATES = (
    "Web 前端开发职业技能等级证书",
    "工业机器人操作与运维职业技能等级证书",
    "智能财税职业技能等级证书",
    "老年照护职业技能等级证书",
)
X_LEVELS = (("初级", "beginner", "3"), ("中级", "intermediate", "4"), ("高级", "advanced", "5"))

T = TypeVar("T")


# Building the credentials -----------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    institution: Ed25519PrivateKey
    bank: Ed25519PrivateKey

    @property
    def institution_public(self) -> bytes:
        return self.institution.public_key().public_bytes_raw()

    @property
    def bank_public(self) -> bytes:
        return self.bank.public_key().public_bytes_raw()


def checkpoint_note() -> str:
    """A checkpoint signed with the development log key, as the receipts carry one."""
    keys = load_log_keys(origin=DEVELOPMENT_ORIGIN, private_key=None)
    return sign_checkpoint(keys, 1_284_377, hashlib.sha256(b"root").digest())


def outcome_facts(
    serial: int, chooser: random.Random, *, account: str, checkpoint: str
) -> documents.OutcomeFacts:
    """The facts of one outcome: a course (LOFOUC) or, every fifth, an X certificate (1X)."""
    certificate = serial % 5 == 4
    if certificate:
        name = CERTIFICATES[serial % len(CERTIFICATES)]
        level_name, level_code, eqf = X_LEVELS[serial % 3]
        code, kind, framework = f"X-{serial % 40:03d}", "x_certificate", "1X"
        framework_name = "1+X 职业技能等级证书 (version 1)"
        earned: Decimal | None = None
        score = None if serial % 2 else Decimal(chooser.randint(60, 100))
    else:
        name = COURSES[serial % len(COURSES)]
        level = chooser.randint(3, 6)
        level_name, level_code, eqf = f"{level}级", str(level), str(level - 1)
        code, kind, framework = f"C{serial % 300:03d}", "course", "LOFOUC"
        framework_name = "LOFOUC (version 1)"
        earned = Decimal(chooser.choice(["1", "1.5", "2", "3", "4", "4.5"]))
        score = Decimal(chooser.randint(6000, 10000)) / 100
    institution_name = "江苏某职业技术学院"
    list_id = 1 + serial // 65_536
    index = chooser.randrange(STATUS_ENTRIES)
    public_id = uuid.UUID(int=chooser.getrandbits(128), version=4).hex
    return documents.OutcomeFacts(
        credential_id=f"urn:uuid:{uuid.UUID(int=chooser.getrandbits(128), version=4)}",
        issuer=documents.Issuer(
            id=INSTITUTION_DID, name=institution_name, url=f"{BASE}/institutions/{INSTITUTION}"
        ),
        achievement_id=f"{BASE}/catalog/{INSTITUTION}/{code}",
        item_code=code,
        item_kind=kind,
        name=name,
        description=f"{name} ({code}), {framework} {level_code}",
        credits_available=earned,
        credits_earned=earned,
        score=score,
        awarded_on=date(2018, 1, 1) + timedelta(days=chooser.randrange(3200)),
        alignments=[
            documents.LevelAlignment(
                url=f"{BASE}/frameworks/{framework}?version=1#level-{level_code}",
                framework=framework,
                framework_name=framework_name,
                code=level_code,
                name=level_name,
            ),
            documents.LevelAlignment(
                url=f"{BASE}/frameworks/EQF#level-{eqf}",
                framework="EQF",
                framework_name="European Qualifications Framework (EQF)",
                code=eqf,
                name=f"第{eqf}级",
                correspondence=True,
            ),
        ],
        identity_salt=chooser.randbytes(16).hex(),
        account_number=account,
        valid_from=ISSUED_AT - timedelta(seconds=serial),
        status=[
            documents.StatusEntry(
                f"{BASE}/api/v1/credentials/status/{list_id}/{purpose}", purpose, index
            )
            for purpose in ("revocation", "suspension")
        ],
        receipt=documents.Receipt(
            url=f"{BASE}/api/v1/records/{public_id}/receipt",
            leaf_index=1_000_000 + serial * 37,
            leaf_hash=base64.b64encode(hashlib.sha256(public_id.encode()).digest()).decode(),
            checkpoint=checkpoint,
        ),
    )


class MemoryResolver:
    """The two keys, registered; no status lists, no log."""

    def __init__(self, keys: Keys) -> None:
        self._keys = {
            METHOD: verifier.KeyRecord(
                public_key=keys.institution_public,
                controller=INSTITUTION_DID,
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                registered=True,
            ),
            BANK_METHOD: verifier.KeyRecord(
                public_key=keys.bank_public,
                controller=BANK_DID,
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                registered=True,
            ),
        }

    def key(self, verification_method: str) -> verifier.KeyRecord | None:
        return self._keys.get(verification_method)

    def status_list(self, url: str) -> dict[str, Any] | None:  # noqa: ARG002
        return None

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:  # noqa: ARG002
        return None


# Timing -----------------------------------------------------------------------------------------


@dataclass
class Stopwatch:
    """Time spent inside one module-level function while it is patched with a wrapper."""

    seconds: float = 0.0
    calls: int = 0
    results: list[Any] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    keep: bool = False
    """Keep each call's result and duration."""


@contextmanager
def watching(owner: object, name: str, *, keep: bool = False) -> Iterator[Stopwatch]:
    """Patch ``owner.name`` (a module's function or a class's method) with a timing wrapper.

    Callers that look it up at call time see it, as the verifier does ``proofs.canonicalise``
    and ``proofs`` its own ``canonicalise``."""
    original: Callable[..., Any] = getattr(owner, name)
    watch = Stopwatch(keep=keep)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            watch.seconds += elapsed
            watch.calls += 1
        if watch.keep:
            watch.results.append(result)
            watch.durations.append(elapsed)
        return result

    setattr(owner, name, wrapper)
    try:
        yield watch
    finally:
        setattr(owner, name, original)


# The verifier's Open Badges schema check (a private step, watched only to show its share).
SCHEMA: tuple[tuple[str, object, str], ...] = (("schema", verifier, "schema"),)
# Inside a canonicalisation: pyld's JSON-LD expansion (the safe-mode expansion, and the one
# ``normalize`` does again of the expanded document) and ``normalize`` (to RDF, then URDNA2015).
PYLD: tuple[tuple[str, object, str], ...] = (
    ("JSON-LD expansion", jsonld.JsonLdProcessor, "expand"),
    ("normalize", jsonld, "normalize"),
)


@dataclass
class Series:
    """Per-call times of one operation, and where they went."""

    name: str
    times: list[float] = field(default_factory=list)
    canonical_seconds: float = 0.0
    canonical_calls: int = 0
    parts: dict[str, float] = field(default_factory=dict)
    """Seconds inside other watched functions, by label."""
    canonical_results: list[str] = field(default_factory=list)
    canonical_durations: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.times)

    @property
    def per_call(self) -> float:
        return self.total / len(self.times)

    @property
    def rate(self) -> float:
        return len(self.times) / self.total

    def cell(self) -> str:
        p50, p99 = percentiles(self.times)
        return f"**{self.rate:,.1f}/s** ({p50:.2f} / {p99:.2f} ms)"

    def shares(self) -> str:
        parts = []
        if self.canonical_calls:
            calls = self.canonical_calls / len(self.times)
            parts.append(
                f"canonicalisation {self.canonical_seconds / self.total:.0%} ({calls:g} a call)"
            )
        parts.extend(
            f"{label} {seconds / self.total:.0%}"
            for label, seconds in self.parts.items()
            if seconds
        )
        return ", ".join(parts) or "-"


def run_series(
    name: str,
    items: Sequence[T],
    call: Callable[[T], object],
    *,
    warm: bool = True,
    keep: bool = False,
    watches: Sequence[tuple[str, object, str]] = SCHEMA,
) -> Series:
    """``call`` on each item, timed one by one (after warm-up calls on the first items), with
    the time in ``proofs.canonicalise`` and in each of ``watches`` (label, module, function)."""
    if warm:
        for item in items[:WARM_UP]:
            call(item)
    series = Series(name)
    with ExitStack() as stack:
        canonical = stack.enter_context(watching(proofs, "canonicalise", keep=keep))
        others = {
            label: stack.enter_context(watching(owner, function))
            for label, owner, function in watches
        }
        for item in items:
            started = time.perf_counter()
            call(item)
            series.times.append(time.perf_counter() - started)
    series.canonical_seconds, series.canonical_calls = canonical.seconds, canonical.calls
    series.parts = {label: watch.seconds for label, watch in others.items()}
    series.canonical_results = canonical.results
    series.canonical_durations = canonical.durations
    return series


def ceiling(items: Sequence[T], call: Callable[[T], object], seconds: float) -> float:
    """Seconds per raw call: passes over ``items`` until ``seconds`` have gone by."""
    calls = 0
    started = time.perf_counter()
    while True:
        for item in items:
            call(item)
        calls += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return elapsed / calls


def raw_cell(seconds: float) -> str:
    return f"{1 / seconds:,.0f}/s ({seconds * 1e6:.0f} µs)"


def row(series: Series, raw_seconds: float | None) -> str:
    ratio = "-" if raw_seconds is None else f"{series.per_call / raw_seconds:,.0f}x"
    raw = "-" if raw_seconds is None else raw_cell(raw_seconds)
    return f"| {series.name} | {series.cell()} | {raw} | {ratio} | {series.shares()} |"


# In memory --------------------------------------------------------------------------------------


@dataclass
class InMemory:
    lines: list[str]
    sign: Series
    verify: Series
    raw_sign: float
    raw_verify: float


def json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signed_data(canonical: Sequence[str]) -> bytes:
    """What ``eddsa-rdfc-2022`` signs, from the two canonical forms ``proofs.sign`` made."""
    config, document = canonical
    return hashlib.sha256(config.encode()).digest() + hashlib.sha256(document.encode()).digest()


def data_integrity(
    unsigned: list[dict[str, Any]], keys: Keys, resolver: MemoryResolver, ceiling_seconds: float
) -> InMemory:
    signed: list[dict[str, Any]] = []
    issue = run_series(
        "Issue, Data Integrity (`proofs.sign`)",
        unsigned,
        lambda document: signed.append(
            proofs.sign(
                document, private_key=keys.institution, verification_method=METHOD, created=CREATED
            )
        ),
        keep=True,
        watches=PYLD,
    )
    signed = signed[WARM_UP:]
    # The bytes signed, from the canonical forms (proof config, document) made while signing.
    forms = issue.canonical_results
    data = [signed_data(forms[at : at + 2]) for at in range(0, len(forms), 2)]
    durations = issue.canonical_durations
    print(
        "  canonicalisation in proofs.sign, p50: proof config"
        f" {statistics.median(durations[0::2]) * 1000:.2f} ms,"
        f" document {statistics.median(durations[1::2]) * 1000:.2f} ms",
        file=sys.stderr,
    )
    signatures = [proofs.signature_of(document["proof"][0]) for document in signed]
    for message, signature in zip(data, signatures, strict=True):
        assert keys.institution.sign(message) == signature
    raw_sign = ceiling(data, keys.institution.sign, ceiling_seconds)

    public = keys.institution.public_key()
    bare = run_series(
        "Verify, Data Integrity, signature only (`proofs.verify`)",
        signed,
        lambda document: _true(
            proofs.verify(document, document["proof"][0], keys.institution_public)
        ),
        watches=PYLD,
    )
    full = run_series(
        "Verify, Data Integrity, all checks (`verifier.verify`)",
        signed,
        lambda document: _verified(verifier.verify(document, resolver=resolver, now=NOW)),
        watches=(*SCHEMA, PYLD[0]),
    )
    pairs = list(zip(signatures, data, strict=True))
    raw_verify = ceiling(pairs, lambda pair: public.verify(*pair), ceiling_seconds)
    return InMemory(
        [row(issue, raw_sign), row(bare, raw_verify), row(full, raw_verify)],
        issue,
        full,
        raw_sign,
        raw_verify,
    )


def _true(value: bool) -> None:
    assert value


def _verified(verdict: verifier.Verdict) -> None:
    assert verdict.verified, [(c.check, c.code, str(c.message)) for c in verdict.failed()]


def jwt(
    unsigned: list[dict[str, Any]], keys: Keys, resolver: MemoryResolver, ceiling_seconds: float
) -> InMemory:
    tokens: list[str] = []
    issue = run_series(
        "Issue, JWT (`vcjwt.sign`)",
        unsigned,
        lambda d: tokens.append(vcjwt.sign(d, private_key=keys.institution, kid=METHOD)),
    )
    tokens = tokens[WARM_UP:]
    inputs = [token.rsplit(".", 1)[0].encode("ascii") for token in tokens]
    signatures = [base64.urlsafe_b64decode(token.rsplit(".", 1)[1] + "==") for token in tokens]
    for message, signature in zip(inputs, signatures, strict=True):
        assert keys.institution.sign(message) == signature
    raw_sign = ceiling(inputs, keys.institution.sign, ceiling_seconds)
    bare = run_series(
        "Verify, JWT, signature only (`vcjwt.verify`)",
        tokens,
        lambda t: _true(vcjwt.verify(t, keys.institution_public)),
    )
    full = run_series(
        "Verify, JWT, all checks (`verifier.verify`)",
        tokens,
        lambda t: _verified(verifier.verify(t, resolver=resolver, now=NOW)),
    )
    public = keys.institution.public_key()
    pairs = list(zip(signatures, inputs, strict=True))
    raw_verify = ceiling(pairs, lambda pair: public.verify(*pair), ceiling_seconds)
    sizes = sorted(len(token) for token in tokens)
    print(f"  JWT length: median {sizes[len(sizes) // 2]:,} characters", file=sys.stderr)
    return InMemory(
        [row(issue, raw_sign), row(bare, raw_verify), row(full, raw_verify)],
        issue,
        full,
        raw_sign,
        raw_verify,
    )


def clr(
    inner: list[dict[str, Any]],
    keys: Keys,
    resolver: MemoryResolver,
    rounds: int,
    raw: tuple[float, float],
) -> tuple[list[str], tuple[float, float]]:
    """Sign ``inner``, wrap and sign the CLR, verify it all: one table row per round, and the
    last round's signing and verifying seconds per signature (CLR + 1 of them)."""
    lines = []
    sign_seconds = verify_seconds = 0.0
    raw_sign, raw_verify = raw
    count = len(inner)
    for number in range(1, rounds + 1):
        with watching(proofs, "canonicalise") as canonical:
            started = time.perf_counter()
            signed = [
                proofs.sign(
                    document,
                    private_key=keys.institution,
                    verification_method=METHOD,
                    created=CREATED,
                )
                for document in inner
            ]
            inner_seconds = time.perf_counter() - started
            started_clr = time.perf_counter()
            record = documents.clr(
                credential_id=f"urn:uuid:{uuid.UUID(int=number, version=4)}",
                issuer=documents.Issuer(id=BANK_DID, name="学分银行 Credit Bank", url=BASE),
                name="学习成果档案 Comprehensive Learner Record",
                account_number=account_number(1),
                identity_salt="5f" * 16,
                credentials=signed,
                valid_from=ISSUED_AT,
                partial=False,
            )
            signed_clr = proofs.sign(
                record, private_key=keys.bank, verification_method=BANK_METHOD, created=CREATED
            )
            clr_seconds = time.perf_counter() - started_clr
            sign_canonical = canonical.seconds
        sign_seconds = inner_seconds + clr_seconds
        with watching(proofs, "canonicalise") as canonical:
            started = time.perf_counter()
            verdict = verifier.verify(signed_clr, resolver=resolver, now=NOW)
            verify_seconds = time.perf_counter() - started
            verify_canonical, verify_calls = canonical.seconds, canonical.calls
        _verified(verdict)
        assert len(verdict.parts) == count
        assert all(part.verified for part in verdict.parts)
        if number == 1:
            nquads = proofs.canonicalise(proofs.unsecured(signed_clr))
            print(
                f"  CLR of {count}: {len(json_bytes(signed_clr)):,} bytes of JSON, "
                f"{len(nquads.encode()):,} bytes of N-Quads, {nquads.count(chr(10)):,} quads",
                file=sys.stderr,
            )
        lines.append(
            f"| {number} | {inner_seconds:.2f} s + {clr_seconds:.2f} s = **{sign_seconds:.2f} s**"
            f" | {(count + 1) * raw_sign * 1000:.1f} ms"
            f" | {sign_seconds / ((count + 1) * raw_sign):,.0f}x"
            f" | {sign_canonical / sign_seconds:.0%}"
            f" | **{verify_seconds:.2f} s** ({verify_calls} canonicalisations)"
            f" | {(count + 1) * raw_verify * 1000:.1f} ms"
            f" | {verify_seconds / ((count + 1) * raw_verify):,.0f}x"
            f" | {verify_canonical / verify_seconds:.0%} |"
        )
    return lines, (sign_seconds / (count + 1), verify_seconds / (count + 1))


# Through the service, on SQLite -----------------------------------------------------------------

# The verifier's status and ledger checks (private steps); within the status check, the bank's
# resolver builds and signs each status list (which the verifier then verifies).
STATUS = (
    *SCHEMA,
    ("status check", verifier, "status"),
    ("of which lists built and signed", resolver, "status_list_credential"),
    ("ledger check", verifier, "ledger"),
)
# The EQF correspondence of each outcome's level, through the crosswalk graph.
CROSSWALK = (("crosswalk", frameworks_api, "translate_level"),)
ON = date(2026, 11, 23)
# Ten courses of the college at NVQC levels (the crosswalks place NVQC on the EQF).
SERVICE_COURSES = (
    ("DG-101", "电工基础", "5", Decimal(3)),
    ("DG-201", "电机与电气控制", "4", Decimal(4)),
    ("JX-110", "机械制图", "5", Decimal(2)),
    ("JX-230", "数控加工技术", "4", Decimal("3.5")),
    ("JX-310", "工业机器人编程与调试", "3", Decimal(4)),
    ("JS-120", "Python 程序设计", "4", Decimal(3)),
    ("JS-220", "数据库应用技术", "4", Decimal(3)),
    ("JS-330", "网络安全基础", "3", Decimal(2)),
    ("CK-140", "财务会计实务", "4", Decimal("2.5")),
    ("HL-150", "护理学基础", "2", Decimal(4)),
)


def service_world(database: Database, count: int) -> tuple[str, list[str]]:
    """The college, its courses and one learner with ``count`` deposited outcomes (ids)."""
    chooser = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow,
            code=INSTITUTION,
            name="江苏某职业技术学院",
            type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
        )
        for code, name, level, carried in SERVICE_COURSES:
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=INSTITUTION,
                    code=code,
                    kind=ItemKind.COURSE,
                    name=name,
                    framework="NVQC",
                    levels=(level,),
                    credits=carried,
                ),
                on=ON,
            )
        account = open_learner(uow)
    ids = []
    with database.unit_of_work() as uow:
        for serial in range(count):
            code, _, level, carried = SERVICE_COURSES[serial % len(SERVICE_COURSES)]
            deposited = deposits.deposit_outcome(
                uow=uow,
                institution=INSTITUTION,
                account_number=account,
                facts=OutcomeFacts(
                    record_id=f"BENCH-{serial:04d}",
                    item_code=code,
                    level=level,
                    credits=carried,
                    score=Decimal(chooser.randint(6000, 10000)) / 100,
                    assessed_on=date(2019, 7, 1) + timedelta(days=chooser.randrange(2000)),
                    setting=LearningSetting.FORMAL,
                ),
                today=ON,
            )
            ids.append(deposited.outcome.public_id)
    return account, ids


def _service_verified(verdict: verifier.Verdict) -> None:
    """Verified, with the status lists and the ledger receipt checked (not skipped)."""
    _verified(verdict)
    for check in (verifier.Check.STATUS, verifier.Check.LEDGER):
        found = verdict.result_of(check)
        assert found is not None
        assert found.result is verifier.Result.PASSED, (check, found.code)


def through_service(
    count: int,
    url: str,
    memory: InMemory,
    memory_jwt: InMemory,
    memory_clr: tuple[float, float],
) -> list[str]:
    """Issue and verify through the service on a fresh SQLite database (``url``): table rows.

    ``memory_clr``: the in-memory CLR's signing and verifying seconds per signature.
    """
    database = Database(url)
    started = time.perf_counter()
    initialise(database)
    account, ids = service_world(database, count + 1)
    print(
        f"  service setup (migrate, {count + 1} deposits): {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    warm_up, timed_ids = ids[0], ids[1:]
    with database.unit_of_work() as uow:  # makes the college's key and the status list
        issuing.issue(uow=uow, outcome_id=warm_up, fmt="ob3", now=datetime.now(UTC))

    def issue(outcome_id: str, fmt: str) -> issuing.Issued:
        with database.unit_of_work() as uow:
            return issuing.issue(uow=uow, outcome_id=outcome_id, fmt=fmt, now=datetime.now(UTC))

    issued: list[dict[str, Any]] = []
    ob3 = run_series(
        "`issuing.issue`, `ob3` (first issue)",
        timed_ids,
        lambda oid: issued.append(issue(oid, "ob3").document or {}),
        warm=False,
        watches=CROSSWALK,
    )
    tokens = run_series(
        "`issuing.issue`, `jwt`",
        timed_ids,
        lambda oid: issue(oid, "jwt"),
        warm=False,
        watches=CROSSWALK,
    )

    def verify(data: dict[str, Any]) -> None:
        with database.unit_of_work() as uow:
            _service_verified(resolver.verify(uow=uow, data=data, now=datetime.now(UTC)))

    checked = run_series(
        "`resolver.verify`, `ob3` (key, both status lists, ledger)",
        issued,
        verify,
        warm=False,
        watches=STATUS,
    )
    records: list[dict[str, Any]] = []

    def issue_clr(outcome_ids: list[str]) -> None:
        with database.unit_of_work() as uow:
            records.append(
                issuing.issue_clr(
                    uow=uow, account_number=account, outcome_ids=outcome_ids, now=datetime.now(UTC)
                )
            )

    clr_issue = run_series(
        f"`issuing.issue_clr`, {count} credentials",
        [timed_ids],
        issue_clr,
        warm=False,
        watches=CROSSWALK,
    )
    verdicts: list[verifier.Verdict] = []

    def verify_clr(record: dict[str, Any]) -> None:
        with database.unit_of_work() as uow:
            verdicts.append(resolver.verify(uow=uow, data=record, now=datetime.now(UTC)))

    clr_verify = run_series(
        f"`resolver.verify` of that CLR ({count} inside)",
        records,
        verify_clr,
        warm=False,
        watches=STATUS,
    )
    [verdict] = verdicts
    _verified(verdict)  # the CLR itself has no status entry and no receipt
    assert len(verdict.parts) == count
    for part in verdict.parts:
        _service_verified(part)
    database.dispose()

    def line(series: Series, reference: float, raw: float, times: int = 1) -> str:
        """``reference`` and ``raw``: seconds per signature in memory and raw, ``times`` of them."""
        p50, p99 = percentiles(series.times) if len(series.times) > 1 else (0.0, 0.0)
        ours = (
            f"{series.total:.2f} s"
            if len(series.times) == 1
            else f"**{series.rate:,.1f}/s** ({p50:.1f} / {p99:.1f} ms)"
        )
        return (
            f"| {series.name} | {ours} | {series.per_call / (reference * times):.2f}x"
            f" | {series.per_call / (raw * times):,.0f}x | {series.shares()} |"
        )

    return [
        line(ob3, memory.sign.per_call, memory.raw_sign),
        line(tokens, memory_jwt.sign.per_call, memory_jwt.raw_sign),
        line(checked, memory.verify.per_call, memory.raw_verify),
        line(clr_issue, memory_clr[0], memory.raw_sign, count + 1),
        line(clr_verify, memory_clr[1], memory.raw_verify, count + 1),
    ]


# Running ----------------------------------------------------------------------------------------


def table_header(columns: Sequence[str]) -> None:
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=300)
    parser.add_argument("--clr", type=int, default=50, help="credentials in the CLR")
    parser.add_argument("--clr-rounds", type=int, default=3)
    parser.add_argument("--service", type=int, default=50, help="outcomes; 0 skips the service")
    parser.add_argument(
        "--ceiling-seconds",
        type=float,
        default=CEILING_SECONDS,
        help="how long each raw Ed25519 ceiling is timed (tests/smoke: a few milliseconds)",
    )
    add_sqlite_template_argument(parser)
    arguments = parser.parse_args()
    watch = LoadWatch()
    watch.start()
    begun = time.perf_counter()
    chooser = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    keys = Keys(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    resolver = MemoryResolver(keys)
    checkpoint = checkpoint_note()
    count = arguments.credentials + WARM_UP
    unsigned = [
        documents.open_badge(
            outcome_facts(
                serial, chooser, account=account_number(serial + 1), checkpoint=checkpoint
            )
        )
        for serial in range(count)
    ]
    sizes = sorted(len(json_bytes(document)) for document in unsigned)
    canonical = proofs.canonicalise(unsigned[0])
    print(
        f"{arguments.credentials} credentials; the first: {len(canonical.encode()):,} bytes of"
        f" N-Quads, {canonical.count(chr(10))} quads; median {sizes[count // 2]:,} bytes of JSON",
        file=sys.stderr,
    )
    header: tuple[str, ...] = (
        "operation",
        "ours: rate (p50 / p99)",
        "raw Ed25519 (per call)",
        "ours / raw",
        "where the time goes",
    )
    table_header(header)
    memory = data_integrity(unsigned, keys, resolver, arguments.ceiling_seconds)
    for line in memory.lines:
        print(line, flush=True)
    memory_jwt = jwt(unsigned, keys, resolver, arguments.ceiling_seconds)
    for line in memory_jwt.lines:
        print(line, flush=True)

    print()
    inner = [
        documents.open_badge(
            outcome_facts(serial, chooser, account=account_number(1), checkpoint=checkpoint)
        )
        for serial in range(arguments.clr)
    ]
    header = (
        "round",
        f"sign {arguments.clr} + CLR",
        f"{arguments.clr + 1} raw signs",
        "ours / raw",
        "in canonicalisation",
        "verify all (`verifier.verify`)",
        f"{arguments.clr + 1} raw verifies",
        "ours / raw",
        "in canonicalisation",
    )
    table_header(header)
    clr_lines, clr_seconds = clr(
        inner, keys, resolver, arguments.clr_rounds, (memory.raw_sign, memory.raw_verify)
    )
    for line in clr_lines:
        print(line, flush=True)

    if arguments.service:
        print()
        header = (
            "call (own unit of work)",
            "ours: rate (p50 / p99), or time",
            "ours / in memory",
            "ours / raw Ed25519",
            "where the time goes",
        )
        table_header(header)
        with tempfile.TemporaryDirectory() as folder:
            for line in through_service(
                arguments.service,
                sqlite_database(Path(folder) / "credentials.db", arguments.sqlite_template),
                memory,
                memory_jwt,
                clr_seconds,
            ):
                print(line, flush=True)
    print(
        f"\nload average {watch.stop()}; {time.perf_counter() - begun:.0f} s in all",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
