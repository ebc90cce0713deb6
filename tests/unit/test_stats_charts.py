"""The statistics pages' pure parts: the charts' layout (bars on one scale, every period of a
column chart, a suppressed count without a bar, the values as text) and the table's derived
rates (never computed from a suppressed count)."""

from __future__ import annotations

from decimal import Decimal

from creditbank.stats.api import FigureRow, FigureTable
from creditbank.web.pages.stats import charts
from creditbank.web.pages.stats import shaping as figures

SERIES = charts.series_of([("assessed", "assessed"), ("certified", "certified")])


def row(key: str, assessed: int | None, certified: int | None) -> charts.Row:
    counts = {"assessed": assessed, "certified": certified}
    return charts.Row(
        key, key, counts, {k: "<10" if v is None else str(v) for k, v in counts.items()}
    )


def test_bars_share_one_scale_and_a_suppressed_count_has_no_bar() -> None:
    chart = charts.bar_chart("t", [row("SCU", 40, 20), row("CQOU", 12, None)], SERIES)
    scu, cqou = chart.groups
    assert [bar.width for bar in scu.bars] == [charts.BAR_WIDTH, charts.BAR_WIDTH // 2]
    assert cqou.bars[0].width == round(charts.BAR_WIDTH * 12 / 40)
    assert cqou.bars[1].value is None
    assert cqou.bars[1].width == 0
    assert cqou.bars[1].shown == "<10"
    assert chart.description == "SCU: assessed 40, certified 20; CQOU: assessed 12, certified <10"


def test_a_bar_chart_draws_the_first_rows_and_says_how_many_it_left_out() -> None:
    rows = [row(str(n), n, n) for n in range(charts.MAX_ROWS + 3)]
    chart = charts.bar_chart("t", rows, SERIES)
    assert len(chart.groups) == charts.MAX_ROWS
    assert chart.cut == 3


def test_columns_fill_every_month_between_the_first_and_the_last() -> None:
    chart = charts.column_chart("t", [row("2025-11", 30, 20), row("2026-02", 10, 10)], SERIES)
    assert [group.key for group in chart.groups] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    december = chart.groups[1]
    assert [bar.value for bar in december.bars] == [0, 0]
    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30, 40]  # round steps
    tallest = chart.groups[0].bars[0]
    assert tallest.y == round(chart.baseline - tallest.height, 1)
    assert tallest.height == round((charts.COLUMN_AREA[3]) * 30 / 40, 1)


def test_columns_over_years_and_over_other_keys() -> None:
    years = charts.column_chart("t", [row("2023", 1, 1), row("2025", 1, 1)], SERIES)
    assert [group.key for group in years.groups] == ["2023", "2024", "2025"]
    other = charts.column_chart("t", [row("b", 1, 1), row("a", 1, 1)], SERIES)
    assert [group.key for group in other.groups] == ["b", "a"]


def figure_row(counts: dict[str, int | None], amounts: dict[str, Decimal | None]) -> FigureRow:
    shown = {k: "<10" if v is None else str(v) for k, v in counts.items()}
    return FigureRow("v", "标签", "label", counts, shown, amounts)


def table(name: str, measures: tuple[str, ...], rows: list[FigureRow]) -> FigureTable:
    return FigureTable(name, "year", measures, tuple(rows), rows[0], 10, None, None, None)


def test_rates_are_computed_from_shown_counts_only() -> None:
    measures = ("registered", "fee_exempt", "assessed", "certified")
    shown = figure_row({"registered": 40, "fee_exempt": None, "assessed": 30, "certified": 20}, {})
    hidden = figure_row({"registered": 12, "fee_exempt": 0, "assessed": 11, "certified": None}, {})
    xcerts = table("xcerts", measures, [shown, hidden])
    columns = figures.columns(xcerts, {m: m for m in measures}, str)
    assert [c.key for c in columns] == [*measures, "pass_rate"]
    assert figures.table_row(xcerts, shown, columns, "en").cells["pass_rate"] == "66.7%"
    assert figures.table_row(xcerts, hidden, columns, "en").cells["pass_rate"] == figures.NOTHING
    first = figures.table_row(xcerts, shown, columns, "zh")
    assert first.label == "标签"
    assert first.suppressed == {"fee_exempt"}
    assert first.cells["fee_exempt"] == "<10"


def test_mean_days_to_decision_and_credits() -> None:
    decided = figure_row({"decided": 15}, {"decided": Decimal(450)})
    accreditation = table("accreditation", ("decided",), [decided])
    columns = figures.columns(accreditation, {}, str)
    assert figures.table_row(accreditation, decided, columns, "en").cells["mean_days"] == "30.0"
    suppressed = figure_row({"decided": None}, {"decided": None})
    cells = figures.table_row(accreditation, suppressed, columns, "en").cells
    assert cells == {"decided": "<10", "mean_days": figures.NOTHING}
    deposited = figure_row({"deposited": 30}, {"deposited": Decimal("60.0")})
    outcomes = table("outcomes", ("deposited",), [deposited])
    columns = figures.columns(outcomes, {}, str)
    assert figures.table_row(outcomes, deposited, columns, "en").cells["deposited:amount"] == "60"


def test_a_cohorts_share_follows_its_count() -> None:
    measures = ("learners", "within_1", "within_2", "within_3", "converted")
    cohort = figure_row(
        {"learners": 50, "within_1": 12, "within_2": 23, "within_3": None, "converted": 26}, {}
    )
    cohorts = table("cohorts", measures, [cohort])
    columns = [c.key for c in figures.columns(cohorts, {}, str)]
    assert columns == [
        "learners",
        "within_1",
        "share_1",
        "within_2",
        "share_2",
        "within_3",
        "share_3",
        "converted",
    ]
    cells = figures.table_row(cohorts, cohort, figures.columns(cohorts, {}, str), "en").cells
    assert (cells["share_1"], cells["share_2"], cells["share_3"]) == ("24.0%", "46.0%", "—")
