"""The learner's timeline: grouped by level in each framework's own order, newest first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from creditbank.accounts.model import LearningSetting, OutcomeStatus, stands
from creditbank.accounts.outcomes import Outcome
from creditbank.catalog.model import ItemKind
from creditbank.frameworks.model import Level, PinnedLevel, Text
from creditbank.web.pages.timeline import by_level, standing_credits

# NVQC: level 1 is the highest (rank 4), level 5 the lowest (rank 0)
NVQC = {code: Level(code, "main", 5 - int(code), Text(zh=f"{code}级")) for code in "12345"}
LOFOUC = {code: Level(code, "main", int(code) - 1, Text(zh=f"第{code}级")) for code in ("4", "10")}


def outcome(
    serial: int,
    framework: str,
    level: Level,
    assessed: date,
    earned: str | None = None,
    *,
    status: OutcomeStatus = OutcomeStatus.DEPOSITED,
) -> Outcome:
    return Outcome(
        public_id=f"o{serial}",
        account_number="CB1",
        institution="JSVC",
        record_id=f"R{serial}",
        item_code="X",
        item_owner="JSVC",
        item_kind=ItemKind.COURSE,
        item_name=f"item {serial}",
        level=PinnedLevel(serial, framework, 1, level),
        credits=Decimal(earned) if earned else None,
        score=None,
        assessed_on=assessed,
        setting=LearningSetting.FORMAL,
        evidence_sha256=None,
        status=status,
        deposited_at=datetime(2026, 1, serial, tzinfo=UTC),
    )


def test_groups_follow_the_framework_s_rank_not_its_codes() -> None:
    outcomes = [
        outcome(1, "NVQC", NVQC["3"], date(2020, 1, 1)),
        outcome(2, "NVQC", NVQC["2"], date(2021, 1, 1)),
        outcome(3, "LOFOUC", LOFOUC["4"], date(2022, 1, 1), "3"),
        outcome(4, "LOFOUC", LOFOUC["10"], date(2019, 1, 1)),
        outcome(5, "LOFOUC", LOFOUC["4"], date(2024, 1, 1), "2.5"),
        outcome(6, "NVQC", NVQC["3"], date(2023, 1, 1)),
    ]
    groups = by_level(outcomes)
    assert [(g.framework, g.level.code) for g in groups] == [
        ("LOFOUC", "10"),
        ("LOFOUC", "4"),
        ("NVQC", "2"),
        ("NVQC", "3"),
    ]
    assert [o.public_id for o in groups[1].outcomes] == ["o5", "o3"]  # newest first
    assert [o.public_id for o in groups[3].outcomes] == ["o6", "o1"]
    assert groups[1].credits == Decimal("5.5")
    assert by_level([]) == []


def test_the_same_day_puts_the_later_deposit_first() -> None:
    same_day = date(2024, 6, 30)
    first = outcome(1, "NVQC", NVQC["4"], same_day)
    second = outcome(2, "NVQC", NVQC["4"], same_day)
    (group,) = by_level([first, second])
    assert [o.public_id for o in group.outcomes] == ["o2", "o1"]


def test_revoked_and_corrected_outcomes_are_shown_but_their_credits_do_not_count() -> None:
    shown = [
        outcome(1, "NVQC", NVQC["3"], date(2024, 1, 1), "3", status=OutcomeStatus.DEPOSITED),
        outcome(2, "NVQC", NVQC["3"], date(2024, 2, 1), "2", status=OutcomeStatus.VERIFIED),
        outcome(3, "NVQC", NVQC["3"], date(2024, 3, 1), "4", status=OutcomeStatus.REVOKED),
        outcome(4, "NVQC", NVQC["3"], date(2024, 4, 1), "1.5", status=OutcomeStatus.SUPERSEDED),
        outcome(5, "NVQC", NVQC["3"], date(2024, 5, 1), "2.5", status=OutcomeStatus.DEPOSITED),
    ]
    assert [stands(o.status) for o in shown] == [True, True, False, False, True]
    assert standing_credits(shown) == Decimal("7.5")
    [group] = by_level(shown)
    assert len(group.outcomes) == len(shown)
    assert group.credits == Decimal("7.5")
