"""The bank's figures against the facts, at random (issue 19's "done when"): Hypothesis draws a
sequence of deposits, accreditations, conversions and imports from another bank, runs it through
the use cases at bank B, and then every figure, broken down every way the dashboards offer, must
equal a count made here directly from the stored rows with SQL of this test's own (not the areas'
rebuild sources); and ``creditbank stats rebuild`` must give the same numbers.

One world per backend: banks A and B of tests/transfer_world.py (B trusts A, its learner has
an account at both), and at B the conversion world (SHVC's courses and diploma, BIMTEO's X
certificate, approved rules) and the accreditation world (CQARC's standard, assessors, officers).
Each example runs inside both banks' rolled-back transaction.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from creditbank import clock
from creditbank.access.policy import Principal
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.accreditation import assessment, decisions, filing
from creditbank.accreditation.model import Decision
from creditbank.conversion import api as conversion
from creditbank.db import Database
from creditbank.stats import api as stats
from creditbank.stats.commands import RebuildStats
from creditbank.stats.figures import rebuild_stats
from creditbank.transfers import importing, recognition
from creditbank.transfers.commands import DecideRecognition, ImportTransfer
from creditbank.transfers.model import Decision as RecognitionDecision
from tests import accreditation_world, conversion_world
from tests.bulk_files import id_number
from tests.conftest import BACKENDS
from tests.transfer_world import LEARNER_SERIAL, OTHER_SERIAL, World, fresh_outcome, two_banks

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASS = {"portfolio": Decimal(80), "interview": Decimal(70)}
FAIL = {"portfolio": Decimal(40), "interview": Decimal(30)}
OFFICER = "officer@gdou.example"
COURSES = (("BIM-101", "4"), ("BIM-102", "4"), ("DRAW-100", "4"))
SETTINGS = (LearningSetting.FORMAL, LearningSetting.NON_FORMAL, LearningSetting.INFORMAL)


@dataclass
class Env:
    """The world, and what the steps of the running example opened and made."""

    banks: World
    admin: Principal
    conversion_users: conversion_world.Users
    accreditation: accreditation_world.World
    serials: Iterator[int] = field(default_factory=lambda: iter(range(20_000, 90_000)))
    opened: list[int] = field(default_factory=list)
    holders: list[str] = field(default_factory=list)


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("property")) as banks:
        b = banks.b
        with b.database.unit_of_work() as uow:
            users = conversion_world.build(uow)
            conversion_world.approved(uow, users, conversion_world.x_certificate_rule(), "SHVC")
            made = accreditation_world.build(uow, b.cipher)
        yield Env(banks, b.admins[0], users, made)


def open_account(env: Env) -> str:
    serial = next(env.serials)
    env.opened.append(serial)
    with env.banks.b.database.unit_of_work() as uow:
        return accounts.open_account(
            uow=uow,
            cipher=env.banks.b.cipher,
            id_number=parse_id_number(id_number(serial)),
            name="学员",
        ).number


def deposit_course(env: Env, course: int, setting: int) -> None:
    account = open_account(env)
    code, level = COURSES[course]
    with env.banks.b.database.unit_of_work() as uow:
        outcomes.deposit_outcome(
            uow=uow,
            institution="SHVC",
            account_number=account,
            facts=OutcomeFacts(
                record_id=f"P-{account}",
                item_code=code,
                level=level,
                credits=None,
                score=Decimal(85),
                assessed_on=date(2025, 6, 30),
                setting=SETTINGS[setting],
            ),
            today=conversion_world.ON,
        )


def deposit_x_certificate(env: Env) -> None:
    account = open_account(env)
    with env.banks.b.database.unit_of_work() as uow:
        conversion_world.deposit(
            uow,
            account,
            institution="BIMTEO",
            item="BIM-X",
            level="intermediate",
            record=f"X-{account}",
        )
    env.holders.append(account)


def convert(env: Env, confirm: bool) -> None:
    """A holder of the X certificate asks SHVC's diploma to convert it (and confirms)."""
    if not env.holders:
        deposit_x_certificate(env)
    account = env.holders.pop()
    with env.banks.b.database.unit_of_work() as uow:
        made = conversion.request_conversion(
            uow=uow,
            account_number=account,
            programme=conversion_world.DIPLOMA,
            on=conversion_world.ON,
            requested_by=conversion_world.SHVC_REGISTRAR,
        )
    if confirm:
        with env.banks.b.database.unit_of_work() as uow:
            conversion.confirm_conversion(
                uow=uow, public_id=made.public_id, by=conversion_world.SHVC_REGISTRAR
            )


def accredit(env: Env, outcome: int) -> None:
    """An application to CQARC: left filed (0), accredited (1), refused (2), refused and appealed
    (3)."""
    serial = next(env.serials)
    env.opened.append(serial)
    b = env.banks.b
    users = env.accreditation.users
    with b.database.unit_of_work() as uow:
        number = accreditation_world.learner(uow, b.cipher, serial, consent=True)
        application = filing.apply(
            uow=uow,
            account_number=number,
            centre=accreditation_world.CENTRE,
            standard=accreditation_world.STANDARD,
            unit=accreditation_world.UNIT,
            setting="informal",
            statement="在地铁站做了三年站务员。",
            evidence_files=[(accreditation_world.upload(uow, serial), "工作证明")],
            by=accreditation_world.REGISTRAR,
            applied_by_institution=accreditation_world.COLLEGE,
        ).public_id
    if outcome == 0:
        return
    decision = Decision.ACCREDITED if outcome == 1 else Decision.NOT_ACCREDITED
    assessor = accreditation_world.ASSESSOR_A
    today = clock.today()
    with b.database.unit_of_work() as uow:
        assessment.assign(
            uow=uow,
            public_id=application,
            assessor_email=assessor,
            by=accreditation_world.OFFICER_1,
            by_user_id=users[accreditation_world.OFFICER_1],
            on=today,
        )
        assessment.record_marks(
            uow=uow,
            public_id=application,
            marks=PASS if outcome == 1 else FAIL,
            comment="",
            by=assessor,
            by_user_id=users[assessor],
            on=today,
        )
    with b.database.unit_of_work() as uow:
        assessment.decide(
            uow=uow,
            public_id=application,
            decision=decision,
            reasons="" if outcome == 1 else "证据不足",
            by=assessor,
            by_user_id=users[assessor],
            on=today,
        )
    with b.database.unit_of_work() as uow:
        decisions.confirm(
            uow=uow,
            public_id=application,
            agree=True,
            reason="",
            by=accreditation_world.OFFICER_2,
            by_user_id=users[accreditation_world.OFFICER_2],
        )
    if outcome == 3:
        with b.database.unit_of_work() as uow:
            filing.appeal(
                uow=uow,
                public_id=application,
                reason="评审未考虑单位证明",
                by=accreditation_world.REGISTRAR,
                by_user_id=None,
            )


def import_from_a(env: Env, decide: int) -> None:
    """A new outcome of the learner at A, sent to B in a package and imported there; its
    recognition left open (0), granted (1) or refused (2) by B's officer."""
    banks = env.banks
    made = fresh_outcome(banks)
    package = banks.package((made,)).package
    learner = banks.learner_at(banks.b)
    with banks.b.database.unit_of_work() as uow:
        transfer = importing.import_transfer(
            ImportTransfer(learner.account_number, package=json.dumps(package)),
            principal=learner,
            uow=uow,
            now=datetime.now(UTC),
            cipher=banks.b.cipher,
        )
    if decide == 0:
        return
    (imported,) = transfer.outcomes
    with banks.b.database.unit_of_work() as uow:
        recognition.decide_recognition(
            DecideRecognition(
                imported.public_id,
                RecognitionDecision.RECOGNISE if decide == 1 else RecognitionDecision.REFUSE,
                reason="" if decide == 1 else "not in our programmes",
            ),
            principal=banks.b.staff[OFFICER],
            uow=uow,
            now=datetime.now(UTC),
        )


STEPS = st.one_of(
    st.tuples(st.just("course"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("x_certificate")),
    st.tuples(st.just("convert"), st.booleans()),
    st.tuples(st.just("accredit"), st.integers(0, 3)),
    st.tuples(st.just("import"), st.integers(0, 2)),
)


def run(env: Env, step: tuple[object, ...]) -> None:
    name, *args = step
    if name == "course":
        deposit_course(env, *args)  # type: ignore[arg-type]
    elif name == "x_certificate":
        deposit_x_certificate(env)
    elif name == "convert":
        convert(env, *args)  # type: ignore[arg-type]
    elif name == "accredit":
        accredit(env, *args)  # type: ignore[arg-type]
    else:
        import_from_a(env, *args)  # type: ignore[arg-type]


# ---- the counts made directly from the rows -------------------------------------------------

Counts = dict[str, dict[str, Counter[str]]]
"""measure -> by -> value -> count (over every month)."""


def _moment(at: datetime | str) -> datetime:
    """A stored moment, aware (SQLite hands raw SQL its text, in UTC)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _month(at: datetime | str) -> str:
    """The month of a stored moment in the bank's time zone."""
    return _moment(at).astimezone(SHANGHAI).strftime("%Y-%m")


def _add(counts: Counts, measure: str, values: dict[str, str], n: int = 1) -> None:
    for by, value in values.items():
        counts.setdefault(measure, {}).setdefault(by, Counter())[value] += n


def _when(at: datetime | str) -> dict[str, str]:
    month = _month(at)
    return {"all": "", "month": month, "year": month[:4]}


def _sexes_and_ages(env: Env, on: date) -> tuple[Counter[str], Counter[str]]:
    """Sex and age band of every account opened at B, from the identity numbers this test and
    its world gave (digits 7-14 the birth date, the 17th odd for a man)."""
    sexes: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for serial in (LEARNER_SERIAL, OTHER_SERIAL, *env.opened):
        number = id_number(serial)
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        sexes["male" if int(number[16]) % 2 else "female"] += 1
        ages[
            "<20" if age < 20 else "60+" if age >= 60 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"
        ] += 1
    return sexes, ages


Query = Callable[..., Any]


def direct_counts(env: Env, database: Database) -> dict[str, Counts]:
    """Every figure's counts, from the rows, with SQL of this test's own."""
    figures: dict[str, Counts] = defaultdict(dict)
    with database.unit_of_work() as uow:
        q = uow.session.execute
        for (opened_at,) in q(text("SELECT opened_at FROM learners")):
            _add(figures["accounts"], "opened", _when(opened_at))
        first_outcome = _outcomes(q, figures)
        _accreditation(q, figures["accreditation"])
        _conversion(q, figures, first_outcome)
        _recognition(q, figures["recognition"])
    sexes, ages = _sexes_and_ages(env, clock.today())
    figures["accounts"]["opened"]["sex"] = sexes
    figures["accounts"]["opened"]["age"] = ages
    return figures


def _outcomes(q: Query, figures: dict[str, Counts]) -> dict[int, datetime]:
    """Outcomes deposited, and each learner's first outcome (the cohorts' learners)."""
    kinds = {"accreditation_unit": "accredited_unit"}
    first_outcome: dict[int, datetime] = {}
    for row in q(
        text(
            "SELECT o.learner_id, o.deposited_at, o.setting, o.record_id,"
            " o.conversion_grant_id, i.kind, inst.code, f.code, f.version, l.code"
            " FROM outcomes o JOIN catalog_items i ON i.id = o.item_id"
            " JOIN institutions inst ON inst.id = o.institution_id"
            " JOIN framework_levels l ON l.id = o.framework_level_id"
            " JOIN framework_versions f ON f.id = l.framework_version_id"
        )
    ):
        learner, at, setting, record, grant, kind, code, framework, version, level = row
        if grant is not None:
            kind = "transferred_credit"
        elif record.startswith("recognition/"):
            kind = "recognised"
        _add(
            figures["outcomes"],
            "deposited",
            {
                **_when(at),
                "setting": setting.replace("-", "_"),
                "kind": kinds.get(kind, kind),
                "institution": code,
                "level": f"{framework}@{version}:{level}",
            },
        )
        if learner not in first_outcome or _moment(at) < _moment(first_outcome[learner]):
            first_outcome[learner] = _moment(at)
    for at in first_outcome.values():
        _add(figures["cohorts"], "learners", {"all": "", "cohort": _month(at)[:4]})
    return first_outcome


def _accreditation(q: Query, accreditation: Counts) -> None:
    """Applications filed, decisions confirmed (accredited or not), appeals."""
    for at, centre in q(
        text(
            "SELECT a.submitted_at, i.code FROM accreditation_applications a"
            " JOIN institutions i ON i.id = a.centre_id"
        )
    ):
        _add(accreditation, "applied", {**_when(at), "institution": centre})
    for at, centre, decision in q(
        text(
            "SELECT c.at, i.code, d.decision FROM accreditation_confirmations c"
            " JOIN accreditation_decisions d ON d.id = c.decision_id"
            " JOIN accreditation_applications a ON a.id = d.application_id"
            " JOIN institutions i ON i.id = a.centre_id"
            " WHERE c.agreed AND d.decision IN ('accredited', 'not_accredited')"
        )
    ):
        for measure in (decision, "decided"):
            _add(accreditation, measure, {**_when(at), "institution": centre})
    for at, centre in q(
        text(
            "SELECT e.at, i.code FROM accreditation_events e"
            " JOIN accreditation_applications a ON a.id = e.application_id"
            " JOIN institutions i ON i.id = a.centre_id WHERE e.step = 'appeal'"
        )
    ):
        _add(accreditation, "appealed", {**_when(at), "institution": centre})


def _conversion(q: Query, figures: dict[str, Counts], first_outcome: dict[int, datetime]) -> None:
    """Conversions requested and confirmed, and each learner's first one in their cohort."""
    for at, owner in q(
        text(
            "SELECT c.requested_at, i.code FROM conversions c"
            " JOIN programmes p ON p.id = c.programme_id"
            " JOIN institutions i ON i.id = p.institution_id"
        )
    ):
        _add(figures["conversion"], "requested", {**_when(at), "institution": owner})
    converted: set[int] = set()
    for at, owner, learner in q(
        text(
            "SELECT e.at, i.code, c.learner_id FROM conversion_events e"
            " JOIN conversions c ON c.id = e.conversion_id"
            " JOIN programmes p ON p.id = c.programme_id"
            " JOIN institutions i ON i.id = p.institution_id WHERE e.kind = 'confirmed'"
            " ORDER BY e.at"
        )
    ):
        _add(figures["conversion"], "confirmed", {**_when(at), "institution": owner})
        if learner in converted:  # only a learner's first conversion counts in the cohorts
            continue
        converted.add(learner)
        first = first_outcome[learner]
        days = (_moment(at).astimezone(SHANGHAI).date() - first.astimezone(SHANGHAI).date()).days
        years = max(1, -(-days // 365))
        for measure in ("converted", *(f"within_{n}" for n in (1, 2, 3) if years <= n)):
            _add(figures["cohorts"], measure, {"all": "", "cohort": _month(first)[:4]})


def _recognition(q: Query, recognition: Counts) -> None:
    """Packages imported, outcomes recognised (decided in this month: the example's)."""
    for at, source in q(text("SELECT imported_at, source FROM transfer_imports")):
        _add(recognition, "imported", {**_when(at), "peer": source})
    for (source,) in q(
        text(
            "SELECT t.source FROM imported_outcomes o"
            " JOIN transfer_imports t ON t.id = o.import_id WHERE o.decision = 'recognise'"
        )
    ):
        _add(recognition, "recognised", {**_when(datetime.now(UTC)), "peer": source})


def credits_of(database: Database) -> tuple[Decimal, Decimal]:
    """The credits of every outcome deposited, and of those transferred by a conversion."""
    with database.unit_of_work() as uow:
        q = uow.session.execute
        deposited = q(text("SELECT SUM(credits) FROM outcomes")).scalar_one()
        transferred = q(
            text("SELECT SUM(credits) FROM outcomes WHERE conversion_grant_id IS NOT NULL")
        ).scalar_one()
    return Decimal(deposited or 0), Decimal(transferred or 0)


# ---- the figures as the bank shows them ------------------------------------------------------


def shown(database: Database) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
    """figure -> by -> value -> measure -> count, every figure broken down every way it
    offers, nothing suppressed."""
    found: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
    with database.unit_of_work() as uow:
        for name, spec in stats.FIGURES.items():
            for by in spec.by:
                table = stats.read_figure(uow, figure=name, by=by, suppress_below=1)
                rows = {row.value: row for row in table.rows}
                found.setdefault(name, {})[by] = {
                    value: {m: n for m, n in row.counts.items() if n} for value, row in rows.items()
                }
                found[name][by]["<total>"] = {m: n for m, n in table.total.counts.items() if n}
    return found


def test_every_figure_equals_the_count_made_from_the_rows(env: Env) -> None:
    """(the first check, before any random step: the world as built)"""
    env.opened.clear()
    env.holders.clear()
    with env.banks.pinned():
        the_figures_agree(env)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)
@given(steps=st.lists(STEPS, min_size=1, max_size=7))
def test_random_steps_keep_every_figure_equal_to_the_rows(
    env: Env, steps: list[tuple[object, ...]]
) -> None:
    env.opened.clear()
    env.holders.clear()
    with env.banks.pinned():
        for step in steps:
            run(env, step)
        the_figures_agree(env)
        before = shown(env.banks.b.database)
        with env.banks.b.database.unit_of_work() as uow:
            rebuild_stats(RebuildStats(), principal=env.admin, uow=uow)
        assert shown(env.banks.b.database) == before, "the rebuild counts otherwise"


def the_figures_agree(env: Env) -> None:
    database = env.banks.b.database
    expected = direct_counts(env, database)
    figures = shown(database)
    deposited, transferred = credits_of(database)
    with database.unit_of_work() as uow:
        outcomes_ = stats.read_figure(uow, figure="outcomes", by="all", suppress_below=1)
        conversions = stats.read_figure(uow, figure="conversion", by="all", suppress_below=1)
    assert outcomes_.total.amounts["deposited"] == deposited
    assert conversions.total.amounts["confirmed"] == transferred
    for name, spec in stats.FIGURES.items():
        for by in spec.by:
            got = figures[name][by]
            for measure, _label in spec.measures:
                total = sum(expected.get(name, {}).get(measure, {}).get("all", Counter()).values())
                assert got["<total>"].get(measure, 0) == total, (name, by, measure, got)
                per_value = expected.get(name, {}).get(measure, {}).get(by)
                if by == "all" or per_value is None:
                    continue  # a breakdown this test does not count itself (region, type...)
                assert {
                    value: counts[measure]
                    for value, counts in got.items()
                    if value != "<total>" and counts.get(measure)
                } == {value: n for value, n in per_value.items() if n}, (name, by, measure)
