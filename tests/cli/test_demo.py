"""`creditbank init --demo` builds a believable bank, on both databases, and only once.

The demo bank is built once per backend (``once``: about 5 s of CPU each) and every test of the
module reads it, each in a transaction rolled back at its end."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from creditbank.access.policy import LearnerPrincipal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, parse_id_number
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.accreditation import applications as accreditation_applications
from creditbank.accreditation import standards as accreditation
from creditbank.alignments import api as alignments
from creditbank.catalog import service as catalog
from creditbank.catalog.model import AchievementType, ItemKind
from creditbank.catalog.tables import CatalogItemRow
from creditbank.db import Database
from creditbank.institutions import api as institution_api
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.tables import InstitutionRow, UserRow
from creditbank.jobs import api as jobs
from creditbank.matching.commands import ListFits, MatchJob
from creditbank.matching.gaps import list_fits
from creditbank.matching.matches import match_job
from creditbank.sessions import service as sessions
from creditbank.sessions.model import SessionPolicy
from creditbank.settings import get_settings
from creditbank.skills import api as skills
from creditbank.stats import api as stats
from creditbank.stats.commands import ShowSkillDemand
from creditbank.stats.demand import show_skill_demand
from creditbank.stats.schemas import SkillDemandRead
from creditbank.stats.tables import StatCellRow, StatRollupRow
from tests.cli.conftest import Once
from tests.cli.runner import run

# Seed 004, Figures 2 and 3: (number in the round's list, provider, certificate), a sample.
FIGURES = [
    (66, "Golden Baby (Tianjin) Education Information Consulting", "Early parent-child interaction guidance"),
    (77, "Beijing Weide Elite Montessori Teaching Method Consulting", "Kindergarten class operation organization"),
    (82, "Beijing Sankuai Online Technology", "Hotel revenue management"),
    (92, "China Hotel Association", "Catering management operation"),
]  # fmt: skip


def counts(database: Database) -> tuple[int, int, int, int]:
    with database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(table))
            for table in (InstitutionRow, CatalogItemRow, LearnerRow, OutcomeRow)
        )


def conversions_are_transferred_credit(session: Session) -> None:
    """The demo's confirmed conversion deposited credit toward the programme, never the course
    it exempts as if the learner had taken it."""
    converted = session.execute(
        select(CatalogItemRow.kind, OutcomeRow.transfer)
        .join(OutcomeRow, OutcomeRow.item_id == CatalogItemRow.id)
        .where(OutcomeRow.conversion_grant_id.is_not(None))
    ).all()
    assert converted
    assert {kind for kind, _ in converted} == {ItemKind.TRANSFERRED_CREDIT.value}
    assert all(transfer["programme"] == "PJVC-HOTEL-DIP" for _, transfer in converted)


Key = tuple[str, str, str, int, str, str]
"""(figure, scope, dim, month or period, measure, value): a stored cell's key."""


def every_figure(database: Database) -> dict[tuple[str, str], stats.FigureTable]:
    """Every figure, bank-wide, broken down every way it can be, nothing suppressed."""
    with database.unit_of_work() as uow:
        return {
            (spec.name, by): stats.read_figure(uow, figure=spec.name, by=by, suppress_below=1)
            for spec in stats.FIGURES.values()
            for by in spec.by
        }


def stored_cells(database: Database) -> dict[str, dict[Key, tuple[int, Decimal]]]:
    """``stat_cells`` and ``stat_rollups`` as stored: {table: {key: (n, amount)}}."""
    with database.unit_of_work() as uow:
        cells = {
            (r.figure, r.scope, r.dim, r.month, r.measure, r.value): (r.n, Decimal(r.amount))
            for r in uow.session.scalars(select(StatCellRow))
        }
        rollups = {
            (r.figure, r.scope, r.dim, r.period, r.measure, r.value): (r.n, Decimal(r.amount))
            for r in uow.session.scalars(select(StatRollupRow))
        }
    return {"stat_cells": cells, "stat_rollups": rollups}


def figures_survive_a_rebuild(cli: CliRunner, database: Database) -> None:
    """The demo's use cases tallied its figures as they ran (``/stats`` has them), and
    ``creditbank stats rebuild`` counts the same cells again from the records."""
    tallied, cells = every_figure(database), stored_cells(database)
    assert tallied["accounts", "year"].total.counts["opened"] == 3000
    assert tallied["cohorts", "cohort"].total.counts["learners"] == 3000
    for name in ("outcomes", "accreditation", "conversion", "xcerts"):
        assert any(tallied[name, "year"].total.counts.values()), name
    run(cli, "stats", "rebuild")
    assert stored_cells(database) == cells
    assert every_figure(database) == tallied


@pytest.fixture
def demo(initialised: CliRunner, once: Once) -> str:
    """What ``creditbank init --demo`` printed, run once per module and backend on the module's
    database (an initialised one, as ``creditbank init`` leaves it: the demo adds to it)."""
    return once("demo", lambda: run(initialised, "init", "--demo"))


def test_demo_bank_has_every_kind_of_thing_and_loads_once(
    demo: str, initialised: CliRunner, database: Database
) -> None:
    output, cli = demo, initialised
    figures_survive_a_rebuild(cli, database)
    assert "Demo bank loaded: 30 institutions, 53 catalogue items, 3000 learners" in output
    assert "registrar@pjvc.example" in output
    first = counts(database)

    with database.unit_of_work() as uow:
        session = uow.session
        types = set(session.scalars(select(InstitutionRow.type)))
        assert types == {kind.value for kind in InstitutionType}
        assert set(session.scalars(select(UserRow.role))) == {role.value for role in Role}
        items = catalog.list_items(uow=uow)
        assert {item.kind for item in items} == set(ItemKind)
        assert {item.achievement_type for item in items} - {None} == set(AchievementType)
        x_certificates = catalog.list_items(uow=uow, kind=ItemKind.X_CERTIFICATE)
        assert len([x for x in x_certificates if x.approval_round == 4]) == 23
        by_name = {item.name_en: item for item in x_certificates}
        for number, provider, name in FIGURES:
            item = by_name[name]
            assert item.code == f"1X-R4-{number:03d}"
            assert item.provider == provider
            assert item.approval_round == 4
            assert [level.level.code for level in item.levels] == [
                "beginner",
                "intermediate",
                "advanced",
            ]
        # accreditation: two standards, one application in each of three states
        assert [s.code for s in accreditation.list_standards(uow=uow)] == [
            "CQ-SCS-RAIL",
            "GD-SCS-SWE",
        ]
        states = sorted(
            a.state.value for a in accreditation_applications.list_applications(uow=uow)
        )
        assert states == ["accredited", "decided", "submitted"]
        kinds_deposited = set(
            session.scalars(
                select(CatalogItemRow.kind)
                .join(OutcomeRow, OutcomeRow.item_id == CatalogItemRow.id)
                .distinct()
            )
        )
        assert kinds_deposited == {kind.value for kind in ItemKind}
        conversions_are_transferred_credit(session)
        events = dict(  # .all(): a Result has keys(), so dict() would take it for a mapping
            session.execute(
                select(OutcomeEventRow.kind, func.count()).group_by(OutcomeEventRow.kind)
            ).all()
        )
        assert events == {"verified": 20, "revoked": 3, "superseded": 3}
        settings = set(session.scalars(select(OutcomeRow.setting).distinct()))
        assert settings == {setting.value for setting in LearningSetting}
        account = session.scalars(select(LearnerRow.account_number).order_by(LearnerRow.id)).first()
        admin = session.scalar(select(UserRow.id).where(UserRow.role == Role.BANK_ADMIN.value))
        assert account is not None
        assert admin is not None
        cipher = PersonalDataCipher(base64.b64decode(get_settings().data_key.get_secret_value()))
        person = accounts.read_personal_data(
            uow=uow, cipher=cipher, number=account, user_id=admin, purpose="demo test"
        )
    assert parse_id_number(person.id_number).number == person.id_number
    assert all("\u4e00" <= char <= "\u9fff" for char in person.name)
    assert 2 <= len(person.name) <= 4
    assert first[2] == 3000
    assert first[3] > 3000 * 2  # every learning path has two outcomes at least

    account_line = re.search(r"Demo learner \(same password\): account (CB\d{12})", output)
    assert account_line is not None
    with database.unit_of_work() as uow:
        logged_in = sessions.login_learner(
            uow=uow,
            account_number=account_line.group(1),
            password="demo-password-2026",
            policy=SessionPolicy(timedelta(minutes=30), timedelta(hours=12), 5, timedelta(15)),
            now=datetime.now(UTC),
        )
    assert isinstance(logged_in, sessions.NewSession)

    again = run(cli, "init", "--demo")
    assert "loaded already" in again
    assert counts(database) == first


def test_demo_matches_jobs_to_learning(
    demo: str, initialised: CliRunner, database: Database
) -> None:
    """A new user sees matching work: the built-in skills, the demo's items aligned to them (the
    BIM certificate level by level), DFZZ's jobs open and matched to learners who consented, the
    demo learner's fits, and skills in demand against skills held on the statistics."""
    summary = re.search(
        r"Matching: (\d+) skills, 16 alignments to skills approved, 5 jobs posted by "
        r"hr@dfzz\.example, (\d+) learners consented to be matched\.",
        demo,
    )
    assert summary is not None, demo
    learner = re.search(r"account (CB\d{12})", demo)
    assert learner is not None
    cipher = PersonalDataCipher(base64.b64decode(get_settings().data_key.get_secret_value()))
    with database.unit_of_work() as uow:
        assert int(summary.group(1)) > 8000  # every main task of the 2022 classification
        assert skills.skill_by_uri(uow, "urn:creditbank:csco2022:4-08-08-23:task:4") is not None
        bim = catalog.find_item(uow=uow, institution="TEO-LFZK", code="BIM")
        assert bim is not None
        by_level: dict[str | None, set[int]] = {}
        for aligned in alignments.alignments_of_items(uow, [bim.id]):
            level = aligned.level.rpartition(":")[2] if aligned.level else None
            by_level.setdefault(level, set()).add(aligned.skill_id)
        assert {level: len(found) for level, found in by_level.items()} == {
            "beginner": 1,
            "intermediate": 2,
            "advanced": 4,
        }
        assert by_level["beginner"] < by_level["intermediate"] < by_level["advanced"]
        posted = jobs.open_jobs(uow)
        assert len(posted) == 5
        assert {(job.institution, job.posted_by) for job in posted} == {("DFZZ", "hr@dfzz.example")}
        employer = institution_api.principal_for(uow=uow, email="hr@dfzz.example")
        for job in posted:
            found = match_job(MatchJob(job.id), principal=employer, uow=uow, cipher=cipher)
            assert found.learners, job.title
            assert found.learners[0].match.share > 0, job.title
        number = learner.group(1)
        learner_id = accounts_api.learner_id_of(uow, number)
        assert jobs.has_matching_consent(uow, learner_id)
        fits = list_fits(
            ListFits(number),
            principal=LearnerPrincipal(learner_id=learner_id, account_number=number),
            uow=uow,
            now=datetime.now(UTC),
        )
        assert fits.matching_consent
        assert fits.jobs, "the demo learner sees jobs that fit"
        demand = show_skill_demand(ShowSkillDemand("occupation"), principal=None, uow=uow)
    assert demand.as_of is not None, "the demo counted the skills held at init"
    printed = json.loads(run(initialised, "stats", "skills", "--by", "occupation", "--json"))
    assert printed == SkillDemandRead.of(demand).model_dump(mode="json", by_alias=True)
    assert "4-08-08-23" in run(initialised, "stats", "skills", "--by", "occupation")
    refreshed = run(initialised, "stats", "refresh-skills")
    assert re.search(r"Skills held counted: \d+ rows, as of \d{4}-\d\d-\d\d", refreshed)
    rows = {row.value: row for row in demand.rows}
    assert demand.total.counts["jobs"] == 5
    for code in ("4-08-08-23", "2-02-10-03", "4-03-01-01", "4-03-02-05", "4-10-01-03"):
        assert rows[code].counts["jobs"] == 1, code
    assert (rows["4-03-01-01"].counts["learners"] or 0) >= 10  # the hotel course's many
