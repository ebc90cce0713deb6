"""Catalogue rules without a database."""

from __future__ import annotations

from decimal import Decimal

from creditbank.catalog.model import (
    AchievementType,
    ItemDraft,
    ItemKind,
    check_item,
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
