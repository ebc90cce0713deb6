"""Matching on both databases (tests/matching_world.py): a learner's skills (from outcomes that
still count through the alignments in force, at any level and at the outcome's level, plus what
approved conversion rules would give: the conversion engine's plan under the programme's caps; a
revoked outcome gives nothing) and the items teaching skills as offers (at any level, at a
level); the handlers: a learner's gap to an
occupation and to a job (covered with evidence, by outcome and by conversion; missing; the
smallest set of items, an X certificate at a level when one item does; what nothing teaches),
fits ranked by share, a job's consenting learners ranked with names and evidence (a withdrawn
consent hides the learner), a programme's coverage of an occupation, a job and its region's open
jobs; bad questions refused with the problem that names them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from creditbank.access.policy import OPERATOR, LearnerPrincipal
from creditbank.accounts import api as accounts
from creditbank.bootstrap import wire
from creditbank.catalog import service as catalog_service
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.errors import DomainError
from creditbank.jobs import api as jobs
from creditbank.jobs import consents as job_consents
from creditbank.jobs.commands import WithdrawMatchingConsent
from creditbank.matching import coverage, gaps, matches
from creditbank.matching.api import rank_learners
from creditbank.matching.commands import ListFits, MatchJob, ShowCoverage, ShowGaps
from creditbank.matching.learners import learner_skills, offers_teaching
from creditbank.matching.model import Evidence, Gap
from creditbank.matching.schemas import GapRead
from creditbank.xcerts import api as xcerts
from tests import conftest, conversion_world
from tests import matching_world as world
from tests.conftest import BACKENDS, _new_database

NOW = datetime(2026, 12, 7, 8, tzinfo=UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, world.World]]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("matching"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    with database.unit_of_work() as uow:
        built = world.build(uow)
    yield database, built
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(bank: tuple[Database, world.World]) -> Iterator[None]:
    with bank[0].pinned():  # type: ignore[attr-defined]
        yield


def test_gap_to_an_occupation(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        report = gaps.show_gaps(
            ShowGaps(built.x_holder.lower(), occupation=world.BIM),
            principal=OPERATOR,
            uow=uow,
            now=NOW,
        )
    gap = report.gap
    assert report.account_number == built.x_holder
    assert (report.target.kind, report.target.code) == ("occupation", world.BIM)
    # in the order the occupation lists them: essential first, then by URI
    assert gap.required == (ids["coord"], ids["draw"], ids["model"], ids["survey"])
    assert [c.skill_id for c in gap.covered] == [ids["coord"], ids["model"]]
    assert [(e.item, e.by_conversion) for e in gap.covered[1].evidence] == [
        ("BIMTEO:BIM-X", False),
        ("SHVC:BIM-101", True),
    ]
    assert gap.share == Fraction(1, 2)
    assert [(s.offer.item, s.teaches) for s in gap.plan] == [("SHVC:DRAW-100", (ids["draw"],))]
    assert gap.unteachable == (ids["survey"],)
    assert gap.optional == (ids["render"],)
    assert report.skills[ids["survey"]].name == "现场测量"
    shown = GapRead.of(report, "en")
    assert shown.explanation[0] == "2 of 4 required skills covered (50%)."
    assert "would earn through approved conversion rules" in " ".join(shown.explanation)


def test_the_fewest_items_may_be_a_certificate_at_a_level(
    bank: tuple[Database, world.World],
) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        report = gaps.show_gaps(
            ShowGaps(built.drawer, job=built.bim_job), principal=OPERATOR, uow=uow, now=NOW
        )
    gap = report.gap
    assert (report.target.kind, report.target.institution) == ("job", world.ENTERPRISE)
    assert [c.skill_id for c in gap.covered] == [ids["draw"]]
    assert gap.covered[0].evidence[0].outcome == built.draw_outcome
    # BIM-101 and BIM-102 would do it with two items; BIM-X at intermediate does it with one
    ((step),) = gap.plan
    assert step.offer.item == "BIMTEO:BIM-X"
    assert step.offer.offered_by == ("BIMTEO",)  # no school offers it: its provider
    assert step.offer.level is not None
    assert step.offer.level.endswith(":intermediate")
    assert set(step.teaches) == {ids["model"], ids["coord"]}
    assert gap.unteachable == ()
    with database.unit_of_work() as uow:
        xcerts.declare_offering(
            uow=uow,
            ref="BIMTEO:BIM-X",
            offering=xcerts.Offering(school="SHVC", level="intermediate", assessment_centre=True),
            by=conversion_world.TEO_REGISTRAR,
        )
        offered = gaps.show_gaps(
            ShowGaps(built.drawer, job=built.bim_job), principal=OPERATOR, uow=uow, now=NOW
        )
    assert offered.gap.plan[0].offer.offered_by == ("SHVC",)  # the pilot school offering it


def test_bad_questions_are_refused(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    for query, code in (
        (ShowGaps(built.drawer), "invalid_matching_query"),
        (ShowGaps(built.drawer, occupation=world.BIM, job=built.bim_job), "invalid_matching_query"),
        (ShowGaps(built.drawer, occupation="9-99-99-99"), "unknown_occupation"),
        (ShowGaps(built.drawer, occupation="not a code"), "unknown_occupation"),
        (ShowGaps("CB000000000000", occupation=world.BIM), "account_not_found"),
    ):
        with database.unit_of_work() as uow, pytest.raises(DomainError) as refused:
            gaps.show_gaps(query, principal=OPERATOR, uow=uow, now=NOW)
        assert refused.value.code == code, query


def test_fits_ranked_by_share(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    with database.unit_of_work() as uow:
        me = LearnerPrincipal(accounts.learner_id_of(uow, built.x_holder), built.x_holder)
        fits = gaps.list_fits(ListFits(built.x_holder), principal=me, uow=uow, now=NOW)
        nothing = gaps.list_fits(ListFits(built.revoked), principal=OPERATOR, uow=uow, now=NOW)
    assert fits.skills_held == 2
    assert fits.matching_consent
    assert [(f.target.code, f.share, f.covered, f.required) for f in fits.occupations] == [
        (world.BIM, Fraction(1, 2), 2, 4)
    ]
    assert [(f.target.code, f.share) for f in fits.jobs] == [
        (str(built.bim_job), Fraction(2, 3))
    ]  # the DBA job asks for nothing the learner has
    assert (nothing.occupations, nothing.jobs, nothing.matching_consent) == ([], [], False)


def test_a_job_s_consenting_learners_ranked(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        found = matches.match_job(
            MatchJob(built.bim_job), principal=OPERATOR, uow=uow, cipher=world.CIPHER
        )
    assert [m.match.account_number for m in found.learners] == [built.x_holder, built.drawer]
    first, second = found.learners
    assert (first.match.share, second.match.share) == (Fraction(2, 3), Fraction(1, 3))
    assert [c.skill_id for c in first.match.covered] == [ids["model"], ids["coord"]]
    assert first.match.missing == (ids["draw"],)
    assert (first.name, second.name) == ("张三", "李四")
    with database.unit_of_work() as uow:
        drawer = LearnerPrincipal(accounts.learner_id_of(uow, built.drawer), built.drawer)
        job_consents.withdraw_matching_consent(
            WithdrawMatchingConsent(), principal=drawer, uow=uow, now=NOW
        )
        job = jobs.get_job(uow, built.bim_job)
        ranked = rank_learners(uow, job.skills)
        assert [m.account_number for m in ranked] == [built.x_holder]
        assert rank_learners(uow, job.skills, region="CN-BJ") == []
        assert [m.account_number for m in rank_learners(uow, job.skills, region="")] == [
            built.x_holder
        ]  # BIMTEO, which issued the certificate, has no region


def test_coverage_of_an_occupation_a_job_and_the_region(
    bank: tuple[Database, world.World],
) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        occupation = coverage.show_coverage(
            ShowCoverage(conversion_world.DIPLOMA, occupation=world.BIM),
            principal=OPERATOR,
            uow=uow,
        )
        region = coverage.show_coverage(
            ShowCoverage(conversion_world.DIPLOMA, region=True), principal=OPERATOR, uow=uow
        )
        with pytest.raises(DomainError) as refused:
            coverage.show_coverage(
                ShowCoverage(conversion_world.DIPLOMA), principal=OPERATOR, uow=uow
            )
    assert refused.value.code == "invalid_matching_query"
    taught = {s.skill_id: [t.component for t in s.taught_by] for s in occupation.skills}
    assert taught == {
        ids["model"]: ["BIM-101"],
        ids["draw"]: ["DRAW-100"],
        ids["coord"]: ["BIM-102"],
        ids["survey"]: [],
        ids["render"]: ["BIM-102"],
    }
    assert occupation.untaught == [ids["survey"]]
    assert occupation.share == Fraction(3, 4)
    assert occupation.skills[0].skill_id == ids["survey"]  # untaught first
    assert (region.kind, region.region) == ("region", "CN-SH")
    assert [t.target.code for t in region.targets] == [str(built.bim_job)]  # not Beijing's
    assert region.share == 1


# --- a learner's skills, and the items teaching skills (matching/learners.py) ---


def test_outcomes_and_conversion_give_skills(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        learner = accounts.learner_id_of(uow, built.x_holder)
        held = learner_skills(uow, learner)
        direct = learner_skills(uow, learner, conversions=False)
    # the rule exempts BIM-101 (4 credits) and BIM-102 (3), but the diploma's cap of 6 credits
    # per source item lets the engine's plan grant BIM-101 only: BIM-102's RENDER is not given
    assert set(held) == {ids["model"], ids["coord"]}
    level = held[ids["model"]][0].level
    assert level is not None
    assert level.startswith("1X@")
    assert level.endswith(":intermediate")
    assert held[ids["model"]] == [
        Evidence(
            ids["model"],
            built.x_outcome,
            "BIMTEO:BIM-X",
            held[ids["model"]][0].item_name,
            level,
            by_conversion=False,
        ),
        Evidence(
            ids["model"], built.x_outcome, "SHVC:BIM-101", "BIM-101", None, by_conversion=True
        ),
    ]
    assert [e.by_conversion for e in held[ids["coord"]]] == [False]
    assert set(direct) == {ids["model"], ids["coord"]}


def test_a_revoked_outcome_gives_nothing_and_levels_matter(
    bank: tuple[Database, world.World],
) -> None:
    database, built = bank
    with database.unit_of_work() as uow:
        assert learner_skills(uow, accounts.learner_id_of(uow, built.revoked)) == {}
        beginner = conversion_world.x_certificate_holder(uow, 9, level="beginner")
        # BIM-X's alignment names intermediate only, and the rule asks for intermediate or more
        assert learner_skills(uow, accounts.learner_id_of(uow, beginner)) == {}
        drawer = learner_skills(uow, accounts.learner_id_of(uow, built.drawer))
    assert list(drawer) == [built.skills["draw"]]
    assert drawer[built.skills["draw"]][0].outcome == built.draw_outcome


def test_offers_at_any_level_and_at_a_level(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        offers = offers_teaching(uow, [ids["model"], ids["coord"], ids["survey"]])
    shown = sorted((o.item, o.level is not None, sorted(o.skills), o.credits) for o in offers)
    assert shown == [
        ("BIMTEO:BIM-X", True, sorted([ids["model"], ids["coord"]]), None),
        ("SHVC:BIM-101", False, [ids["model"]], Decimal(4)),
        ("SHVC:BIM-102", False, [ids["coord"]], Decimal(3)),
    ]
    (certificate,) = [o for o in offers if o.item == "BIMTEO:BIM-X"]
    assert certificate.kind == "x_certificate"
    assert certificate.owner == "BIMTEO"
    assert certificate.level is not None
    assert certificate.level.endswith(":intermediate")


def _gap(database: Database, number: str, job: int) -> Gap:
    with database.unit_of_work() as uow:
        return gaps.show_gaps(ShowGaps(number, job=job), principal=OPERATOR, uow=uow, now=NOW).gap


def test_a_job_s_certificates_are_requirements(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    bim_x = "BIMTEO:BIM-X@intermediate"
    with database.unit_of_work() as uow:
        job = world.post_job(
            uow,
            world.ENTERPRISE,
            {ids["model"]: "essential", ids["draw"]: "essential"},
            certificates=(bim_x,),
        )
        advanced = conversion_world.x_certificate_holder(uow, 9101, "advanced")
        beginner = conversion_world.x_certificate_holder(uow, 9102, "beginner")
    # held through the outcome at that level: a requirement met, out of the plan
    gap = _gap(database, built.x_holder, job)
    ((held,),) = [c.held for c in gap.certificates_held]
    assert (held.outcome, held.by_conversion) == (built.x_outcome, False)
    assert held.level is not None
    assert held.level.endswith(":intermediate")
    assert gap.share == Fraction(2, 3)  # MODEL and the certificate, of two skills and it
    assert [(s.offer.item, s.certificate) for s in gap.plan] == [("SHVC:DRAW-100", None)]
    # missing: the certificate itself comes first in the plan, at the asked level, and what
    # it teaches needs no other item
    gap = _gap(database, built.drawer, job)
    assert [c.name for c in gap.certificates_missing] == [bim_x]
    ((step),) = gap.plan
    assert (step.offer.item, step.certificate, step.teaches) == (
        "BIMTEO:BIM-X",
        bim_x,
        (ids["model"],),
    )
    assert step.offer.level is not None
    assert step.offer.level.endswith(":intermediate")
    assert step.offer.offered_by == ("BIMTEO",)
    assert gap.share == Fraction(1, 3)
    # a higher level of the same framework holds it; a lower one does not
    assert [c.name for c in _gap(database, advanced, job).certificates_held] == [bim_x]
    assert [c.name for c in _gap(database, beginner, job).certificates_missing] == [bim_x]
    # fits and matches count it
    with database.unit_of_work() as uow:
        fits = gaps.list_fits(ListFits(built.drawer), principal=OPERATOR, uow=uow, now=NOW)
        found = matches.match_job(MatchJob(job), principal=OPERATOR, uow=uow, cipher=world.CIPHER)
    (fitting,) = [f for f in fits.jobs if f.target.code == str(job)]
    assert (fitting.share, fitting.certificates_missing) == (Fraction(1, 3), (bim_x,))
    assert [
        (m.match.account_number, m.match.share, m.match.certificates_held) for m in found.learners
    ] == [(built.x_holder, Fraction(2, 3), (bim_x,)), (built.drawer, Fraction(1, 3), ())]
    assert found.learners[1].match.certificates_missing == (bim_x,)
    lines = GapRead.of(report_of(database, built.drawer, job), "en").explanation[:2]
    assert lines == [
        "1 of 2 required skills and 0 of 1 certificates held (33% of the requirements).",
        f"Certificate {bim_x} (建筑信息模型（BIM）职业技能等级证书) is missing.",
    ]


def test_a_holder_of_the_certificate_alone_is_matched(bank: tuple[Database, world.World]) -> None:
    """The shortlist counts the certificates asked for beside the skills: a consenting learner
    whose only match is the certificate (at any level in SQL, the asked one in the ranking) is
    found, and one who holds neither is not."""
    database, built = bank
    ids = built.skills
    bim_x = "BIMTEO:BIM-X@intermediate"
    with database.unit_of_work() as uow:
        job = world.post_job(
            uow, world.ENTERPRISE, {ids["draw"]: "essential"}, certificates=(bim_x,)
        )
        found = matches.match_job(MatchJob(job), principal=OPERATOR, uow=uow, cipher=world.CIPHER)
    shares = {m.match.account_number: m.match for m in found.learners}
    assert shares[built.x_holder].share == Fraction(1, 2)  # the certificate, not DRAW
    assert shares[built.x_holder].certificates_held == (bim_x,)
    assert shares[built.x_holder].covered == ()
    assert shares[built.drawer].share == Fraction(1, 2)  # DRAW, not the certificate
    assert all(m.match.share > 0 for m in found.learners)


def report_of(database: Database, number: str, job: int) -> gaps.GapReport:
    with database.unit_of_work() as uow:
        return gaps.show_gaps(ShowGaps(number, job=job), principal=OPERATOR, uow=uow, now=NOW)


def test_certificate_levels_by_the_framework_s_order_and_by_conversion(
    bank: tuple[Database, world.World],
) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        catalog_service.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="SHVC",
                code="NVQ-BIM",
                kind=ItemKind.VOCATIONAL_QUALIFICATION,
                name="建筑信息模型技术员",
                framework="NVQC",
                levels=("1", "2", "3"),
            ),
            on=conversion_world.ON,
        )
        holder = world.learner(uow, 31, "赵六")
        conversion_world.deposit(
            uow, holder, institution="SHVC", item="NVQ-BIM", level="2", record="N-31"
        )
        # NVQC's level 1 is its highest: level 2 meets 3, not 1
        asked = ("SHVC:NVQ-BIM@1", "SHVC:NVQ-BIM@3")
        nvq_job = world.post_job(
            uow, world.ENTERPRISE, {ids["draw"]: "essential"}, certificates=asked
        )
        # BIM-101 asked at no level: the conversion rule would exempt it for the X holder
        course_job = world.post_job(
            uow, world.ENTERPRISE, {ids["draw"]: "essential"}, certificates=("SHVC:BIM-101",)
        )
    gap = _gap(database, holder, nvq_job)
    assert [c.name for c in gap.certificates_held] == ["SHVC:NVQ-BIM@3"]
    assert [c.name for c in gap.certificates_missing] == ["SHVC:NVQ-BIM@1"]
    assert gap.plan[0].certificate == "SHVC:NVQ-BIM@1"
    gap = _gap(database, built.x_holder, course_job)
    ((by_conversion,),) = [c.held for c in gap.certificates_held]
    assert (by_conversion.outcome, by_conversion.by_conversion) == (built.x_outcome, True)
