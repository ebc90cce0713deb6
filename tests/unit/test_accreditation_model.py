"""The pure core of accreditation: standard and scheme checks, scoring (the BIM weights of seed
004 at every level), the states of an application and their deadlines, decisions."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accreditation.model import (
    DEADLINE_DAYS,
    MAX_REASON,
    MAX_STATEMENT,
    OPEN_STATES,
    TRANSITIONS,
    AccreditationError,
    ComponentKind,
    Decision,
    Domain,
    Scheme,
    SchemeComponent,
    ScoreResult,
    StandardDraft,
    State,
    Statement,
    Step,
    UnitSpec,
    after_decision,
    check_decision,
    check_scheme,
    check_standard,
    check_statement,
    due_on,
    require_step,
    score,
    stalled,
)
from creditbank.messages import Message

THEORY, PRACTICE = ComponentKind.THEORY, ComponentKind.PRACTICE


def texts(messages: tuple[Message, ...] | list[Message]) -> list[str]:
    return [str(m) for m in messages]


def two_parts(
    theory: int,
    practice: int,
    *,
    theory_min: Decimal | None = None,
    practice_min: Decimal | None = None,
) -> Scheme:
    return Scheme(
        (
            SchemeComponent(THEORY, theory, theory_min),
            SchemeComponent(PRACTICE, practice, practice_min),
        )
    )


# seed 004, 表 2 (BIM 职业技能等级考核评价内容权重表): theory/practice by level; no component
# minimum, an overall pass mark of 60
BIM = {
    "beginner": two_parts(20, 80),
    "intermediate": two_parts(20, 80),
    "advanced": two_parts(60, 40),
}


def marks(theory: str | int, practice: str | int) -> dict[str, Decimal]:
    return {"theory": Decimal(theory), "practice": Decimal(practice)}


# --- schemes ------------------------------------------------------------------------------


def test_the_bim_schemes_are_valid() -> None:
    for level, scheme in BIM.items():
        assert check_scheme(scheme) == [], level
        assert scheme.pass_mark == Decimal(60)
        assert all(c.pass_mark is None for c in scheme.components)
    assert BIM["advanced"].describe() == "theory 60 / practice 40, pass 60"


def test_every_problem_of_a_scheme_is_named() -> None:
    assert texts(check_scheme(Scheme(()))) == ["scheme: a scheme needs at least one component"]
    bad = Scheme(
        (
            SchemeComponent(THEORY, 0),
            SchemeComponent(PRACTICE, 101, Decimal(101)),
            SchemeComponent(THEORY, 20),
        ),
        Decimal(-1),
    )
    assert texts(check_scheme(bad, "units[1].scheme")) == [
        "units[1].scheme: component theory is listed twice",
        "units[1].scheme: the weight of theory must be 1 to 100 percent, not 0",
        "units[1].scheme: the weight of practice must be 1 to 100 percent, not 101",
        "units[1].scheme.practice: a mark is between 0 and 100, not 101",
        "units[1].scheme: the weights add up to 121, not 100",
        "units[1].scheme.pass_mark: a mark is between 0 and 100, not -1",
    ]
    assert texts(check_scheme(two_parts(30, 60))) == ["scheme: the weights add up to 90, not 100"]


def test_a_scheme_of_one_component_is_whole() -> None:
    assert check_scheme(Scheme((SchemeComponent(ComponentKind.PORTFOLIO, 100),))) == []


# --- standards ----------------------------------------------------------------------------


def unit(code: str = "U1", **changes: object) -> UnitSpec:
    spec = UnitSpec(
        code=code,
        name="车站客运服务",
        level="VE1",
        credits=Decimal(4),
        scheme=two_parts(30, 70),
        statements=(Statement(Domain.SKILLS, "能够操作自动售检票设备"),),
        criteria=("按规程完成开站作业",),
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def standard(*units: UnitSpec, **changes: object) -> StandardDraft:
    draft = StandardDraft(
        code="CQ-SCS-RAIL",
        version=1,
        name="城市轨道交通运营能力标准",
        industry="交通运输业",
        occupation="站务员",
        framework="CLEQF",
        units=units or (unit(),),
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


def test_a_complete_standard_has_no_problem() -> None:
    assert check_standard(standard(unit("U1"), unit("U2", level="VE2"))) == []


def test_every_problem_of_a_standard_is_named() -> None:
    bad = standard(code="no spaces", version=0, name=" ", industry="", occupation="", units=())
    assert texts(check_standard(bad)) == [
        "standard code 'no spaces' must be 1-64 letters, digits, '.', '-' or '_'",
        "a standard's version is a whole number from 1",
        "a standard needs its name",
        "a standard needs its industry",
        "a standard needs its occupation",
        "a standard needs at least one unit",
    ]


def test_every_problem_of_a_unit_is_named_with_its_place() -> None:
    draft = standard(
        unit("U1"),
        unit("u1", name=" ", credits=Decimal(0), statements=(), criteria=()),
        unit("U/3", credits=Decimal(1000), scheme=two_parts(50, 60)),
    )
    assert texts(check_standard(draft)) == [
        "units[1]: unit u1 is listed twice",
        "units[1]: a unit needs a name",
        "units[1]: credits must be more than 0 and at most 999, not 0",
        "units[1]: a unit needs at least one outcome statement",
        "units[1]: a unit needs its assessment criteria",
        "units[2]: unit code 'U/3' must be 1-64 letters, digits, '.', '-' or '_'",
        "units[2]: credits must be more than 0 and at most 999, not 1000",
        "units[2].scheme: the weights add up to 110, not 100",
    ]


# --- scoring: the BIM weights at every level -------------------------------------------------


@pytest.mark.parametrize(
    ("level", "weighted", "passed"),
    [("beginner", "66.00", True), ("intermediate", "66.00", True), ("advanced", "48.00", False)],
)
def test_the_bim_weights_decide_at_every_level(level: str, weighted: str, passed: bool) -> None:
    """Theory 30, practice 75: practice-heavy levels pass, the theory-heavy advanced fails."""
    result = score(BIM[level], marks(30, 75))
    assert result.weighted == Decimal(weighted)
    assert str(result.weighted) == weighted
    assert result.passed is passed
    assert [(c.kind, c.weight, c.passed) for c in result.components] == [
        (THEORY, BIM[level].components[0].weight, True),
        (PRACTICE, BIM[level].components[1].weight, True),
    ]
    expected = (
        []
        if passed
        else [f"the weighted mark {Decimal(weighted).normalize():f} is below the pass mark 60"]
    )
    assert texts(result.reasons) == expected


@pytest.mark.parametrize(
    ("level", "weighted", "passed"),
    [("beginner", "50.00", False), ("intermediate", "50.00", False), ("advanced", "70.00", True)],
)
def test_the_same_marks_the_other_way_round(level: str, weighted: str, passed: bool) -> None:
    """Theory 90, practice 40: only the theory-heavy advanced level passes."""
    result = score(BIM[level], marks(90, 40))
    assert (result.weighted, result.passed) == (Decimal(weighted), passed)


def test_the_pass_mark_itself_passes() -> None:
    assert score(BIM["advanced"], marks(60, 60)).passed
    just_below = score(BIM["advanced"], marks("59.99", "59.99"))
    assert (just_below.weighted, just_below.passed) == (Decimal("59.99"), False)


def test_the_weighted_mark_is_rounded_half_up() -> None:
    half = Scheme((SchemeComponent(THEORY, 50), SchemeComponent(PRACTICE, 50)))
    # 60.005 rounds up to 60.01 (banker's rounding would give 60.00)
    assert score(half, marks("60.01", "60.00")).weighted == Decimal("60.01")
    # 60.015 -> 60.02 and 60.025 -> 60.03 (banker's: 60.02 both)
    assert score(half, marks("60.03", "60.00")).weighted == Decimal("60.02")
    assert score(half, marks("60.05", "60.00")).weighted == Decimal("60.03")
    thirds = Scheme((SchemeComponent(THEORY, 33), SchemeComponent(PRACTICE, 67)))
    # 33 * 59.99 + 67 * 60 = 5999.67 -> 59.9967 -> 60.00: a pass
    rounded = score(thirds, marks("59.99", "60"))
    assert (rounded.weighted, rounded.passed) == (Decimal("60.00"), True)


def test_a_component_minimum_fails_a_high_weighted_mark() -> None:
    scheme = two_parts(40, 60, practice_min=Decimal(60))
    result = score(scheme, marks(100, 55))
    assert result.weighted == Decimal(73)
    assert not result.passed
    assert [c.passed for c in result.components] == [True, False]
    assert texts(result.reasons) == ["practice: 55 is below its minimum of 60"]
    both = score(
        two_parts(40, 60, theory_min=Decimal("50.5"), practice_min=Decimal(60)), marks(50, 10)
    )
    assert texts(both.reasons) == [
        "theory: 50 is below its minimum of 50.5",
        "practice: 10 is below its minimum of 60",
        "the weighted mark 26 is below the pass mark 60",
    ]
    assert score(scheme, marks(0, 60)).passed is False  # weighted 36
    assert score(scheme, marks(60, 60)).passed is True


def test_marks_that_cannot_be_weighed_are_refused_with_every_problem() -> None:
    scheme = BIM["advanced"]
    with pytest.raises(AccreditationError) as refused:
        score(scheme, {"essay": Decimal(50), "interview": Decimal(1), "theory": Decimal(101)})
    assert refused.value.code == "invalid_scores"
    assert str(refused.value.message) == "the marks cannot be weighed"
    assert texts(refused.value.problems) == [
        "the scheme has no component essay (it has theory, practice)",
        "the scheme has no component interview (it has theory, practice)",
        "theory: a mark is between 0 and 100, not 101",
        "a mark for practice is missing",
    ]
    with pytest.raises(AccreditationError) as negative:
        score(scheme, marks(-1, "100.01"))
    assert texts(negative.value.problems) == [
        "theory: a mark is between 0 and 100, not -1",
        "practice: a mark is between 0 and 100, not 100.01",
    ]
    assert score(scheme, marks(0, 100)).weighted == Decimal(40)


def test_a_mark_that_is_not_a_number_is_refused_as_invalid_scores() -> None:
    """A NaN mark (``Decimal("NaN")``, which JSON and Pydantic can produce) must be an
    ``invalid_scores`` problem like any other bad mark, not a crash of the comparison."""
    with pytest.raises(AccreditationError) as refused:
        score(BIM["advanced"], {"theory": Decimal("NaN"), "practice": Decimal(50)})
    assert refused.value.code == "invalid_scores"


marks_2dp = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    kinds = draw(st.permutations(list(ComponentKind)))[: draw(st.integers(1, 4))]
    cuts = sorted(
        draw(
            st.lists(
                st.integers(1, 99), min_size=len(kinds) - 1, max_size=len(kinds) - 1, unique=True
            )
        )
    )
    weights = [b - a for a, b in itertools.pairwise([0, *cuts, 100])]
    minimums = [draw(st.one_of(st.none(), marks_2dp)) for _ in kinds]
    return Scheme(
        tuple(SchemeComponent(k, w, m) for k, w, m in zip(kinds, weights, minimums, strict=True)),
        draw(marks_2dp),
    )


@st.composite
def scored(draw: st.DrawFn) -> tuple[Scheme, dict[str, Decimal]]:
    scheme = draw(schemes())
    return scheme, {c.kind.value: draw(marks_2dp) for c in scheme.components}


@given(scored())
def test_the_weighted_mark_lies_between_the_least_and_greatest_mark(
    case: tuple[Scheme, dict[str, Decimal]],
) -> None:
    scheme, given_marks = case
    assert check_scheme(scheme) == []
    result = score(scheme, given_marks)
    assert min(given_marks.values()) <= result.weighted <= max(given_marks.values())
    assert result.passed == (not result.reasons)


@given(scored(), st.data())
def test_raising_a_mark_never_turns_a_pass_into_a_fail(
    case: tuple[Scheme, dict[str, Decimal]], data: st.DataObject
) -> None:
    scheme, given_marks = case
    kind = data.draw(st.sampled_from(sorted(given_marks)))
    higher = data.draw(st.decimals(min_value=given_marks[kind], max_value=100, places=2))
    before = score(scheme, given_marks)
    after = score(scheme, {**given_marks, kind: higher})
    assert after.weighted >= before.weighted
    if before.passed:
        assert after.passed


# --- applications: steps, deadlines, decisions ----------------------------------------------

ALLOWED = {
    Step.ASSIGN: {State.SUBMITTED, State.ASSIGNED, State.APPEALED},
    Step.SCORE: {State.ASSIGNED, State.SCORED},
    Step.DECIDE: {State.ASSIGNED, State.SCORED},
    Step.CONFIRM: {State.DECIDED},
    Step.RETURN: {State.DECIDED},
    Step.ADD_EVIDENCE: {State.MORE_EVIDENCE},
    Step.APPEAL: {State.NOT_ACCREDITED},
}
"""Who may move an application from where, spelt out once more by hand."""


def test_the_transitions_are_as_designed() -> None:
    assert {step: set(states) for step, states in TRANSITIONS.items()} == ALLOWED
    assert set(TRANSITIONS) == set(Step)
    # an accredited application is final; a refused one can only be appealed
    assert not any(State.ACCREDITED in states for states in TRANSITIONS.values())
    assert [s for s, states in TRANSITIONS.items() if State.NOT_ACCREDITED in states] == [
        Step.APPEAL
    ]
    # every open state has a way on
    assert set().union(*TRANSITIONS.values()) >= OPEN_STATES


@pytest.mark.parametrize(("state", "step"), list(itertools.product(State, Step)))
def test_require_step_for_every_state_and_step(state: State, step: Step) -> None:
    if state in ALLOWED[step]:
        require_step(state, step)
        return
    with pytest.raises(AccreditationError) as refused:
        require_step(state, step)
    assert refused.value.code == "application_status_conflict"
    allowed = ", ".join(sorted(s.value for s in ALLOWED[step]))
    assert str(refused.value.message) == (
        f"the application is {state.value}; to {step.value} it must be {allowed}"
    )


def test_a_confirmed_decision_leaves_its_state() -> None:
    assert after_decision(Decision.ACCREDITED) is State.ACCREDITED
    assert after_decision(Decision.NOT_ACCREDITED) is State.NOT_ACCREDITED
    assert after_decision(Decision.MORE_EVIDENCE) is State.MORE_EVIDENCE


def test_open_states_have_deadlines_and_final_ones_none() -> None:
    assert set(DEADLINE_DAYS) == OPEN_STATES
    assert set(State) - {State.ACCREDITED, State.NOT_ACCREDITED} == OPEN_STATES
    since = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
    assert due_on(State.SUBMITTED, since) == date(2025, 3, 8)
    assert due_on(State.ASSIGNED, since) == date(2025, 3, 22)
    assert due_on(State.MORE_EVIDENCE, since) == date(2025, 4, 30)
    assert due_on(State.ACCREDITED, since) is None
    assert due_on(State.NOT_ACCREDITED, since) is None


def test_an_application_is_stalled_the_day_after_it_is_due() -> None:
    since = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert not stalled(State.SUBMITTED, since, date(2025, 3, 8))
    assert stalled(State.SUBMITTED, since, date(2025, 3, 9))
    assert not stalled(State.DECIDED, since, date(2025, 3, 2))
    assert not stalled(State.ACCREDITED, since, date(2030, 1, 1))
    assert not stalled(State.NOT_ACCREDITED, since, date(2030, 1, 1))
    for state in OPEN_STATES:
        due = due_on(state, since)
        assert due is not None
        assert not stalled(state, since, due)


PASSING = score(BIM["beginner"], marks(30, 75))
FAILING = score(BIM["advanced"], marks(30, 75))


def decide(
    decision: Decision,
    result: ScoreResult | None,
    granted: str | None = None,
    reasons: str = "",
) -> list[str]:
    return texts(
        check_decision(
            decision,
            result=result,
            granted=None if granted is None else Decimal(granted),
            unit_credits=Decimal(4),
            reasons=reasons,
        )
    )


def test_accrediting_needs_marks_that_pass_and_at_most_the_unit_s_credits() -> None:
    assert decide(Decision.ACCREDITED, PASSING) == []
    assert decide(Decision.ACCREDITED, PASSING, "4") == []
    assert decide(Decision.ACCREDITED, PASSING, "2.5") == []
    assert decide(Decision.ACCREDITED, None) == ["record the marks before deciding to accredit"]
    assert decide(Decision.ACCREDITED, FAILING) == [
        "the marks do not pass, so the learning cannot be accredited"
    ]
    too_many = ["credits must be more than 0 and at most the unit's 4"]
    assert decide(Decision.ACCREDITED, PASSING, "4.5") == too_many
    assert decide(Decision.ACCREDITED, PASSING, "0") == too_many
    assert decide(Decision.ACCREDITED, FAILING, "5") == [
        "the marks do not pass, so the learning cannot be accredited",
        *too_many,
    ]


def test_refusing_needs_marks_that_fail_or_a_reason() -> None:
    assert decide(Decision.NOT_ACCREDITED, FAILING) == []
    assert decide(Decision.NOT_ACCREDITED, PASSING) == [
        "the marks pass: say why the learning is not accredited"
    ]
    assert decide(Decision.NOT_ACCREDITED, PASSING, reasons="证据系伪造") == []
    assert decide(Decision.NOT_ACCREDITED, None) == ["say why the learning is not accredited"]
    assert decide(Decision.NOT_ACCREDITED, None, reasons="  ") == [
        "say why the learning is not accredited"
    ]
    assert decide(Decision.NOT_ACCREDITED, None, reasons="与单元无关") == []


def test_asking_for_more_evidence_says_what_is_missing() -> None:
    assert decide(Decision.MORE_EVIDENCE, None) == ["say what evidence is missing"]
    assert decide(Decision.MORE_EVIDENCE, None, reasons="缺少用人单位证明") == []
    assert decide(Decision.MORE_EVIDENCE, PASSING, reasons="缺少用人单位证明") == []


def test_reasons_and_statements_have_limits() -> None:
    assert decide(Decision.MORE_EVIDENCE, None, reasons="x" * (MAX_REASON + 1)) == [
        f"the reasons are longer than {MAX_REASON} characters"
    ]
    assert texts(check_statement(" ")) == ["say in a statement what was learned, where and how"]
    assert texts(check_statement("x" * (MAX_STATEMENT + 1))) == [
        f"the statement is longer than {MAX_STATEMENT} characters"
    ]
    assert check_statement("在重庆轨道交通集团从事站务工作三年") == []
