"""The statistics' pure core: (sex, age band) from an identity number, months in the bank's
time zone, periods, the cells a fact adds to, and suppression that leaves no hidden count to be
worked out from a total, a related measure or a nested count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.accounts.model import resident_check_character
from creditbank.stats.model import (
    FIGURES,
    Fact,
    StatsError,
    cells_of,
    demographics,
    month_of,
    period,
    spans,
)
from creditbank.suppression import hidden_in_table


def resident(born: str, sequence: str = "123") -> str:
    first = f"310104{born}{sequence}"
    return first + resident_check_character(first)


@pytest.mark.parametrize(
    ("number", "on", "expected"),
    [
        (resident("19900615", "121"), date(2026, 12, 7), ("male", "30-39")),
        (resident("19900615", "122"), date(2026, 12, 7), ("female", "30-39")),
        (resident("20061208", "122"), date(2026, 12, 7), ("female", "<20")),  # 20 tomorrow
        (resident("20061207", "122"), date(2026, 12, 7), ("female", "20-29")),  # 20 today
        (resident("19660101"), date(2026, 12, 7), ("male", "60+")),
        (resident("19761231").lower(), date(2026, 12, 7), ("male", "40-49")),
        (resident("19900615")[:17] + "0", date(2026, 12, 7), ("unknown", "unknown")),  # check
        (resident("19900230"), date(2026, 12, 7), ("unknown", "unknown")),  # no such day
        (resident("20300101"), date(2026, 12, 7), ("unknown", "unknown")),  # not born yet
        ("E12345678", date(2026, 12, 7), ("unknown", "unknown")),  # a passport
        ("", date(2026, 12, 7), ("unknown", "unknown")),
    ],
)
def test_demographics_of_an_identity_number(
    number: str, on: date, expected: tuple[str, str]
) -> None:
    assert demographics(number, on=on) == expected


def test_a_cells_month_is_the_banks() -> None:
    assert month_of(datetime(2026, 1, 31, 16, 0, tzinfo=UTC)) == 202602  # 00:00 in Shanghai
    assert month_of(datetime(2026, 1, 31, 15, 59, tzinfo=UTC)) == 202601
    assert month_of(date(2026, 12, 31)) == 202612


def test_periods() -> None:
    assert period(None, None) == (0, 999912)
    assert period("2025", "2026") == (202501, 202612)
    assert period("2025-03", "2025-03") == (202503, 202503)
    for start, end in (("2025-00", None), ("2025-3", None), ("x", None), ("2026", "2025")):
        with pytest.raises(StatsError):
            period(start, end)


def test_a_period_is_read_as_whole_years_and_the_months_around_them() -> None:
    assert spans(0, 999912) == (True, None, [])
    assert spans(202501, 202612) == (False, (2025, 2026), [])
    assert spans(202503, 202602) == (False, None, [(202503, 202602)])
    assert spans(202412, 202701) == (False, (2025, 2026), [(202412, 202412), (202701, 202701)])
    assert spans(0, 202510) == (False, (1, 2024), [(202501, 202510)])
    assert spans(0, 202512) == (False, (1, 2025), [])
    assert spans(202511, 999912) == (False, (2026, 9999), [(202511, 202512)])


def test_a_fact_counts_for_the_bank_its_institution_and_each_dimension() -> None:
    fact = Fact("xcerts", "certified", date(2026, 5, 1), "SCH", {"certificate": "TEO:BIM"})
    keys = {key for key, _, _ in cells_of(fact)}
    assert keys == {
        ("xcerts", "certified", scope, dim, value, 202605)
        for scope in ("", "SCH")
        for dim, value in (("all", ""), ("certificate", "TEO:BIM"), ("institution", "SCH"))
    }
    bank_only = Fact("recognition", "recognised", date(2026, 5, 1), None, count=3)
    assert cells_of(bank_only) == [
        (("recognition", "recognised", "", "all", "", 202605), 3, Decimal(0))
    ]


def test_every_figure_has_measures_and_breakdowns() -> None:
    for spec in FIGURES.values():
        assert spec.measure_names
        assert "all" in spec.by
        assert set(spec.amounts) <= set(spec.measure_names)
        for inner, outer in spec.nested:
            assert {inner, outer} <= set(spec.measure_names)


def test_one_small_count_in_a_column_takes_the_smallest_other_with_it() -> None:
    counts = {"a": 3, "b": 40, "c": 25, "total": 68}
    hidden = hidden_in_table(counts, 10, sums=[("total", ["a", "b", "c"])])
    assert hidden == {"a", "c"}


def test_a_hidden_whole_is_not_given_away_by_its_parts() -> None:
    counts = {"decided": 30, "accredited": 25, "not": 5}
    assert hidden_in_table(counts, 10, sums=[("decided", ["accredited", "not"])]) == {
        "not",
        "accredited",
    }


def test_nested_counts_that_differ_by_a_few_are_not_both_shown() -> None:
    counts = {"certified": 48, "assessed": 50, "registered": 90}
    nested = [("certified", "assessed"), ("certified", "registered"), ("assessed", "registered")]
    assert hidden_in_table(counts, 10, nested=nested) == {"certified"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=2, max_size=2),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=2, max_value=12),
)
def test_no_hidden_count_can_be_worked_out(table: list[list[int]], threshold: int) -> None:
    """Rows of (part, whole) with part <= whole, and their column totals: whatever is hidden,
    no count below the threshold is shown, no relation has exactly one unknown, and no two
    shown nested counts differ by a small number."""
    rows = [(min(pair), max(pair)) for pair in table]
    counts: dict[tuple[int, str], int] = {}
    for index, (part, biggest) in enumerate(rows):
        counts[index, "part"] = part
        counts[index, "whole"] = biggest
    total = len(rows)
    counts[total, "part"] = sum(part for part, _ in rows)
    counts[total, "whole"] = sum(whole for _, whole in rows)
    sums = [((total, col), [(index, col) for index in range(total)]) for col in ("part", "whole")]
    nested = [((index, "part"), (index, "whole")) for index in range(total + 1)]
    hidden = hidden_in_table(counts, threshold, sums=sums, nested=nested)
    for key, count in counts.items():
        if 0 < count < threshold:
            assert key in hidden
    for total_key, parts in sums:
        assert len([key for key in (total_key, *parts) if key in hidden]) != 1
    for inner, outer in nested:
        if inner not in hidden and outer not in hidden:
            assert not 0 < counts[outer] - counts[inner] < threshold
