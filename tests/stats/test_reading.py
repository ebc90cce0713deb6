"""Figures as read (``stats.api.read_figure``) from tallied facts, on both databases: rows by
each dimension with their labels, the facts without a value as a row of their own, periods,
an institution's scope, the cohorts view, suppression of small counts, and bad questions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.stats.api import Fact, FigureTable, StatsError, read_figure, tally
from tests.conftest import BACKENDS, _new_database

LEVEL4 = "LOFOUC@1:4"
LEVEL5 = "LOFOUC@1:5"
CERTIFICATE = "CQENT:BIM"


def deposited(when: date, institution: str, level: str | None, count: int, **dims: str) -> Fact:
    return Fact(
        "outcomes",
        "deposited",
        when,
        institution,
        {**({"level": level} if level else {}), "setting": "formal", **dims},
        count=count,
        amount=Decimal(2) * count,
    )


FACTS = [
    deposited(date(2025, 3, 1), "SHOU", LEVEL4, 40),
    deposited(date(2025, 11, 1), "SHOU", LEVEL5, 25),
    deposited(date(2026, 2, 1), "SHVC", LEVEL4, 12),
    deposited(date(2026, 2, 9), "CQENT", None, 3, certificate=CERTIFICATE, kind="x_certificate"),
    Fact("outcomes", "revoked", date(2026, 3, 1), "SHOU", {"level": LEVEL4}, count=2),
    Fact("cohorts", "learners", date(2024, 5, 1), None, {"cohort": "2024"}, count=50),
    Fact(
        "cohorts", "converted", date(2025, 4, 1), None, {"cohort": "2024", "after": "1"}, count=12
    ),
    Fact(
        "cohorts", "converted", date(2026, 4, 1), None, {"cohort": "2024", "after": "2"}, count=15
    ),
    Fact("cohorts", "converted", date(2027, 9, 1), None, {"cohort": "2024", "after": "later"}),
    Fact("cohorts", "learners", date(2025, 5, 1), None, {"cohort": "2025"}, count=30),
    *(
        Fact("accounts", "opened", date(2026, 1, 1), "SHOU", {"age": age}, count=20)
        for age in ("unknown", "60+", "<20", "30-39")
    ),
]


@dataclass(frozen=True)
class World:
    database: Database


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("stats"), initialised=True
    )
    with database.unit_of_work() as uow:
        for code, region, kind in (
            ("SHOU", "CN-SH", InstitutionType.OPEN_UNIVERSITY),
            ("SHVC", "上海市", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
            ("CQENT", "CN-CQ", InstitutionType.ENTERPRISE),
        ):
            institutions.add_institution(
                uow=uow, code=code, name=f"{code} 学院", type=kind, region=region
            )
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="CQENT",
                code="BIM",
                kind=ItemKind.COURSE,  # named like an X certificate (which needs more to exist)
                name="建筑信息模型",
                name_en="Building information modelling",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(2),
            ),
            on=date(2025, 1, 1),
        )
        tally(uow, FACTS)
    yield World(database)
    database.dispose()


def read(
    world: World,
    figure: str,
    by: str,
    threshold: int = 1,
    *,
    scope: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> FigureTable:
    with world.database.unit_of_work() as uow:
        return read_figure(
            uow,
            figure=figure,
            by=by,
            suppress_below=threshold,
            scope=scope,
            start=start,
            end=end,
        )


def counted(table: FigureTable, measure: str = "deposited") -> dict[str, int | None]:
    return {row.value: row.counts[measure] for row in table.rows}


def test_outcomes_by_level_are_named_and_add_up_to_the_total(world: World) -> None:
    table = read(world, "outcomes", "level")
    assert counted(table) == {LEVEL4: 52, LEVEL5: 25, "": 3}  # "": the certificate, no level
    assert counted(table, "revoked") == {LEVEL4: 2, LEVEL5: 0, "": 0}
    labels = {row.value: (row.label, row.label_en) for row in table.rows}
    assert labels[LEVEL4] == ("LOFOUC 4级", "LOFOUC Level 4")
    assert labels[""] == ("未说明", "Not stated")
    assert table.total.counts == {"deposited": 80, "revoked": 2}
    assert table.total.amounts == {"deposited": Decimal(160), "revoked": Decimal(0)}
    assert table.measures == ("deposited", "revoked")


def test_institutions_are_placed_by_region_and_type_as_they_are_now(world: World) -> None:
    regions = read(world, "outcomes", "region")
    assert counted(regions) == {"CN-CQ": 3, "CN-SH": 77}  # "上海市" is CN-SH
    assert {row.value: row.label_en for row in regions.rows}["CN-SH"] == "Shanghai"
    types = read(world, "outcomes", "institution_type")
    assert counted(types) == {
        "enterprise": 3,
        "higher_vocational_college": 12,
        "open_university": 65,
    }
    names = read(world, "outcomes", "institution")
    assert {row.value: row.label for row in names.rows} == {
        "CQENT": "CQENT 学院",
        "SHOU": "SHOU 学院",
        "SHVC": "SHVC 学院",
    }
    certificates = read(world, "outcomes", "certificate")
    assert next((row.value, row.label, row.label_en) for row in certificates.rows) == (
        CERTIFICATE,
        "建筑信息模型",
        "Building information modelling",
    )


def test_fixed_words_come_in_their_own_order(world: World) -> None:
    table = read(world, "accounts", "age")
    assert [row.value for row in table.rows] == ["<20", "30-39", "60+", "unknown"]
    assert [row.label_en for row in table.rows] == [
        "under 20",
        "30 to 39",
        "60 and over",
        "Unknown",
    ]


def test_by_year_and_month_within_a_period(world: World) -> None:
    assert counted(read(world, "outcomes", "year")) == {"2025": 65, "2026": 15}
    months = read(world, "outcomes", "month", start="2025-11", end="2026-02")
    assert counted(months) == {"2025-11": 25, "2026-02": 15}
    assert months.total.counts["deposited"] == 40
    assert counted(read(world, "outcomes", "year", start="2026")) == {"2026": 15}
    assert read(world, "outcomes", "all", end="2025").total.counts["deposited"] == 65


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-03", "2026-02", 80),  # months only (no whole year)
        ("2025-04", "2026-01", 25),
        ("2025", "2026-01", 65),  # 2025 from the roll-ups, January 2026 from the cells
        ("2024-12", "2026", 80),  # December 2024 from the cells, 2025 and 2026 rolled up
        (None, "2025-10", 40),
        ("2025-11", None, 40),
        ("2019", "2024", 0),
    ],
)
def test_a_period_adds_whole_years_and_the_months_around_them(
    world: World, start: str | None, end: str | None, expected: int
) -> None:
    table = read(world, "outcomes", "level", start=start, end=end)
    assert table.total.counts["deposited"] == expected
    assert sum(count or 0 for count in counted(table).values()) == expected
    by_year = read(world, "outcomes", "year", start=start, end=end)
    assert sum(count or 0 for count in counted(by_year).values()) == expected


def test_an_institutions_scope_counts_only_its_facts(world: World) -> None:
    table = read(world, "outcomes", "level", scope="SHOU")
    assert counted(table) == {LEVEL4: 40, LEVEL5: 25}
    assert table.scope == "SHOU"
    assert read(world, "outcomes", "all", scope="NOBODY").total.counts["deposited"] == 0


def test_cohorts_count_conversions_within_one_two_three_years(world: World) -> None:
    table = read(world, "cohorts", "cohort")
    rows = {row.value: dict(row.counts) for row in table.rows}
    assert rows["2024"] == {
        "learners": 50,
        "within_1": 12,
        "within_2": 27,
        "within_3": 27,
        "converted": 28,
    }
    assert rows["2025"]["learners"] == 30
    assert rows["2025"]["converted"] == 0
    assert counted(read(world, "cohorts", "cohort", start="2025"), "learners") == {"2025": 30}


def test_small_counts_are_hidden_with_a_complement(world: World) -> None:
    table = read(world, "outcomes", "level", threshold=10)
    shown = {row.value: row.shown["deposited"] for row in table.rows}
    # the unstated 3 is small; alone it could be worked out from the total: 25 goes too
    assert shown == {LEVEL4: "52", LEVEL5: "x", "": "<10"}
    assert {row.value: row.amounts["deposited"] for row in table.rows}[LEVEL5] is None
    assert table.total.counts["deposited"] == 80
    assert table.total.shown["revoked"] == "<10"  # 2 revoked: hidden, and so are its rows
    assert {row.value: row.counts["revoked"] for row in table.rows} == {
        LEVEL4: None,
        LEVEL5: 0,
        "": 0,
    }


def test_nested_counts_whose_difference_is_small_are_hidden(world: World) -> None:
    table = read(world, "cohorts", "cohort", threshold=10)
    row = {row.value: row for row in table.rows}["2024"]
    # converted (28) - within 3 years (27) = 1 person, and within 2 years is 27 too
    assert row.shown["within_2"] == "x"
    assert row.shown["within_3"] == "x"
    assert (row.counts["within_1"], row.counts["converted"], row.counts["learners"]) == (12, 28, 50)
    assert table.total.counts["within_3"] is None  # else the total minus 2025's 0 gives it


@pytest.mark.parametrize(
    ("asked", "code"),
    [
        ({"figure": "weather", "by": "all"}, "unknown_figure"),
        ({"figure": "outcomes", "by": "sex"}, "unknown_breakdown"),
        ({"figure": "outcomes", "by": "all", "start": "2026-13"}, "bad_period"),
        ({"figure": "outcomes", "by": "all", "start": "26"}, "bad_period"),
        ({"figure": "outcomes", "by": "all", "start": "2026", "end": "2025-12"}, "bad_period"),
        ({"figure": "outcomes", "by": "bank"}, "unknown_breakdown"),
        ({"figure": "outcomes", "by": "all", "source": "moon"}, "unknown_stats_source"),
    ],
)
def test_bad_questions_are_refused(world: World, asked: dict[str, str], code: str) -> None:
    with pytest.raises(StatsError) as refused, world.database.unit_of_work() as uow:
        read_figure(uow, suppress_below=10, **asked)
    assert refused.value.code == code
