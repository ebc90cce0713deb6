"""Conversion: a progress audit, and re-evaluating a bank after one rule change (issue 5).

    python -m benchmarks.conversion [--size 1000000] [--backend both|sqlite|postgresql]
                                    [--samples 300] [--per-learner 5] [--share 0.02]
                                    [--batch 500] [--sample 1000]

For each backend, on a fresh database with the built-in frameworks, a world is built through
the services (``institutions``, ``catalog``, ``conversion``, ``accounts``), as the tests'
``conversion_world`` does, only bigger:

- five institutions: the college BCOL, two training-evaluation organisations, a university and
  a secondary vocational school; 61 catalogue items of BCOL (60 courses and the diploma), 10 X
  certificates (1X framework, three levels) and 30 courses (LOFOUC) of the other four;
- the programme BENCH-DIP of BCOL: 60 components (2 to 4 credits, 180 in all, core / general /
  specialised, every third core one mandatory, each completed by one of BCOL's courses),
  category minimums, a minimum level (LOFOUC 5) and three caps: 8 credits per source item,
  30 per issuing institution, a third (0.333) of the programme in total;
- 200 rules for it, each drafted by BCOL's registrar, submitted and approved by a bank
  administrator (so each approval is in the ledger). Every rule's sources name items the
  learner below holds, five rules per item of the other institutions: 100 exempt one
  component (10 of them two), 60 grant 1 to 4 elective credits, 20 need two different
  sources, 20 name a level too (``1X:intermediate+`` or ``LOFOUC:4+``). A third need a score of
  75, a quarter an outcome at most 5 years old, a seventh a formal setting;
- one learner (an account opened through the service) with 50 outcomes deposited through the
  service: 10 of BCOL's own courses (which meet 10 components directly) and the 40 items the
  rules name, with scores of 60 to 99 (three X certificates without a score), assessed
  2018-2025, some in a non-formal setting. No conversion yet.

``--smoke`` (tests/smoke) allows ``--samples`` down to 2, builds 40 rules instead of 200
(one per external item, of the same mix) and warms up with 1 run instead of 10: the same code
paths, figures that mean nothing.

**1. Progress audit for that learner** (SAMPLES runs of each, timed one by one, after 10
untimed warm-up runs):

- **service**: ``conversion.api.progress`` in its own unit of work, end to end, as the
  ``GET /accounts/{number}/progress`` handler calls it;
- **its loading steps**, each timed alone in one unit of work per sample: the programme
  (``_programme_of``), the rules (``_engine_rules``), the outcomes (``held_outcomes``), the
  prior grants (``prior_grants``);
- **engine**: the pure ``engine.audit`` on the same data, loaded once beforehand;
- **ceiling (raw read)**: on a DBAPI connection, the SELECTs any audit must send at least: the
  programme with its components, the programme's approved rule rows with their approval events,
  the learner's standing outcomes with their items, levels and framework codes; then a commit.

**2. Re-evaluating the learners one rule change affects.** The bank is filled with SIZE more
learners (rows written straight into ``learners`` and ``outcomes``: no identity, keys or sealed
data, and no ledger entries for them), PER_LEARNER outcomes each, of the 50 items above, with
valid foreign keys. Every (1 / SHARE)-th learner holds an outcome of UNI1:U01, the source of
rule R001; a twentieth of those outcomes is revoked (an ``outcome_events`` row). On PostgreSQL
the database writes the outcomes itself (``INSERT ... SELECT`` over ``generate_series``, foreign
key triggers off for the load, ``session_replication_role = replica``); on SQLite a recursive
CTE does. Then ``ANALYZE``. Then R001 is changed the way the bank changes a rule: a new version
(minimum score 70 instead of 75) is drafted, submitted and approved (untimed). Timed:

- **find**: one query for the affected learners (their ids and account numbers): those holding
  a standing (not revoked, not superseded), not transferred outcome of the rule's source item;
- **audits, one unit of work per BATCH learners**: the programme and its rules loaded once per
  batch, then ``held_outcomes``, ``prior_grants`` and ``engine.audit`` per learner, one after the
  other (what a re-evaluation job built from the service's own steps would do); the time spent in
  ``engine.audit`` is shown apart, and the first results are checked against
  ``service.progress``;
- **audits, one unit of work per learner**: ``service.progress`` for SAMPLE of the affected
  learners (evenly spread; all with ``--sample 0``), timed one by one; the total shown is their
  mean times the number affected (an extrapolation unless all were run);
- **ceiling**: the raw find query, then the raw load of all those learners' standing outcomes
  (same SELECT as above, by learner ids, BATCH learners per query).

The find query is timed again after creating an index on ``outcomes (item_id)``, which the
schema does not have (the benchmark creates it only for that second timing).

The machine's load average is sampled every 10 s and shown per backend. Prints one table per
part. Learners/s is affected learners over the total wall time (find included).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, text
from tests.bulk_files import id_number

from benchmarks.databases import Databases, add_server_argument, databases_of
from benchmarks.ledger_proofs import LOAD_SETTINGS, Setup
from benchmarks.transcript import account_number, percentiles, timed
from creditbank.accounts import outcomes as deposits
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, OutcomeStatus, parse_id_number
from creditbank.accounts.outcomes import has_status
from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.bootstrap import initialise
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.conversion import api as conversion
from creditbank.conversion import engine, programme_store, rule_store
from creditbank.conversion import progress as learner_progress
from creditbank.conversion.model import (
    Caps,
    Component,
    Conditions,
    LevelBar,
    RuleDraft,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.db import Database, UnitOfWork, insert_rows
from creditbank.institutions import api as institution_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role

SEED = 20261122
ON = date(2026, 11, 22)
PROGRAMME = "BENCH-DIP"
COLLEGE = "BCOL"
REGISTRAR = "registrar@bcol.example"
ADMINS = ("admin1@bank.example", "admin2@bank.example")
COMPONENTS = 60
DIRECT = 10  # BCOL courses the learner holds: components met directly
RULES = 200
SMOKE_RULES = 40  # --smoke: one rule per item of EXTERNAL (below)
CHANGED_RULE = "R001"
CHANGED_ITEM = "UNI1:U01"
WARM_UP = 10
SMOKE_WARM_UP = 1  # --smoke: one untimed run of each before the samples
FIRST_ASSESSED = date(2018, 1, 1).toordinal()
FILL_CHUNK = 200_000
ISSUERS = {
    COLLEGE: InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
    "TEO1": InstitutionType.TRAINING_EVALUATION_ORGANISATION,
    "TEO2": InstitutionType.TRAINING_EVALUATION_ORGANISATION,
    "UNI1": InstitutionType.UNIVERSITY,
    "VOC1": InstitutionType.SECONDARY_VOCATIONAL_SCHOOL,
}
X_LEVELS = ("beginner", "intermediate", "advanced")
# The items the rules name: 15 university courses (UNI1:U01 first), 15 school courses, 10 X
# certificates.
EXTERNAL = (
    *(f"UNI1:U{n:02d}" for n in range(1, 16)),
    *(f"VOC1:V{n:02d}" for n in range(1, 16)),
    *(f"TEO1:X{n:02d}" for n in range(1, 6)),
    *(f"TEO2:X{n:02d}" for n in range(6, 11)),
)
HELD = (*(f"{COLLEGE}:C{n:02d}" for n in range(1, DIRECT + 1)), *EXTERNAL)


# Building the world through the services ----------------------------------------------------


def component_code(number: int) -> str:
    return f"M{number:02d}"


def component_credits(number: int) -> Decimal:
    return Decimal(2 + number % 3)


def add_items(uow: UnitOfWork) -> None:
    for number in range(1, COMPONENTS + 1):
        add_item(
            uow, f"{COLLEGE}:C{number:02d}", ItemKind.COURSE, carried=component_credits(number)
        )
    add_item(uow, f"{COLLEGE}:Q-DIP", ItemKind.QUALIFICATION, level="5")
    for ref in EXTERNAL:
        if ref.startswith("TEO"):
            add_item(uow, ref, ItemKind.X_CERTIFICATE)
        elif ref.startswith("UNI1"):
            add_item(uow, ref, ItemKind.COURSE, level="5", carried=Decimal(3))
        else:
            add_item(uow, ref, ItemKind.COURSE, carried=Decimal(2))


def add_item(
    uow: UnitOfWork, ref: str, kind: ItemKind, *, level: str = "4", carried: Decimal | None = None
) -> None:
    """An item of the owner ``ref`` names: X certificates at the three 1X levels, the rest at
    one LOFOUC ``level``."""
    owner, code = ref.split(":")
    x_certificate = kind is ItemKind.X_CERTIFICATE
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution=owner,
            code=code,
            kind=kind,
            name=code,
            framework="1X" if x_certificate else "LOFOUC",
            levels=X_LEVELS if x_certificate else (level,),
            credits=carried,
            provider=owner if x_certificate else "",
            approval_round=1 if x_certificate else None,
        ),
        on=ON,
    )


def add_programme(uow: UnitOfWork) -> None:
    components = []
    for number in range(1, COMPONENTS + 1):
        category = "core" if number <= 30 else "general" if number <= 45 else "specialised"
        components.append(
            Component(
                component_code(number),
                f"Module {number}",
                component_credits(number),
                category,
                mandatory=category == "core" and number % 3 == 0,
                item=f"C{number:02d}",
            )
        )
    conversion.create_programme(
        uow=uow,
        spec=conversion.ProgrammeSpec(
            code=PROGRAMME,
            institution=COLLEGE,
            item="Q-DIP",
            name="Benchmark diploma",
            total_credits=sum((c.credits for c in components), Decimal(0)),
            components=tuple(components),
            category_credits={
                "core": Decimal(80),
                "general": Decimal(30),
                "elective": Decimal(10),
            },
            min_level=("LOFOUC", "5"),
            caps=Caps(
                per_source_item=Decimal(8),
                per_issuer=Decimal(30),
                programme_share=Decimal("0.333"),
            ),
        ),
        by=REGISTRAR,
    )


def rule_draft(number: int, chooser: random.Random) -> RuleDraft:
    """Rule ``R{number+1:03d}``: five per external item, of the mix the module docstring says."""
    item = EXTERNAL[number % len(EXTERNAL)]
    pattern = number % 10
    sources: tuple[SourceSpec, ...] = (SourceSpec(item=item),)
    component = Target(TargetKind.COMPONENT, component=component_code(11 + number * 7 % 50))
    targets: tuple[Target, ...] = (component,)
    if pattern <= 4:  # exemption from one component (two for every 20th; some met already)
        if number % 25 == 3:
            targets = (Target(TargetKind.COMPONENT, component=component_code(1 + number % 10)),)
        elif number % 20 == 0:
            other = component_code(11 + (number * 7 + 25) % 50)
            targets = (component, Target(TargetKind.COMPONENT, component=other))
    elif pattern <= 7:  # elective credits
        targets = (
            Target(
                TargetKind.ELECTIVE,
                credits=Decimal(chooser.choice(["1", "1.5", "2", "3", "4"])),
                category=chooser.choice(["elective", "general", ""]),
            ),
        )
    elif pattern == 8:  # two different sources
        second = EXTERNAL[(number // 10 + 17) % len(EXTERNAL)]
        sources = (SourceSpec(item=item), SourceSpec(item=second))
    else:  # a level too
        bar = (
            LevelBar("1X", "intermediate", "", 0) if "X" in item else LevelBar("LOFOUC", "4", "", 0)
        )
        sources = (SourceSpec(item=item, level=bar, at_least=True),)
        if number % 20 == 19:
            targets = (Target(TargetKind.ELECTIVE, credits=Decimal(2), category="elective"),)
    conditions = Conditions(
        min_score=Decimal(75) if number % 3 == 0 else None,
        max_age_years=5 if number % 4 == 1 else None,
        settings=frozenset({LearningSetting.FORMAL.value}) if number % 7 == 2 else frozenset(),
    )
    return RuleDraft(
        code=f"R{number + 1:03d}",
        programme=PROGRAMME,
        name=f"Rule {number + 1}",
        sources=sources,
        targets=targets,
        conditions=conditions,
        valid_from=date(2024, 9, 1),
    )


def approve(uow: UnitOfWork, draft: RuleDraft, author: int, approver: int) -> int:
    rule = conversion.draft_rule(uow=uow, institution=COLLEGE, draft=draft, user_id=author)
    conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=author)
    conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=approver)
    return rule.id


def deposit_learner(uow: UnitOfWork, chooser: random.Random) -> str:
    """The learner of part 1, with an outcome of every held item: the account number."""
    number = accounts.open_account(
        uow=uow,
        cipher=PersonalDataCipher(os.urandom(32)),
        id_number=parse_id_number(id_number(1)),
        name="学员",
    ).number
    for serial, ref in enumerate(HELD):
        owner, code = ref.split(":")
        x_certificate = code.startswith("X")
        level = chooser.choice(X_LEVELS) if x_certificate else "5" if owner == "UNI1" else "4"
        score = None if x_certificate and serial % 4 == 0 else Decimal(chooser.randint(60, 99))
        setting = LearningSetting.NON_FORMAL if serial % 6 == 5 else LearningSetting.FORMAL
        deposits.deposit_outcome(
            uow=uow,
            institution=owner,
            account_number=number,
            facts=OutcomeFacts(
                record_id=f"P1-{serial}",
                item_code=code,
                level=level,
                credits=None,
                score=score,
                assessed_on=date.fromordinal(FIRST_ASSESSED + chooser.randrange(2850)),
                setting=setting,
            ),
            today=ON,
        )
    return number


@dataclass(frozen=True)
class World:
    account: str
    admins: tuple[int, int]
    registrar: int
    rules: int


def build(database: Database, rules: int = RULES) -> World:
    chooser = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    with database.unit_of_work() as uow:
        for code, kind in ISSUERS.items():
            institutions.add_institution(uow=uow, code=code, name=f"{code} 学院", type=kind)
        registrar = institutions.add_user(
            uow=uow, email=REGISTRAR, role=Role.REGISTRAR, institution=COLLEGE
        ).id
        admins = tuple(
            institutions.add_user(uow=uow, email=email, role=Role.BANK_ADMIN).id for email in ADMINS
        )
        add_items(uow)
        add_programme(uow)
        for number in range(rules):
            approve(uow, rule_draft(number, chooser), registrar, admins[0])
        account = deposit_learner(uow, chooser)
    return World(account, (admins[0], admins[1]), registrar, rules)


def change_rule(database: Database, world: World) -> None:
    """A new version of R001: a score of 70 is enough now (drafted, submitted, approved)."""
    with database.unit_of_work() as uow:
        [current] = [
            version
            for version in conversion.list_rules(uow=uow, programme=PROGRAMME)
            if version.draft.code == CHANGED_RULE
        ]
        draft = replace(
            current.draft, conditions=replace(current.draft.conditions, min_score=Decimal(70))
        )
        approve(uow, draft, world.registrar, world.admins[1])


# Part 1: one learner's audit ------------------------------------------------------------------


RAW_PROGRAMME = (
    "SELECT p.id, p.code, p.total_credits, p.category_credits, p.min_level_id,"
    " p.cap_per_source_item, p.cap_programme_credits, p.cap_programme_share, p.cap_per_year,"
    " p.cap_per_issuer, c.code, c.credits, c.category, c.mandatory, c.item_id"
    " FROM programmes p JOIN programme_components c ON c.programme_id = p.id"
    " WHERE p.code = {p} ORDER BY c.position"
)
RAW_RULES = (
    "SELECT r.id, r.code, r.version, r.spec, r.valid_from, r.valid_until, e.kind, e.effective_on"
    " FROM conversion_rules r JOIN conversion_rule_events e ON e.rule_id = r.id"
    " WHERE r.programme_id = (SELECT id FROM programmes WHERE code = {p})"
    " AND e.kind IN ('approved', 'retired') ORDER BY r.id"
)
_RAW_OUTCOMES = (
    "SELECT o.public_id, o.credits, o.score, o.assessed_on, o.setting, o.institution_id,"
    " o.conversion_grant_id, o.learner_id, c.code, c.kind, c.institution_id, l.code,"
    " l.track_code, l.rank, v.code"
    " FROM outcomes o JOIN catalog_items c ON c.id = o.item_id"
    " JOIN framework_levels l ON l.id = o.framework_level_id"
    " JOIN framework_versions v ON v.id = l.framework_version_id"
    " WHERE {where} AND NOT EXISTS (SELECT 1 FROM outcome_events e WHERE e.outcome_id = o.id"
    " AND e.kind IN ('revoked', 'superseded')) ORDER BY o.learner_id, o.id"
)
RAW_OUTCOMES = _RAW_OUTCOMES.replace(
    "{where}", "o.learner_id = (SELECT id FROM learners WHERE account_number = {p})"
)
RAW_OUTCOMES_OF = _RAW_OUTCOMES.replace("{where}", "o.learner_id IN ({ids})")
RAW_AFFECTED = (
    "SELECT DISTINCT o.learner_id FROM outcomes o WHERE o.item_id = {p}"
    " AND o.conversion_grant_id IS NULL AND NOT EXISTS (SELECT 1 FROM outcome_events e"
    " WHERE e.outcome_id = o.id AND e.kind IN ('revoked', 'superseded'))"
)


class Raw:
    """A DBAPI connection and the database's parameter marker."""

    def __init__(self, database: Database) -> None:
        self.connection = database.engine.raw_connection()
        self.cursor = self.connection.cursor()
        self.marker = "%s" if database.engine.dialect.name == "postgresql" else "?"

    def rows(self, query: str, *parameters: object) -> list[Any]:
        self.cursor.execute(query.replace("{p}", self.marker), parameters)
        return list(self.cursor.fetchall())

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def raw_audit_read(raw: Raw, account: str) -> int:
    found = len(raw.rows(RAW_PROGRAMME, PROGRAMME))
    found += len(raw.rows(RAW_RULES, PROGRAMME))
    found += len(raw.rows(RAW_OUTCOMES, account))
    raw.commit()
    return found


@dataclass(frozen=True)
class Loaded:
    programme: Any
    rules: list[Any]
    outcomes: list[Any]
    prior: list[Any]


def load(uow: UnitOfWork, learner_id: int) -> Loaded:
    row = programme_store.programme_row(uow, PROGRAMME)
    return Loaded(
        programme_store.programme_of(uow, row),
        rule_store.engine_rules(uow, row.id, ON),
        learner_progress.held_outcomes(uow, learner_id),
        learner_progress.prior_grants(uow, learner_id, row.id),
    )


def learner_id_of(database: Database, account: str) -> int:
    with database.unit_of_work() as uow:
        found = uow.session.scalar(
            select(LearnerRow.id).where(LearnerRow.account_number == account)
        )
    assert found is not None
    return found


def service_progress(database: Database, account: str) -> engine.Progress:
    with database.unit_of_work() as uow:
        return conversion.progress(
            uow=uow, account_number=account, programme=PROGRAMME, on=ON
        ).progress


def measure_audit(
    database: Database, world: World, samples: int, warm_up: int = WARM_UP
) -> dict[str, list[float]]:
    account = world.account
    learner_id = learner_id_of(database, account)
    with database.unit_of_work() as uow:
        loaded = load(uow, learner_id)
    assert len(loaded.rules) == world.rules, len(loaded.rules)
    assert len(loaded.outcomes) == len(HELD), len(loaded.outcomes)
    reference = service_progress(database, account)
    check_progress(reference, world.rules)

    def pure() -> engine.Progress:
        return engine.audit(loaded.programme, loaded.rules, loaded.outcomes, loaded.prior, ON)

    assert pure() == reference
    raw = Raw(database)
    expected_raw = COMPONENTS + world.rules + len(HELD)

    def step(name: str) -> Callable[[], object]:
        def run() -> object:
            with database.unit_of_work() as uow:
                row = programme_store.programme_row(uow, PROGRAMME)
                started = time.perf_counter()
                if name == "programme":
                    programme_store.programme_of(uow, row)
                elif name == "rules":
                    rule_store.engine_rules(uow, row.id, ON)
                elif name == "outcomes":
                    learner_progress.held_outcomes(uow, learner_id)
                else:
                    learner_progress.prior_grants(uow, learner_id, row.id)
                times[f"load: {name}"].append(time.perf_counter() - started)
            return None

        return run

    times: dict[str, list[float]] = {
        name: []
        for name in (
            "ceiling",
            "service",
            "engine",
            "load: programme",
            "load: rules",
            "load: outcomes",
            "load: prior grants",
        )
    }
    steps = {name: step(name) for name in ("programme", "rules", "outcomes", "prior grants")}
    for _ in range(warm_up):
        assert raw_audit_read(raw, account) == expected_raw
        service_progress(database, account)
        pure()
    for _ in range(samples):
        times["ceiling"].append(timed(lambda: raw_audit_read(raw, account)))
        times["service"].append(timed(lambda: service_progress(database, account)))
        times["engine"].append(timed(pure))
        for run in steps.values():
            run()
    raw.close()
    return times


def check_progress(progress: engine.Progress, rules: int) -> None:
    """The audit did real work: every rule checked, some applicable, a plan with grants."""
    assert len(progress.checks) == rules, len(progress.checks)
    assert sum(check.applicable for check in progress.checks) >= rules // 4
    assert len(progress.plan.grants) >= 5, progress.plan.grants
    assert len(progress.met) == DIRECT, progress.met


# Part 2: filling the bank ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    index: int
    item_id: int
    level_id: int
    institution_id: int


def item_rows(database: Database) -> list[ItemRow]:
    """The 50 held items; index 0 is the changed rule's source, UNI1:U01."""
    with database.unit_of_work() as uow:
        codes = {code: id_ for id_, code in institution_api.institution_codes(uow=uow).items()}
        found = []
        for index, ref in enumerate([CHANGED_ITEM, *(r for r in HELD if r != CHANGED_ITEM)]):
            owner, code = ref.split(":")
            item = catalog.find_item(uow=uow, institution=owner, code=code)
            assert item is not None
            level = item.levels[min(1, len(item.levels) - 1)]  # X certificates: intermediate
            found.append(ItemRow(index, item.id, level.level_id, codes[owner]))
    return found


@dataclass(frozen=True)
class Fill:
    size: int
    per_learner: int
    every: int
    """Every ``every``-th learner holds the changed item."""
    first_id: int


def outcome_select(fill: Fill, *, postgres: bool) -> str:
    """The SELECT giving bulk outcome ``g`` (of learner ``first_id + g / per_learner``): item
    index 0 for the first outcome of every ``every``-th learner, else one of 1..49 (distinct
    within a learner)."""
    k, learner = fill.per_learner, f"(g / {fill.per_learner})"
    index = (
        f"CASE WHEN g % {k} = 0 AND {learner} % {fill.every} = 0 THEN 0"
        f" ELSE 1 + ({learner} * 7 + (g % {k}) * 11) % 49 END"
    )
    public_id = "md5('bulk-' || g)" if postgres else "printf('b%031x', g)"
    assessed = (
        "date '2018-01-01' + (g * 37) % 2850"
        if postgres
        else "date('2018-01-01', '+' || ((g * 37) % 2850) || ' days')"
    )
    return (
        "INSERT INTO outcomes (public_id, learner_id, institution_id, record_id, item_id,"  # noqa: S608 - numbers and fixed SQL only
        " framework_level_id, credits, score, assessed_on, setting, deposited_at)"
        f" SELECT {public_id}, {fill.first_id} + {learner}, b.institution_id, 'B-' || g,"
        f" b.item_id, b.level_id, NULL, 60 + (g * 7) % 40, {assessed},"
        " CASE WHEN g % 5 = 4 THEN 'non-formal' ELSE 'formal' END, :now"
        f" FROM {{series}} JOIN bench_items b ON b.idx = {index}"
    )


def fill_bank(database: Database, fill: Fill, items: list[ItemRow], admin: int) -> Setup:
    setup = Setup()
    postgres = database.engine.dialect.name == "postgresql"
    now = datetime.now(UTC)
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        session = uow.session
        if postgres:  # no foreign-key triggers, for this transaction only
            session.execute(text("SET LOCAL session_replication_role = replica"))
        opened_by = items[0].institution_id
        for start in range(0, fill.size, FILL_CHUNK):
            rows = [
                (fill.first_id + serial, account_number(serial), now, opened_by, None)
                for serial in range(start, min(start + FILL_CHUNK, fill.size))
            ]
            insert_rows(
                session,
                LearnerRow,
                ["id", "account_number", "opened_at", "opened_by_institution_id", "erased_at"],
                rows,
            )
        if postgres:
            session.execute(
                text("SELECT setval('learners_id_seq', :last)"),
                {"last": fill.first_id + fill.size - 1},
            )
    setup.timed(f"learners ({fill.size:,})", started)
    started = time.perf_counter()
    total = fill.size * fill.per_learner
    with database.unit_of_work() as uow:
        session = uow.session
        temporary = "TEMPORARY TABLE" if postgres else "TEMP TABLE"
        session.execute(
            text(
                f"CREATE {temporary} bench_items (idx INTEGER PRIMARY KEY, item_id INTEGER,"
                " level_id INTEGER, institution_id INTEGER)"
            )
        )
        session.execute(
            text("INSERT INTO bench_items VALUES (:idx, :item, :level, :institution)"),
            [
                {
                    "idx": i.index,
                    "item": i.item_id,
                    "level": i.level_id,
                    "institution": i.institution_id,
                }
                for i in items
            ],
        )
        if postgres:
            session.execute(text("SET LOCAL session_replication_role = replica"))
            series = "generate_series(0, :n - 1) AS g"
            statement = outcome_select(fill, postgres=True).replace("{series}", series)
            session.execute(text(statement), {"now": now, "n": total})
        else:
            statement = (  # noqa: S608 - fixed SQL only
                "WITH RECURSIVE s(g) AS (SELECT :low UNION ALL SELECT g + 1 FROM s"
                " WHERE g < :high - 1) "
            ) + outcome_select(fill, postgres=False).replace("{series}", "s")
            at = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            for low in range(0, total, 1_000_000):  # one transaction, statements of 1M rows
                session.execute(
                    text(statement), {"now": at, "low": low, "high": min(low + 1_000_000, total)}
                )
        # A twentieth of the changed item's outcomes is revoked.
        session.execute(
            text(
                "INSERT INTO outcome_events (outcome_id, kind, reason, by_user_id, at)"
                " SELECT o.id, 'revoked', 'benchmark', :admin, :now FROM outcomes o"
                " WHERE o.item_id = :item AND o.record_id LIKE 'B-%'"
                " AND (o.learner_id - :first) % (:every * 20) = 0"
            ),
            {
                "admin": admin,
                "now": now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "item": items[0].item_id,
                "first": fill.first_id,
                "every": fill.every,
            },
        )
        session.execute(text("DROP TABLE bench_items"))
    setup.timed(f"outcomes ({total:,})", started)
    started = time.perf_counter()
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    setup.timed("ANALYZE", started)
    return setup


def check_fill(database: Database, fill: Fill, items: list[ItemRow]) -> int:
    """Fail unless the bank holds what the fill meant (and every foreign key resolves);
    return the number of affected learners expected."""
    holders = len(range(0, fill.size, fill.every))
    revoked = len(range(0, fill.size, fill.every * 20))
    with database.engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM learners WHERE id >= :first),"
                " (SELECT count(*) FROM outcomes WHERE record_id LIKE 'B-%'),"
                " (SELECT count(*) FROM outcomes o WHERE o.item_id = :item"
                "  AND o.record_id LIKE 'B-%'),"
                " (SELECT count(*) FROM outcomes o LEFT JOIN learners l ON l.id = o.learner_id"
                "  LEFT JOIN catalog_items c ON c.id = o.item_id"
                "  LEFT JOIN framework_levels f ON f.id = o.framework_level_id"
                "  LEFT JOIN institutions i ON i.id = o.institution_id"
                "  WHERE l.id IS NULL OR c.id IS NULL OR f.id IS NULL OR i.id IS NULL)"
            ),
            {"first": fill.first_id, "item": items[0].item_id},
        ).one()
    expected = (fill.size, fill.size * fill.per_learner, holders, 0)
    if tuple(counts) != expected:
        msg = f"the bank holds {tuple(counts)}, not {expected}"
        raise SystemExit(msg)
    return holders - revoked + 1  # and the learner of part 1


# Part 2: re-evaluating ------------------------------------------------------------------------


def find_affected(uow: UnitOfWork, item_id: int) -> list[tuple[int, str]]:
    """The learners with a standing, not transferred outcome of ``item_id``: ids, numbers."""
    rows = uow.session.execute(
        select(LearnerRow.id, LearnerRow.account_number)
        .where(
            LearnerRow.id.in_(
                select(OutcomeRow.learner_id).where(
                    OutcomeRow.item_id == item_id,
                    OutcomeRow.conversion_grant_id.is_(None),
                    or_(
                        has_status(OutcomeStatus.DEPOSITED),
                        has_status(OutcomeStatus.VERIFIED),
                    ),
                )
            )
        )
        .order_by(LearnerRow.id)
    )
    return [(row.id, row.account_number) for row in rows]


def changed_item_id(database: Database) -> int:
    owner, code = CHANGED_ITEM.split(":")
    with database.unit_of_work() as uow:
        item = catalog.find_item(uow=uow, institution=owner, code=code)
    assert item is not None
    return item.id


@dataclass
class Reevaluation:
    affected: int = 0
    find: float = 0.0
    batched: float = 0.0
    batched_engine: float = 0.0
    sampled: list[float] = field(default_factory=list)
    """Seconds of each sampled learner's audit in its own unit of work."""
    raw_find: float = 0.0
    raw_load: float = 0.0
    raw_rows: int = 0
    find_indexed: float = 0.0
    raw_find_indexed: float = 0.0

    @property
    def per_learner_estimate(self) -> float:
        """Find plus every affected learner's audit in its own unit of work, at the sample's
        mean."""
        return self.find + statistics.fmean(self.sampled) * self.affected


def reevaluate(database: Database, batch: int, sample: int, expected: int) -> Reevaluation:
    result = Reevaluation()
    item_id = changed_item_id(database)
    service_progress(database, account_number(0))  # warm: a bulk learner's audit

    started = time.perf_counter()
    with database.unit_of_work() as uow:
        affected = find_affected(uow, item_id)
    result.find = time.perf_counter() - started
    result.affected = len(affected)
    if result.affected != expected:
        msg = f"{result.affected} learners found, {expected} expected"
        raise SystemExit(msg)
    print(f"  find: {result.find:.2f} s, {result.affected:,} learners", file=sys.stderr)

    result.batched, result.batched_engine = audit_batched(database, affected, batch)
    print(
        f"  audits, batched: {result.batched:.1f} s ({result.batched_engine:.1f} s in the engine)",
        file=sys.stderr,
        flush=True,
    )
    step = max(1, len(affected) // sample) if sample else 1
    for _, number in affected[::step]:
        result.sampled.append(timed(partial(service_progress, database, number)))
    print(
        f"  audits, per learner: {len(result.sampled):,} sampled,"
        f" mean {statistics.fmean(result.sampled) * 1000:.1f} ms",
        file=sys.stderr,
        flush=True,
    )
    raw_ceiling(database, item_id, batch, result)
    return result


def audit_batched(
    database: Database, affected: Sequence[tuple[int, str]], batch: int
) -> tuple[float, float]:
    """Seconds to audit every affected learner, a unit of work per ``batch`` learners, and the
    seconds of that spent in ``engine.audit``."""
    started = time.perf_counter()
    in_engine = 0.0
    checked: list[tuple[str, engine.Progress]] = []
    for start in range(0, len(affected), batch):
        with database.unit_of_work() as uow:
            row = programme_store.programme_row(uow, PROGRAMME)
            programme = programme_store.programme_of(uow, row)
            rules = rule_store.engine_rules(uow, row.id, ON)
            for learner_id, number in affected[start : start + batch]:
                held = learner_progress.held_outcomes(uow, learner_id)
                prior = learner_progress.prior_grants(uow, learner_id, row.id)
                audited = time.perf_counter()
                progress = engine.audit(programme, rules, held, prior, ON)
                in_engine += time.perf_counter() - audited
                if len(checked) < 5:
                    checked.append((number, progress))
    seconds = time.perf_counter() - started
    for number, progress in checked:  # the batch gives what the service gives
        assert service_progress(database, number) == progress
    return seconds, in_engine


def raw_ceiling(database: Database, item_id: int, batch: int, result: Reevaluation) -> None:
    """The raw find and load; then both finds again with an index on ``outcomes (item_id)``."""
    raw = Raw(database)
    started = time.perf_counter()
    ids = [row[0] for row in raw.rows(RAW_AFFECTED, item_id)]
    result.raw_find = time.perf_counter() - started
    assert len(ids) == result.affected
    started = time.perf_counter()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        query = RAW_OUTCOMES_OF.replace("{ids}", ", ".join([raw.marker] * len(chunk)))
        result.raw_rows += len(raw.rows(query, *chunk))
    raw.commit()
    result.raw_load = time.perf_counter() - started

    with database.engine.connect() as connection:
        connection.execute(text("CREATE INDEX bench_outcomes_item_id ON outcomes (item_id)"))
        connection.execute(text("ANALYZE outcomes"))
        connection.commit()
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        assert len(find_affected(uow, item_id)) == result.affected
    result.find_indexed = time.perf_counter() - started
    started = time.perf_counter()
    assert len(raw.rows(RAW_AFFECTED, item_id)) == result.affected
    result.raw_find_indexed = time.perf_counter() - started
    raw.commit()
    raw.close()


class LoadWatch(threading.Thread):
    """The machine's 1-minute load average, sampled every 10 s while a backend runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples = [os.getloadavg()[0]]
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(10):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> str:
        self.done.set()
        self.join()
        self.samples.append(os.getloadavg()[0])
        return f"{min(self.samples):.1f}-{max(self.samples):.1f}"


# Running ----------------------------------------------------------------------------------------


def run(
    arguments: argparse.Namespace, backend: str, workdir: Path, databases: Databases
) -> list[str]:
    print(f"{backend}:", file=sys.stderr, flush=True)
    watch = LoadWatch()
    watch.start()
    setup = Setup()
    started = time.perf_counter()
    if backend == "sqlite":
        url = databases.sqlite(workdir / "conversion.db")
    else:
        url = databases.postgresql("conversion")
    database = Database(url)
    initialise(database)
    world = build(database, SMOKE_RULES if arguments.smoke else RULES)
    setup.timed("world (services)", started)
    times = measure_audit(
        database, world, arguments.samples, SMOKE_WARM_UP if arguments.smoke else WARM_UP
    )
    part1_load = f"{min(watch.samples):.1f}-{max(watch.samples):.1f}"
    print(audit_row(backend, times, part1_load), file=sys.stderr, flush=True)

    items = item_rows(database)
    fill = Fill(
        arguments.size,
        arguments.per_learner,
        round(1 / arguments.share),
        learner_id_of(database, world.account) + 1,
    )
    filled = fill_bank(database, fill, items, world.admins[0])
    expected = check_fill(database, fill, items)
    change_rule(database, world)
    result = reevaluate(database, arguments.batch, arguments.sample, expected)
    database.dispose()
    load = watch.stop()
    return [
        audit_row(backend, times, part1_load),
        reevaluation_row(backend, fill, result, filled, load),
    ]


def ms(samples: Sequence[float]) -> str:
    p50, p99 = percentiles(list(samples))
    return f"{p50:.2f} / {p99:.2f} ms"


def audit_row(backend: str, times: dict[str, list[float]], load: str) -> str:
    ceiling, service = percentiles(times["ceiling"]), percentiles(times["service"])
    loads = " + ".join(
        f"{percentiles(times[name])[0]:.2f}"
        for name in ("load: programme", "load: rules", "load: outcomes", "load: prior grants")
    )
    cells = [
        backend,
        str(len(times["service"])),
        ms(times["ceiling"]),
        ms(times["service"]),
        f"{service[0] / ceiling[0]:.0f}x / {service[1] / ceiling[1]:.0f}x",
        ms(times["engine"]),
        f"{loads} ms",
        load,
    ]
    return "| " + " | ".join(cells) + " |"


def reevaluation_row(
    backend: str, fill: Fill, result: Reevaluation, filled: Setup, load: str
) -> str:
    ceiling = result.raw_find + result.raw_load
    batched = result.find + result.batched
    estimate = result.per_learner_estimate
    cells = [
        backend,
        f"{fill.size:,} x {fill.per_learner}",
        f"{result.affected:,}",
        f"{result.find:.2f} s ({result.find_indexed:.3f} s)",
        (
            f"**{batched:.1f} s, {result.affected / batched:,.0f} learners/s**"
            f" ({result.batched_engine:.0f} s in the engine)"
        ),
        (
            f"{statistics.fmean(result.sampled) * 1000:.1f} ms x {result.affected:,} ="
            f" {estimate:.0f} s, {result.affected / estimate:,.0f} learners/s"
            f" ({len(result.sampled):,} sampled)"
        ),
        (
            f"{ceiling:.2f} s (find {result.raw_find:.2f} s ({result.raw_find_indexed:.3f} s),"
            f" {result.raw_rows:,} rows)"
        ),
        f"{batched / ceiling:.0f}x",
        f"{filled.total:.0f} s",
        load,
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="learners in the bank")
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--samples", type=int, default=300, help="audits timed in part 1")
    parser.add_argument("--per-learner", type=int, default=5, help="outcomes per bulk learner")
    parser.add_argument("--share", type=float, default=0.02, help="share holding the item")
    parser.add_argument("--batch", type=int, default=500, help="learners per unit of work")
    parser.add_argument(
        "--sample",
        type=int,
        default=1000,
        help="affected learners audited in a unit of work each (0: all)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"a smoke run: allows --samples down to 2 and builds {SMOKE_RULES} rules instead"
        f" of {RULES} (the figures then mean nothing)",
    )
    add_server_argument(parser)
    arguments = parser.parse_args()
    fewest = 2 if arguments.smoke else 100
    if arguments.samples < fewest or not 0 < arguments.share <= 1 or arguments.per_learner < 1:
        parser.error(f"needs --samples >= {fewest}, 0 < --share <= 1, --per-learner >= 1")
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments, LOAD_SETTINGS)
        rows = [run(arguments, backend, Path(folder), databases) for backend in backends]
    header1 = (
        "database",
        "samples",
        "ceiling (raw read) p50 / p99",
        "service p50 / p99",
        "service / ceiling (p50 / p99)",
        "engine alone p50 / p99",
        "loading p50: programme + rules + outcomes + prior grants",
        "load average",
    )
    header2 = (
        "database",
        "learners x outcomes",
        "affected",
        "find (with an item index)",
        "find + audits, a unit of work per batch",
        "a unit of work per learner: mean x affected",
        "ceiling: raw find + raw load",
        "batched / ceiling",
        "fill",
        "load average",
    )
    for index, header in enumerate((header1, header2)):
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for found in rows:
            print(found[index])
        print()


if __name__ == "__main__":
    main()
