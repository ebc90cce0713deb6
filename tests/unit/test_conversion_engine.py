"""The conversion engine: rule checks, caps, the best plan and its explanations (with properties)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.conversion.engine import (
    Plan,
    Progress,
    audit,
    best_plan,
    candidates,
    greedy_plan,
    met_components,
    mismatch,
    unmet_conditions,
)
from creditbank.conversion.model import (
    CapKind,
    Caps,
    Component,
    Conditions,
    HeldOutcome,
    LevelBar,
    PriorGrant,
    Programme,
    Rule,
    SourceSpec,
    Target,
    TargetKind,
    academic_year,
)

ON = date(2026, 3, 1)
X_INTERMEDIATE = LevelBar("1X", "intermediate", "main", 2)
X_LEVELS = {"beginner": 1, "intermediate": 2, "advanced": 3}


def held(
    id_: str,
    item: str,
    *,
    kind: str = "course",
    framework: str = "1X",
    level: str = "intermediate",
    score: Decimal | None = Decimal(80),
    assessed_on: date = date(2025, 6, 1),
    setting: str = "formal",
    issuer: str = "VC",
    transferred: bool = False,
) -> HeldOutcome:
    return HeldOutcome(
        id=id_,
        item=item,
        kind=kind,
        framework=framework,
        track="main",
        level=level,
        level_rank=X_LEVELS[level],
        credits=None,
        score=score,
        assessed_on=assessed_on,
        setting=setting,
        issuer=issuer,
        transferred=transferred,
    )


def rule(
    code: str,
    sources: Sequence[SourceSpec],
    targets: Sequence[Target],
    *,
    conditions: Conditions = Conditions(),
    rule_id: int = 1,
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
    retired_from: date | None = None,
) -> Rule:
    return Rule(
        id=rule_id,
        code=code,
        version=1,
        sources=tuple(sources),
        targets=tuple(targets),
        conditions=conditions,
        valid_from=valid_from,
        valid_until=valid_until,
        retired_from=retired_from,
    )


def exempt(component: str) -> Target:
    return Target(TargetKind.COMPONENT, component=component)


def elective(amount: str, category: str = "") -> Target:
    return Target(TargetKind.ELECTIVE, credits=Decimal(amount), category=category)


def programme(
    components: Sequence[Component] = (),
    *,
    caps: Caps = Caps(),
    total: str = "60",
    categories: dict[str, Decimal] | None = None,
    min_level: LevelBar | None = None,
) -> Programme:
    return Programme(
        code="PROG",
        institution="VC",
        name="A programme",
        total_credits=Decimal(total),
        components=tuple(components),
        category_credits=categories or {},
        min_level=min_level,
        caps=caps,
    )


def prior_grant(
    target: Target,
    amount: str,
    *,
    sources: tuple[str, ...] = (),
    source_item: str = "VC:OTHER",
    issuer: str = "VC",
    requested_on: date = date(2025, 10, 1),
    confirmed: bool = True,
    conversion: str = "CV-1",
) -> PriorGrant:
    return PriorGrant(
        conversion=conversion,
        rule="OLD",
        target=target,
        credits=Decimal(amount),
        sources=sources,
        source_item=source_item,
        issuer=issuer,
        requested_on=requested_on,
        confirmed=confirmed,
    )


def plan_for(
    prog: Programme,
    rules: Sequence[Rule],
    outcomes: Sequence[HeldOutcome],
    prior: Sequence[PriorGrant] = (),
) -> Plan:
    _, found = candidates(prog, rules, outcomes, prior, ON)
    return best_plan(prog, found, prior, ON)


def granted(plan: Plan) -> dict[str, Decimal]:
    """What each target got, by ``rule code/target``."""
    return {f"{g.rule.code}/{g.target.describe()}": g.granted for g in plan.grants}


def templates(messages: Sequence[object]) -> list[str]:
    return [str(m) for m in messages]


# --- the seed's 1+X case, both directions ------------------------------------------------------

BIM_X = "TEO-BIM:BIM-X"
DIPLOMA = programme(
    [
        Component(
            "BIM-101", "BIM modelling", Decimal(4), "core", mandatory=True, item="VC:BIM-101"
        ),
        Component("BIM-102", "BIM coordination", Decimal(3), "core", item="VC:BIM-102"),
        Component("CAD-101", "CAD", Decimal(5), "core", mandatory=True, item="VC:CAD-101"),
    ],
    total="12",
)
X_TO_DIPLOMA = rule(
    "X-TO-DIP",
    [SourceSpec(item=BIM_X, kind="x_certificate", level=X_INTERMEDIATE, at_least=True)],
    [exempt("BIM-101"), exempt("BIM-102")],
)
X_PROGRAMME = programme(
    [
        Component("THEORY", "Theory exam", Decimal(2), mandatory=True),
        Component("PRACTICE", "Practical exam", Decimal(2), mandatory=True, item=BIM_X),
    ],
    total="4",
    min_level=X_INTERMEDIATE,
)
COURSES_TO_X = rule(
    "DIP-TO-X",
    [SourceSpec(item="VC:BIM-101", kind="course"), SourceSpec(item="VC:BIM-102", kind="course")],
    [exempt("THEORY")],
    conditions=Conditions(min_score=Decimal(60)),
)


def test_an_intermediate_x_certificate_exempts_two_diploma_courses() -> None:
    certificate = held("o-x", BIM_X.lower(), kind="x_certificate", issuer="TEO-BIM")
    progress = audit(DIPLOMA, [X_TO_DIPLOMA], [certificate], [], ON)
    assert progress.checks[0].applicable
    assert progress.checks[0].offers == Decimal(7)
    assert granted(progress.plan) == {
        "X-TO-DIP/component:BIM-101": Decimal(4),
        "X-TO-DIP/component:BIM-102": Decimal(3),
    }
    assert str(progress.plan.grants[0].reason) == (
        "rule X-TO-DIP v1 exempts BIM-101 (4 credits) for o-x"
    )
    assert progress.plan.total == Decimal(7)
    assert progress.plan.exhaustive
    assert [c.code for c in progress.missing] == ["CAD-101"]
    assert [c.code for c in progress.mandatory_missing] == ["CAD-101"]
    assert progress.credits_with_plan == Decimal(7)
    assert not progress.complete_with_plan


def test_a_beginner_certificate_is_below_the_rule() -> None:
    certificate = held("o-x", BIM_X, kind="x_certificate", level="beginner")
    advanced = held("o-adv", BIM_X, kind="x_certificate", level="advanced")
    assert mismatch(X_TO_DIPLOMA.sources[0], advanced) is None
    assert str(mismatch(X_TO_DIPLOMA.sources[0], certificate)) == (
        "outcome o-x is at 1X:beginner, not 1X:intermediate+"
    )
    check = audit(DIPLOMA, [X_TO_DIPLOMA], [certificate], [], ON).checks[0]
    assert not check.applicable
    assert templates(check.reasons) == [
        "no outcome matches source 1 (TEO-BIM:BIM-X x_certificate 1X:intermediate+)"
    ]


def test_diploma_courses_exempt_the_theory_exam_of_the_x_certificate() -> None:
    courses = [
        held("o-1", "VC:BIM-101", framework="NVQC", score=Decimal(75)),
        held("o-2", "VC:BIM-102", framework="NVQC"),
    ]
    progress = audit(X_PROGRAMME, [COURSES_TO_X], courses, [], ON)
    assert granted(progress.plan) == {"DIP-TO-X/component:THEORY": Decimal(2)}
    assert [o.id for o in progress.plan.grants[0].sources] == ["o-1", "o-2"]
    assert [c.code for c in progress.missing] == ["PRACTICE"]
    assert progress.min_level_met is False
    assert not progress.complete_with_plan


def test_the_x_certificate_programme_completes_with_the_certificate_and_the_courses() -> None:
    outcomes = [
        held("o-1", "VC:BIM-101"),
        held("o-2", "VC:BIM-102"),
        held("o-x", BIM_X, kind="x_certificate"),
    ]
    progress = audit(X_PROGRAMME, [COURSES_TO_X], outcomes, [], ON)
    assert [(m.component.code, m.by, m.transferred) for m in progress.met] == [
        ("PRACTICE", "o-x", False)
    ]
    assert progress.credits_held == Decimal(2)
    assert progress.min_level_met is True
    assert progress.credits_with_plan == Decimal(4)
    assert progress.missing == ()
    assert progress.complete_with_plan


# --- caps ----------------------------------------------------------------------------------------


def test_a_per_source_item_cap_cuts_an_elective_grant() -> None:
    prog = programme(caps=Caps(per_source_item=Decimal(5)))
    rules = [rule("EL", [SourceSpec(item="VC:A")], [elective("8")])]
    plan = plan_for(prog, rules, [held("o-1", "VC:A")])
    [grant] = plan.grants
    assert (grant.allowed, grant.granted, grant.cut_by) == (
        Decimal(8),
        Decimal(5),
        (CapKind.PER_SOURCE_ITEM,),
    )
    assert str(grant.reason) == (
        "rule EL v1 grants 5.0 elective credits for o-1, cut from 8 by the per_source_item cap"
    )
    earlier = prior_grant(elective("2"), "2", source_item="vc:a")
    again = plan_for(prog, rules, [held("o-1", "VC:A")], [earlier])
    assert again.total == Decimal(3)


def test_a_component_that_does_not_fit_a_cap_whole_is_not_granted() -> None:
    prog = programme([Component("C1", "Course", Decimal(4))], caps=Caps(per_source_item=Decimal(3)))
    only_component = rule("R", [SourceSpec(item="VC:A")], [exempt("C1")])
    plan = plan_for(prog, [only_component], [held("o-1", "VC:A")])
    assert plan.grants == ()
    assert plan.total == Decimal(0)
    assert templates([p.reason for p in plan.passed_over]) == [
        "the per_source_item cap leaves no room"
    ]
    with_elective = rule("R", [SourceSpec(item="VC:A")], [exempt("C1"), elective("2")])
    plan = plan_for(prog, [with_elective], [held("o-1", "VC:A")])
    assert granted(plan) == {"R/elective:2": Decimal(2)}
    assert templates([p.reason for p in plan.passed_over]) == [
        "the per_source_item cap leaves no room for C1 (4 credits)"
    ]


def test_a_plan_may_exempt_some_of_a_rule_s_components() -> None:
    prog = programme(
        [Component("C1", "One", Decimal(2)), Component("C2", "Two", Decimal("2.5"))],
        caps=Caps(per_source_item=Decimal(3)),
    )
    both = rule("BOTH", [SourceSpec(item="VC:A")], [exempt("C1"), exempt("C2")], rule_id=1)
    plan = plan_for(prog, [both], [held("o-a", "VC:A")])
    assert granted(plan) == {"BOTH/component:C2": Decimal("2.5")}
    assert templates([p.reason for p in plan.passed_over]) == [
        "the per_source_item cap leaves no room for C1 (2 credits)"
    ]
    one = rule("ONE", [SourceSpec(item="VC:B")], [exempt("C2")], rule_id=2)
    plan = plan_for(prog, [both, one], [held("o-a", "VC:A"), held("o-b", "VC:B")])
    assert granted(plan) == {
        "BOTH/component:C1": Decimal(2),
        "ONE/component:C2": Decimal("2.5"),
    }
    assert templates([p.reason for p in plan.passed_over]) == ["C2 is exempted by rule ONE v1"]


def test_the_per_year_cap_counts_this_academic_year_only() -> None:
    prog = programme(caps=Caps(per_year=Decimal(10)))
    rules = [rule("EL", [SourceSpec(item="VC:A")], [elective("6")])]
    this_year = prior_grant(elective("7"), "7", requested_on=date(2025, 9, 1))
    last_year = prior_grant(elective("7"), "7", requested_on=date(2025, 8, 31))
    assert academic_year(date(2025, 9, 1)) == academic_year(ON)
    cut = plan_for(prog, rules, [held("o-1", "VC:A")], [this_year])
    assert (cut.total, cut.grants[0].cut_by) == (Decimal(3), (CapKind.PER_YEAR,))
    assert plan_for(prog, rules, [held("o-1", "VC:A")], [last_year]).total == Decimal(6)


def test_the_programme_share_cap_counts_every_prior_grant() -> None:
    prog = programme(caps=Caps(programme_share=Decimal("0.25")), total="20")
    rules = [rule("EL", [SourceSpec(item="VC:A")], [elective("4")])]
    earlier = prior_grant(elective("3.5"), "3.5", requested_on=date(2019, 1, 1), confirmed=False)
    plan = plan_for(prog, rules, [held("o-1", "VC:A")], [earlier])
    assert (plan.total, plan.grants[0].cut_by) == (Decimal("1.5"), (CapKind.PROGRAMME,))


def test_the_plan_reaches_eight_where_the_order_matters() -> None:
    # A is charged to item X and issuer P, B to X and Q, C to Y and P; caps 5 per item and issuer.
    prog = programme(caps=Caps(per_source_item=Decimal(5), per_issuer=Decimal(5)))
    outcomes = [
        held("a", "X", kind="x_certificate", issuer="P"),
        held("b", "X", kind="course", issuer="Q"),
        held("c", "Y", kind="course", issuer="P"),
    ]
    a = rule("A", [SourceSpec(item="X", kind="x_certificate")], [elective("4")], rule_id=1)
    b = rule("B", [SourceSpec(item="X", kind="course")], [elective("3")], rule_id=2)
    c = rule("C", [SourceSpec(item="Y")], [elective("3")], rule_id=3)
    assert greedy_plan(prog, [a, b, c], outcomes, [], ON).total == Decimal(6)
    plan = plan_for(prog, [a, b, c], outcomes)
    assert plan.total == Decimal(8)
    assert plan.exhaustive
    assert granted(plan) == {
        "A/elective:4": Decimal(2),
        "B/elective:3": Decimal(3),
        "C/elective:3": Decimal(3),
    }
    assert plan.grants[0].cut_by == (CapKind.PER_SOURCE_ITEM, CapKind.PER_ISSUER)
    assert plan.passed_over == ()


def test_a_small_budget_still_returns_the_greedy_plan_at_least() -> None:
    prog = programme(caps=Caps(per_source_item=Decimal(5), per_issuer=Decimal(5)))
    outcomes = [held("a", "X", issuer="P"), held("b", "X", issuer="Q"), held("c", "Y", issuer="P")]
    rules = [
        rule(code, [SourceSpec(kind="course")], [elective(amount)], rule_id=n)
        for n, (code, amount) in enumerate([("A", "4"), ("B", "3"), ("C", "3")])
    ]
    _, found = candidates(prog, rules, outcomes, [], ON)
    hurried = best_plan(prog, found, [], ON, budget=1)
    assert not hurried.exhaustive
    assert hurried.total >= greedy_plan(prog, rules, outcomes, [], ON).total
    assert best_plan(prog, found, [], ON).exhaustive


# --- conditions, windows, prior grants, met components -------------------------------------------


def test_failed_conditions_are_each_explained() -> None:
    conditions = Conditions(
        min_score=Decimal(60), max_age_years=3, settings=frozenset({"formal", "nonformal"})
    )
    r = rule("R", [SourceSpec(item="VC:A")], [elective("2")], conditions=conditions)
    outcomes = [
        held("low", "VC:A", score=Decimal(59)),
        held("none", "VC:A", score=None),
        held("old", "VC:A", assessed_on=date(2023, 2, 28)),
        held("informal", "VC:A", setting="informal"),
        held("other", "VC:B"),
    ]
    check = audit(programme(), [r], outcomes, [], ON).checks[0]
    assert not check.applicable
    assert check.sources == ()
    assert set(templates(check.reasons)) == {
        "outcome low scored 59, below 60",
        "outcome none has no score; the rule needs 60",
        "outcome old was assessed on 2023-02-28, more than 3 years before 2026-03-01",
        "outcome informal comes from a informal setting; the rule accepts formal, nonformal",
    }
    assert unmet_conditions(conditions, held("ok", "VC:A", assessed_on=date(2023, 3, 1)), ON) == ()


def test_a_rule_not_in_force_is_not_applicable() -> None:
    outcomes = [held("o-1", "VC:A")]
    source, target = [SourceSpec(item="VC:A")], [elective("2")]
    for r in (
        rule("R", source, target, valid_from=date(2026, 3, 2)),
        rule("R", source, target, valid_until=date(2026, 2, 28)),
        rule("R", source, target, retired_from=ON),
    ):
        progress = audit(programme(), [r], outcomes, [], ON)
        assert templates(progress.checks[0].reasons) == ["not in force on 2026-03-01"]
        assert progress.plan.grants == ()
    in_force = rule("R", source, target, valid_until=ON, retired_from=date(2026, 3, 2))
    assert audit(programme(), [in_force], outcomes, [], ON).plan.total == Decimal(2)


def test_a_source_consumed_by_a_prior_grant_is_not_reused() -> None:
    r = rule("R", [SourceSpec(item="VC:A")], [elective("2")])
    earlier = prior_grant(elective("1"), "1", sources=("o-1",), source_item="VC:A")
    progress = audit(programme(), [r], [held("o-1", "VC:A")], [earlier], ON)
    assert templates(progress.checks[0].reasons) == [
        "outcome o-1 is already used by conversion CV-1"
    ]
    assert progress.plan.grants == ()
    assert progress.credits_held == Decimal(1)
    with_another = audit(
        programme(), [r], [held("o-1", "VC:A"), held("o-2", "VC:A")], [earlier], ON
    )
    assert [o.id for g in with_another.plan.grants for o in g.sources] == ["o-2"]


def test_transferred_credit_is_never_a_source() -> None:
    r = rule("R", [SourceSpec(item="VC:A")], [elective("2")])
    check = audit(programme(), [r], [held("t", "VC:A", transferred=True)], [], ON).checks[0]
    assert templates(check.reasons) == ["outcome t is transferred credit; it cannot be a source"]


def test_a_met_component_is_not_granted_again() -> None:
    prog = programme(
        [
            Component("C1", "One", Decimal(3), "core", item="VC:C1"),
            Component("C2", "Two", Decimal(2), "core"),
            Component("C3", "Three", Decimal(4), "core"),
        ],
        total="12",
    )
    outcomes = [held("o-c1", "VC:C1"), held("o-a", "VC:A")]
    prior = [
        prior_grant(exempt("C2"), "2", conversion="CV-OK"),
        prior_grant(exempt("C3"), "4", conversion="CV-WAIT", confirmed=False),
    ]
    everything_met = rule("MET", [SourceSpec(item="VC:A")], [exempt("C1"), exempt("C2")])
    partly = rule("PART", [SourceSpec(item="VC:A")], [exempt("C3"), elective("1")], rule_id=2)
    progress = audit(prog, [everything_met, partly], outcomes, prior, ON)
    assert [(m.component.code, m.by, m.transferred, m.pending) for m in progress.met] == [
        ("C1", "o-c1", False, False),
        ("C2", "CV-OK", True, False),
        ("C3", "CV-WAIT", True, True),
    ]
    first, second = progress.checks
    assert not first.applicable
    assert templates(first.reasons) == [
        "C1 is met already by outcome o-c1",
        "C2 is met already by conversion CV-OK",
        "everything it grants is met already",
    ]
    assert second.applicable
    assert second.offers == Decimal(1)
    assert granted(progress.plan) == {"PART/elective:1": Decimal(1)}
    assert (progress.credits_held, progress.credits_pending) == (Decimal(5), Decimal(4))
    assert progress.category_held == {"core": Decimal(5)}
    assert progress.credits_with_plan == Decimal(10)
    assert not progress.complete_with_plan


def test_rules_competing_for_one_outcome_are_explained() -> None:
    prog = programme([Component("C1", "One", Decimal(3))])
    big = rule("BIG", [SourceSpec(item="VC:A")], [elective("5")], rule_id=1)
    small = rule("SMALL", [SourceSpec(item="VC:A")], [exempt("C1")], rule_id=2)
    also = rule("ALSO", [SourceSpec(item="VC:B")], [exempt("C1")], rule_id=3)
    plan = plan_for(prog, [small, big, also], [held("o-1", "VC:A"), held("o-2", "VC:B")])
    assert granted(plan) == {"BIG/elective:5": Decimal(5), "ALSO/component:C1": Decimal(3)}
    assert templates([p.reason for p in plan.passed_over]) == ["outcome o-1 is used by rule BIG v1"]
    greedy = greedy_plan(
        prog, [small, big, also], [held("o-1", "VC:A"), held("o-2", "VC:B")], [], ON
    )
    assert granted(greedy) == {"SMALL/component:C1": Decimal(3)}
    assert not greedy.exhaustive
    assert templates([p.reason for p in greedy.passed_over]) == [
        "outcome o-1 is used by rule SMALL v1",
        "C1 is exempted by rule SMALL v1",
    ]


def test_a_rule_applies_once_with_its_best_sources() -> None:
    r = rule("R", [SourceSpec(item="VC:A")], [elective("2")])
    outcomes = [
        held("old", "VC:A", score=Decimal(90), assessed_on=date(2020, 1, 1)),
        held("new", "VC:A", score=Decimal(90), assessed_on=date(2025, 1, 1)),
        held("best", "VC:A", score=Decimal(95), assessed_on=date(2019, 1, 1)),
        held("unscored", "VC:A", score=None),
    ]
    checks, found = candidates(programme(), [r], outcomes, [], ON)
    assert [c.sources[0].id for c in found] == ["best", "new", "old", "unscored"]
    assert [o.id for o in checks[0].sources] == ["best"]
    plan = best_plan(programme(), found, [], ON)
    assert plan.total == Decimal(2)
    assert (
        templates([p.reason for p in plan.passed_over])
        == ["rule R v1 is applied with outcomes best"] * 3
    )


def test_two_sources_need_two_different_outcomes() -> None:
    r = rule("R", [SourceSpec(item="VC:A"), SourceSpec(kind="course")], [elective("2")])
    check = audit(programme(), [r], [held("o-1", "VC:A")], [], ON).checks[0]
    assert templates(check.reasons) == [
        "no 2 different outcomes can fill the rule's sources together"
    ]
    progress = audit(programme(), [r], [held("o-1", "VC:A"), held("o-2", "VC:B")], [], ON)
    assert [o.id for o in progress.checks[0].sources] == ["o-1", "o-2"]


def test_electives_count_toward_their_category() -> None:
    prog = programme(total="4", categories={"practice": Decimal(4)})
    r = rule("R", [SourceSpec(item="VC:A")], [elective("3", "practice"), elective("2", "practice")])
    earlier = prior_grant(elective("1", "practice"), "1")
    progress: Progress = audit(prog, [r], [held("o-1", "VC:A")], [earlier], ON)
    assert progress.category_held == {"practice": Decimal(1)}
    assert progress.credits_with_plan == Decimal(6)
    assert progress.complete_with_plan


def test_several_elective_targets_share_a_cut() -> None:
    prog = programme(caps=Caps(per_issuer=Decimal(4)))
    r = rule("R", [SourceSpec(item="VC:A")], [elective("3"), elective("2")])
    plan = plan_for(prog, [r], [held("o-1", "VC:A")])
    assert [(g.allowed, g.granted, g.cut_by) for g in plan.grants] == [
        (Decimal(3), Decimal(3), ()),
        (Decimal(2), Decimal(1), (CapKind.PER_ISSUER,)),
    ]


# --- properties ----------------------------------------------------------------------------------

ITEMS = ["A:X", "A:Y", "B:Z"]
ISSUERS = ["P", "Q", "R"]
CREDITS = [Decimal(v) for v in ("0.5", "1", "2", "2.5", "3", "4", "5")]
CAP_VALUES = [
    None,
    None,
    None,
    None,
    Decimal("0.5"),
    Decimal(2),
    Decimal("3.5"),
    Decimal(5),
    Decimal(8),
]


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[Programme, list[Rule], list[HeldOutcome], list[PriorGrant]]:
    items = ITEMS[: draw(st.integers(2, 3))]
    issuers = ISSUERS[: draw(st.integers(2, 3))]
    components = [
        Component(
            f"C{n}",
            f"Component {n}",
            draw(st.sampled_from(CREDITS)),
            item=draw(st.sampled_from([None, None, *items])),
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    outcomes = [
        held(
            f"o{n}",
            draw(st.sampled_from(items)),
            kind=draw(st.sampled_from(["course", "x_certificate"])),
            score=draw(st.sampled_from([None, Decimal(50), Decimal(70), Decimal(90), Decimal(90)])),
            issuer=draw(st.sampled_from(issuers)),
            setting=draw(st.sampled_from(["formal", "formal", "informal"])),
            transferred=draw(st.integers(0, 7)) == 0,
        )
        for n in range(draw(st.integers(1, 6)))
    ]
    spec = st.one_of(
        st.builds(SourceSpec, item=st.sampled_from(items)),
        st.builds(SourceSpec, kind=st.sampled_from(["course", "x_certificate"])),
        st.builds(
            SourceSpec,
            item=st.sampled_from(items),
            kind=st.sampled_from(["course", "x_certificate"]),
        ),
    )
    target = st.one_of(
        st.sampled_from([c.code for c in components]).map(exempt),
        st.sampled_from(CREDITS).map(lambda c: elective(str(c))),
    )
    conditions = st.builds(
        Conditions,
        min_score=st.sampled_from([None, None, None, Decimal(60)]),
        settings=st.sampled_from([frozenset(), frozenset(), frozenset({"formal"})]),
    )
    rules = [
        rule(
            f"R{n}",
            draw(st.lists(spec, min_size=1, max_size=2)),
            draw(st.lists(target, min_size=1, max_size=2, unique_by=lambda t: t.describe())),
            conditions=draw(conditions),
            rule_id=n,
        )
        for n in range(draw(st.integers(1, 6)))
    ]
    caps = Caps(
        per_source_item=draw(st.sampled_from(CAP_VALUES)),
        programme_credits=draw(st.sampled_from([None, Decimal(6), Decimal(12)])),
        programme_share=draw(st.sampled_from([None, Decimal("0.3")])),
        per_year=draw(st.sampled_from(CAP_VALUES)),
        per_issuer=draw(st.sampled_from(CAP_VALUES)),
    )
    prior = [
        prior_grant(
            draw(st.one_of(target, st.just(elective("1")))),
            str(draw(st.sampled_from(CREDITS))),
            sources=tuple(draw(st.lists(st.sampled_from([o.id for o in outcomes]), max_size=1))),
            source_item=draw(st.sampled_from(items)),
            issuer=draw(st.sampled_from(issuers)),
            requested_on=draw(st.sampled_from([date(2025, 6, 1), date(2025, 12, 1)])),
            confirmed=draw(st.booleans()),
            conversion=f"CV{n}",
        )
        for n in range(draw(st.integers(0, 2)))
    ]
    prog = programme(components, caps=caps, total="20")
    return prog, rules, outcomes, prior


def room_left(limit: Decimal | None, used: Decimal) -> Decimal | None:
    return None if limit is None else max(Decimal(0), limit - used)


def assert_within_caps(prog: Programme, prior: Sequence[PriorGrant], plan: Plan) -> None:
    caps = prog.caps
    prior_items: defaultdict[str, Decimal] = defaultdict(Decimal)
    prior_issuers: defaultdict[str, Decimal] = defaultdict(Decimal)
    plan_items: defaultdict[str, Decimal] = defaultdict(Decimal)
    plan_issuers: defaultdict[str, Decimal] = defaultdict(Decimal)
    for p in prior:
        prior_items[p.source_item.casefold()] += p.credits
        prior_issuers[p.issuer.casefold()] += p.credits
    for g in plan.grants:
        plan_items[g.sources[0].item.casefold()] += g.granted
        plan_issuers[g.sources[0].issuer.casefold()] += g.granted
    for usage, before, limit in (
        (plan_items, prior_items, caps.per_source_item),
        (plan_issuers, prior_issuers, caps.per_issuer),
    ):
        for key, amount in usage.items():
            left = room_left(limit, before[key])
            assert left is None or amount <= left
    this_year = sum(
        (p.credits for p in prior if academic_year(p.requested_on) == academic_year(ON)),
        Decimal(0),
    )
    everything = sum((p.credits for p in prior), Decimal(0))
    for limit, used in (
        (caps.per_year, this_year),
        (caps.programme_limit(prog.total_credits), everything),
    ):
        left = room_left(limit, used)
        assert left is None or plan.total <= left


def assert_sound(
    prog: Programme,
    outcomes: Sequence[HeldOutcome],
    prior: Sequence[PriorGrant],
    plan: Plan,
) -> None:
    assert_within_caps(prog, prior, plan)
    applications = {(g.rule.code, tuple(o.id for o in g.sources)) for g in plan.grants}
    used = [source for _, sources in applications for source in sources]
    assert len(used) == len(set(used))
    assert len({code for code, _ in applications}) == len(applications)
    consumed = {source for p in prior for source in p.sources}
    transferred = {o.id for o in outcomes if o.transferred}
    assert not set(used) & (consumed | transferred)
    exempted = [g.target.component for g in plan.grants if g.target.kind is TargetKind.COMPONENT]
    assert len(exempted) == len(set(exempted))
    met = {m.component.code for m in met_components(prog, outcomes, prior)}
    assert not set(exempted) & met
    for g in plan.grants:
        assert g.target in g.rule.targets
        assert Decimal(0) < g.granted <= g.allowed
        if g.target.kind is TargetKind.COMPONENT:
            component = prog.component(g.target.component or "")
            assert component is not None
            assert g.granted == g.allowed == component.credits
        else:
            assert g.allowed == g.target.credits
            assert g.granted == g.granted.quantize(Decimal("0.1"))
    assert plan.total == sum((g.granted for g in plan.grants), Decimal(0))


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_the_best_plan_is_sound_and_beats_greedy_in_any_order(
    scenario: tuple[Programme, list[Rule], list[HeldOutcome], list[PriorGrant]],
    data: st.DataObject,
) -> None:
    prog, rules, outcomes, prior = scenario
    _, found = candidates(prog, rules, outcomes, prior, ON)
    plan = best_plan(prog, found, prior, ON)
    assert plan.exhaustive
    assert_sound(prog, outcomes, prior, plan)
    orders: list[Sequence[Rule]]
    if len(rules) <= 4:
        orders = list(itertools.permutations(rules))
    else:
        orders = [data.draw(st.permutations(rules)) for _ in range(12)]
    for order in orders:
        greedy = greedy_plan(prog, order, outcomes, prior, ON)
        assert_sound(prog, outcomes, prior, greedy)
        assert plan.total >= greedy.total
    backwards = best_plan(prog, found[::-1], prior, ON)
    assert granted(backwards) == granted(plan)
