"""Catalogue rules without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditbank.catalog.model import (
    AchievementType,
    GrantWindow,
    ItemDraft,
    ItemKind,
    check_grant,
    check_item,
    split_item_ref,
)


def draft(**changes: object) -> ItemDraft:
    base: dict[str, object] = {
        "institution": "A",
        "code": "C1",
        "kind": ItemKind.COURSE,
        "name": "课程",
        "framework": "LOFOUC",
        "levels": ("4",),
        "credits": Decimal("3.0"),
    }
    return ItemDraft(**{**base, **changes})  # type: ignore[arg-type]


def problems(**changes: object) -> list[str]:
    return [str(p) for p in check_item(draft(**changes))]


def test_a_good_course() -> None:
    assert problems() == []


def test_achievements_need_their_type() -> None:
    assert problems(kind=ItemKind.ACHIEVEMENT, credits=None) == [
        "an achievement, and only an achievement, has an achievement type"
    ]
    assert (
        problems(
            kind=ItemKind.ACHIEVEMENT,
            credits=None,
            achievement_type=AchievementType.COMPETITION_AWARD,
        )
        == []
    )
    assert problems(achievement_type=AchievementType.RESEARCH) == [
        "an achievement, and only an achievement, has an achievement type"
    ]


def test_x_certificates_need_provider_and_round() -> None:
    found = problems(kind=ItemKind.X_CERTIFICATE, levels=("beginner",), framework="1X")
    assert len(found) == 2
    assert (
        problems(kind=ItemKind.X_CERTIFICATE, levels=("beginner",), provider="P", approval_round=4)
        == []
    )
    assert problems(approval_round=2) == ["only X certificates have an approval round"]


def test_levels_codes_and_names() -> None:
    assert problems(levels=()) == ["an item needs at least one level of its framework"]
    assert problems(levels=("4", "4")) == ["a level is listed twice"]
    assert problems(code="bad code") == [
        "item code 'bad code' must be 1-64 letters, digits, '.', '-' or '_'"
    ]
    assert problems(name=" ") == ["an item needs a name"]


# --- grants ------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def windows(draw: st.DrawFn) -> GrantWindow:
    start = draw(DAYS)
    end = draw(st.none() | st.dates(min_value=start, max_value=date(2040, 12, 31)))
    return GrantWindow(start, end)


@given(windows(), windows(), DAYS)
def test_windows_that_share_a_day_overlap(a: GrantWindow, b: GrantWindow, day: date) -> None:
    if a.covers(day) and b.covers(day):
        assert a.overlaps(b) and b.overlaps(a)
    assert a.overlaps(b) == b.overlaps(a)
    if a.overlaps(b):  # then some day is covered by both: the later start
        shared = max(a.valid_from, b.valid_from)
        assert a.covers(shared) and b.covers(shared)


def test_a_window_covers_its_days() -> None:
    year = GrantWindow(date(2024, 1, 1), date(2024, 12, 31))
    assert year.covers(date(2024, 1, 1)) and year.covers(date(2024, 12, 31))
    assert not year.covers(date(2023, 12, 31)) and not year.covers(date(2025, 1, 1))
    assert str(year) == "2024-01-01/2024-12-31"
    assert str(GrantWindow(date(2024, 1, 1))) == "2024-01-01/.."
    assert GrantWindow(date(2024, 1, 1)).covers(date(2099, 1, 1))


def test_item_references() -> None:
    assert split_item_ref("BIM-X") == (None, "BIM-X")
    assert split_item_ref(" teo-bim:BIM-X ") == ("TEO-BIM", "BIM-X")


def test_grant_rules() -> None:
    fine = GrantWindow(date(2024, 1, 1), date(2024, 12, 31))
    assert check_grant(owner="TEO", grantee="JSVC", window=fine) == []
    backwards = GrantWindow(date(2024, 1, 1), date(2023, 1, 1))
    problems = [str(p) for p in check_grant(owner="TEO", grantee="TEO", window=backwards)]
    assert problems == [
        "TEO owns the item and needs no grant to issue it",
        "valid_until 2023-01-01 is before valid_from 2024-01-01",
    ]
