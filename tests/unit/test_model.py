"""The pure framework model: building, validating, ordering levels."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.frameworks.files import builtin_frameworks
from creditbank.frameworks.model import (
    FrameworkDraft,
    FrameworkError,
    FrameworkVersion,
    LevelSpec,
    NotFoundError,
    Text,
    TrackSpec,
    build_framework,
    version_in_force,
)


def draft(
    *tracks: TrackSpec, code: str = "TEST", effective: date = date(2020, 1, 1)
) -> FrameworkDraft:
    return FrameworkDraft(
        code=code,
        name=Text(en="Test"),
        description=Text(),
        source="test",
        effective_from=effective,
        tracks=tracks,
    )


def track(
    codes: list[str], *, highest_first: bool, code: str = "main", ordered: bool = True
) -> TrackSpec:
    return TrackSpec(
        code=code,
        name=Text(en=code),
        ordered=ordered,
        highest_first=highest_first,
        levels=tuple(LevelSpec(c, Text(en=f"level {c}")) for c in codes),
    )


def builtin(code: str) -> FrameworkVersion:
    return next(build_framework(d, version=1) for d in builtin_frameworks() if d.code == code)


def test_nvqc_level_1_is_the_highest() -> None:
    nvqc = builtin("NVQC")
    assert nvqc.is_at_least("1", "5")
    assert nvqc.is_at_least("2", "3")
    assert not nvqc.is_at_least("5", "4")
    assert nvqc.compare("3", "3") == 0
    assert [level.code for level in nvqc.tracks[0].levels_highest_first()] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


def test_eqf_level_8_is_the_highest() -> None:
    eqf = builtin("EQF")
    assert eqf.is_at_least("8", "1")
    assert not eqf.is_at_least("4", "5")


def test_levels_on_different_tracks_are_not_comparable() -> None:
    cleqf = builtin("CLEQF")
    with pytest.raises(FrameworkError, match="different tracks") as raised:
        cleqf.compare("GE3", "VE1")
    assert raised.value.code == "levels_not_comparable"


def test_categories_are_not_ordered() -> None:
    cleqf = builtin("CLEQF")
    with pytest.raises(FrameworkError, match="unordered categories"):
        cleqf.is_at_least("VA-COMP", "VA-RESEARCH")


def test_level_lookup_is_case_insensitive_and_names_the_missing_level() -> None:
    qcptp = builtin("QCPTP")
    assert qcptp.level("SENIOR").code == "senior"
    with pytest.raises(NotFoundError, match=r"framework QCPTP \(version 1\) has no level expert"):
        qcptp.level("expert")


def test_duplicate_level_codes_are_refused_with_every_problem_named() -> None:
    bad = draft(
        track(["1", "2", "2", "a"], highest_first=False),
        track(["A", ""], highest_first=True, code="x"),
    )
    with pytest.raises(FrameworkError) as raised:
        build_framework(bad, version=1)
    text = str(raised.value)
    assert raised.value.code == "invalid_framework"
    assert "duplicate level code 2" in text
    assert "duplicate level code A (tracks main and x)" in text
    assert "level code  must be" in text  # the empty code is reported too
    assert len(raised.value.problems) == 3


def test_bad_framework_code_and_empty_track_are_refused() -> None:
    with pytest.raises(FrameworkError) as raised:
        build_framework(draft(track([], highest_first=True), code="nvqc x"), version=1)
    problems = [str(p) for p in raised.value.problems]
    assert any("framework code nvqc x" in p for p in problems)
    assert any("track main has no levels" in p for p in problems)


def test_version_in_force_follows_effective_dates() -> None:
    v1 = build_framework(
        draft(track(["1"], highest_first=True), effective=date(2020, 1, 1)), version=1
    )
    v2 = build_framework(
        draft(track(["1", "2"], highest_first=True), effective=date(2025, 1, 1)), version=2
    )
    assert version_in_force([v1, v2], date(2024, 12, 31)) is v1
    assert version_in_force([v2, v1], date(2025, 1, 1)) is v2
    assert version_in_force([v1, v2], date(2019, 1, 1)) is v1  # nothing in force yet: the earliest


@given(
    count=st.integers(min_value=1, max_value=12),
    highest_first=st.booleans(),
    data=st.data(),
)
def test_order_follows_the_listing_and_its_direction(
    count: int, highest_first: bool, data: st.DataObject
) -> None:
    codes = [f"L{i}" for i in range(count)]
    framework = build_framework(draft(track(codes, highest_first=highest_first)), version=1)
    i = data.draw(st.integers(0, count - 1))
    j = data.draw(st.integers(0, count - 1))
    listed_earlier = i < j
    a, b = codes[i], codes[j]
    assert framework.compare(a, b) == -framework.compare(b, a)
    if i == j:
        assert framework.compare(a, b) == 0
    elif listed_earlier == highest_first:
        assert framework.compare(a, b) == 1
        assert framework.is_at_least(a, b)
        assert not framework.is_at_least(b, a)
    else:
        assert framework.compare(a, b) == -1
