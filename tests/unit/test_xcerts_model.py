"""The 1+X pure core: the BIM weights at every level (seed 004), results rows, headers, the
checks of profiles, offerings, trainings and schedules, and candidates' tallies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accreditation.model import ComponentKind, Scheme, SchemeComponent, ScoreResult
from creditbank.xcerts.model import (
    Profile,
    ResultStatus,
    RowProblem,
    Tally,
    Training,
    XcertError,
    check_certification_window,
    check_offering,
    check_profile,
    check_results_day,
    check_results_header,
    check_schedule,
    check_training,
    tally_of,
    weigh_row,
)

BIM = {"beginner": (20, 80), "intermediate": (20, 80), "advanced": (60, 40)}


def scheme(theory: int, practice: int, *, minimum: Decimal | None = None) -> Scheme:
    return Scheme(
        (
            SchemeComponent(ComponentKind.THEORY, theory, pass_mark=minimum),
            SchemeComponent(ComponentKind.PRACTICE, practice, pass_mark=None),
        ),
        pass_mark=Decimal(60),
    )


def weigh(level: str, theory: str, practice: str) -> ScoreResult:
    found = weigh_row(2, {"theory": theory, "practice": practice}, scheme(*BIM[level]))
    assert isinstance(found, ScoreResult), found
    return found


@pytest.mark.parametrize(
    ("level", "theory", "practice", "weighted", "passed"),
    [
        # a weak theory exam and a good practical: the 20/80 levels pass, 60/40 fails
        ("beginner", "30", "75", "66.00", True),
        ("intermediate", "30", "75", "66.00", True),
        ("advanced", "30", "75", "48.00", False),
        # the other way round: a strong theory exam carries the advanced level only
        ("beginner", "90", "50", "58.00", False),
        ("intermediate", "90", "50", "58.00", False),
        ("advanced", "90", "50", "74.00", True),
        # exactly the pass mark passes
        ("advanced", "60", "60", "60.00", True),
        ("beginner", "59.5", "59.5", "59.50", False),
    ],
)
def test_the_bim_weights_at_every_level(
    level: str, theory: str, practice: str, weighted: str, passed: bool
) -> None:
    result = weigh(level, theory, practice)
    assert result.weighted == Decimal(weighted)
    assert result.passed is passed
    assert [c.weight for c in result.components] == list(BIM[level])
    if not passed:
        assert any("below the pass mark 60" in reason.render() for reason in result.reasons)


@given(
    theory=st.decimals(min_value=0, max_value=100, places=2),
    practice=st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_weighted_mark_lies_between_its_component_marks(
    theory: Decimal, practice: Decimal
) -> None:
    for level in BIM:
        result = weigh(level, str(theory), str(practice))
        low, high = sorted((theory, practice))
        assert low - Decimal("0.01") <= result.weighted <= high + Decimal("0.01")


def test_a_component_minimum_fails_a_good_weighted_mark() -> None:
    found = weigh_row(2, {"theory": "40", "practice": "95"}, scheme(20, 80, minimum=Decimal(50)))
    assert isinstance(found, ScoreResult)
    assert found.weighted == Decimal("84.00")
    assert not found.passed
    assert [r.render() for r in found.reasons] == ["theory: 40 is below its minimum of 50"]


def test_bad_marks_are_named_by_line_and_column_without_their_value() -> None:
    bim = scheme(20, 80)
    found = weigh_row(7, {"theory": "", "practice": "eighty"}, bim)
    assert found == [
        RowProblem(7, "theory", found[0].message),  # type: ignore[index]
        RowProblem(7, "practice", found[1].message),  # type: ignore[index]
    ]
    assert isinstance(found, list)
    assert [p.said().render() for p in found] == [
        "line 7, theory: a mark is needed",
        "line 7, practice: a mark is a number with at most two decimals",
    ]
    too_high = weigh_row(3, {"theory": "70", "practice": "120"}, bim)
    assert isinstance(too_high, list)
    assert [p.said().render() for p in too_high] == [
        "line 3, -: practice: a mark is between 0 and 100, not 120"
    ]
    precise = weigh_row(4, {"theory": "70.125", "practice": "70"}, bim)
    assert isinstance(precise, list)
    assert precise[0].column == "theory"


def test_a_nested_reason_is_translated_with_its_line() -> None:
    problem = RowProblem(3, "id_number", weigh_row(3, {}, scheme(20, 80))[0].message)  # type: ignore[index]
    catalogue = {"line {line}, {column}: {reason}": "第 {line} 行，{column}：{reason}"}
    catalogue["a mark is needed"] = "缺少分数"
    assert problem.said().render(lambda text: catalogue.get(text, text)) == (
        "第 3 行，id_number：缺少分数"
    )


def test_the_header_must_fit_the_scheme() -> None:
    bim = scheme(20, 80)
    assert check_results_header(["ID_Number", "name", "theory", "practice"], bim) == [
        "id_number",
        "name",
        "theory",
        "practice",
    ]
    with pytest.raises(XcertError) as refused:
        check_results_header(["id_number", "theory", "portfolio", "theory"], bim)
    assert refused.value.code == "results_rejected"
    assert [p.render() for p in refused.value.problems] == [
        "unknown column portfolio",
        "missing column name",
        "missing column practice",
        "column theory appears twice",
    ]


def test_profiles_offerings_trainings_and_schedules() -> None:
    assert check_profile(Profile("土木建筑", valid_years=5)) == []
    assert len(check_profile(Profile(" ", valid_years=0))) == 2
    assert Profile("x", valid_years=3).valid_until(date(2024, 2, 29)) == date(2027, 2, 28)
    assert Profile("x").valid_until(date(2024, 1, 1)) is None
    assert check_offering(school_type="secondary_vocational_school", school="S", provider="P") == []
    assert check_offering(school_type="enterprise", school="E", provider="P")
    assert check_offering(school_type="university", school="P", provider="P")
    today = date(2026, 6, 1)
    assert check_training(Training("BIM 师资培训", 5, date(2026, 5, 1)), today) == []
    assert len(check_training(Training("", 0, date(2026, 7, 1)), today)) == 3
    assert (
        check_certification_window(
            valid_from=date(2026, 5, 2), valid_until=date(2029, 5, 1), trained_on=date(2026, 5, 1)
        )
        == []
    )
    untrained = check_certification_window(
        valid_from=date(2026, 5, 2), valid_until=date(2026, 5, 1), trained_on=None
    )
    assert [p.render() for p in untrained] == [
        "a certification cannot end before it starts",
        "record the teacher's training for this certificate first",
    ]
    assert check_certification_window(
        valid_from=date(2026, 4, 1), valid_until=date(2029, 5, 1), trained_on=date(2026, 5, 1)
    )
    assert check_schedule(date(2026, 6, 20), today) == []
    assert check_schedule(date(2030, 1, 1), today)
    assert check_schedule(date(2024, 1, 1), today)
    check_results_day(today, today)
    with pytest.raises(XcertError) as early:
        check_results_day(date(2026, 6, 2), today)
    assert early.value.code == "invalid_session"


def test_tallies_count_registered_exempt_assessed_and_certified() -> None:
    tally = tally_of(
        [
            (False, ResultStatus.PASSED),
            (True, ResultStatus.FAILED),
            (True, ResultStatus.REGISTERED),
            (False, ResultStatus.PASSED),
        ]
    )
    assert tally == Tally(registered=4, fee_exempt=2, assessed=3, certified=2)
    assert tally.pass_rate == Decimal("66.7")
    assert Tally().pass_rate is None
    assert tally + tally == Tally(8, 4, 6, 4)
