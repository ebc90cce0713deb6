"""The statistics pages' charts, laid out on the server: every bar's place and size computed here
and drawn by ``stats/_chart.html`` as inline SVG (no script, nothing fetched by the browser).

Two shapes: :func:`bar_chart`, horizontal bars side by side for each row of a dimension (a
region, an institution, a level: one bar per measure), and :func:`column_chart`, vertical bars
over years or months, every period between the first and the last shown (a period with no
fact has nothing to count: 0). A suppressed count (``None``) gets no bar, only its text
("<10"): a chart never draws what the table hides. Each chart carries its values as text too
(:attr:`Chart.description`, the SVG's ``<desc>``), for a reader that cannot see it.

Pure: plain data in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

BAR_WIDTH = 360
"""The length, in SVG user units, of the longest bar of a bar chart."""
LABEL_WIDTH = 220
"""Room for a bar chart's row labels."""
LABEL_CHARACTERS = 16
"""A chart's labels are cut to this many characters (the whole label is in its tooltip)."""
BAR_HEIGHT = 14
COLUMN_AREA = (60, 10, 700, 220)
"""A column chart's plotting area: left, top, width, height (SVG user units)."""
COLUMN_CHART_SIZE = (780, 290)
MAX_ROWS = 40
"""A bar chart shows at most this many rows (the table below it has them all)."""
MAX_SLOT = 90
"""The widest a period's place on a column chart may be (a few years stay slim, left-aligned)."""
MAX_WRITTEN = 24
"""A column chart with at most this many bars writes each one's value above it."""
TICKS = 4
"""A column chart's scale has this many steps above 0."""
MIN_LABEL_GAP = 44
"""A column chart names a period on its axis only every so many units (the others in their
tooltip and in the text)."""
YEAR = re.compile(r"^\d{4}$", re.ASCII)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)
COLOURS = ("#2b6cb0", "#2f855a", "#b7791f", "#c53030", "#6b46c1", "#4a5568")
"""One colour per measure, in the figure's order (dark enough against white)."""


@dataclass(frozen=True, slots=True)
class Series:
    """A measure as the chart shows it: its key, its words, its colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One measure's bar for one row or period: where it stands and what it says."""

    series: Series
    value: int | None
    shown: str
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float


@dataclass(frozen=True, slots=True)
class Group:
    """The bars of one row (bar chart) or one period (column chart), and where its label goes."""

    key: str
    label: str
    bars: tuple[Bar, ...]
    label_x: float
    label_y: float
    named: bool
    """Whether the axis writes its label (a column chart skips some when periods are many)."""

    @property
    def short(self) -> str:
        return short(self.label)


@dataclass(frozen=True, slots=True)
class Tick:
    """A value line of a column chart's scale."""

    value: int
    y: float


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart ready to draw: its shape (``bars`` or ``columns``), size, series and groups."""

    shape: str
    title: str
    description: str
    width: int
    height: int
    series: tuple[Series, ...]
    groups: tuple[Group, ...]
    ticks: tuple[Tick, ...] = ()
    left: float = 0
    right: float = 0
    baseline: float = 0
    cut: int = 0
    """Rows left out of a bar chart (shown in the table only)."""
    values_written: bool = True
    """Whether a column chart writes each value above its bar (when there are few)."""


@dataclass(frozen=True, slots=True)
class Row:
    """What a chart is drawn from: a row's key and label, and its measures' counts (``None``:
    suppressed) with the text the table shows for each."""

    key: str
    label: str
    counts: Mapping[str, int | None]
    shown: Mapping[str, str]


def short(label: str) -> str:
    """``label`` cut to :data:`LABEL_CHARACTERS` characters."""
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def series_of(measures: Sequence[tuple[str, str]]) -> tuple[Series, ...]:
    """(key, label) of each measure as chart series, coloured in order."""
    return tuple(
        Series(key, label, COLOURS[index % len(COLOURS)])
        for index, (key, label) in enumerate(measures)
    )


def _largest(rows: Sequence[Row], series: Sequence[Series]) -> int:
    return max(
        (value for row in rows for s in series if (value := row.counts.get(s.key)) is not None),
        default=0,
    )


def describe(rows: Sequence[Row], series: Sequence[Series]) -> str:
    """The chart's values as text: ``label: measure value, measure value; ...``."""
    return "; ".join(
        f"{row.label}: " + ", ".join(f"{s.label} {row.shown.get(s.key, '0')}" for s in series)
        for row in rows
    )


def bar_chart(title: str, rows: Sequence[Row], series: Sequence[Series]) -> Chart:
    """Horizontal bars, one per measure, for each row (the first :data:`MAX_ROWS` rows), on one
    scale: the largest shown count is :data:`BAR_WIDTH` long."""
    drawn = list(rows[:MAX_ROWS])
    top = _largest(drawn, series)
    group_height = len(series) * BAR_HEIGHT + 12
    groups = []
    for index, row in enumerate(drawn):
        y0 = index * group_height + 4
        bars = []
        for number, s in enumerate(series):
            value = row.counts.get(s.key)
            length = round(BAR_WIDTH * value / top) if value and top else 0
            y = y0 + number * BAR_HEIGHT
            bars.append(
                Bar(
                    s,
                    value,
                    row.shown.get(s.key, "0"),
                    LABEL_WIDTH,
                    y + 1,
                    length,
                    BAR_HEIGHT - 3,
                    LABEL_WIDTH + length + 6,
                    y + BAR_HEIGHT - 3,
                )
            )
        groups.append(
            Group(
                row.key,
                row.label,
                tuple(bars),
                LABEL_WIDTH - 8,
                y0 + len(series) * BAR_HEIGHT / 2 + 4,
                named=True,
            )
        )
    return Chart(
        "bars",
        title,
        describe(rows, series),
        LABEL_WIDTH + BAR_WIDTH + 70,
        max(len(drawn), 1) * group_height + 8,
        tuple(series),
        tuple(groups),
        cut=len(rows) - len(drawn),
    )


def _periods(first: str, last: str) -> list[str]:
    """Every year (``YYYY``) or month (``YYYY-MM``) from ``first`` to ``last``."""
    if YEAR.match(first):
        return [str(year) for year in range(int(first), int(last) + 1)]
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    return found


def _periodic(keys: Iterable[str]) -> bool:
    """Whether every key is a year (``YYYY``) or every key a month (``YYYY-MM``)."""
    found = list(keys)
    return all(YEAR.match(key) for key in found) or all(MONTH.match(key) for key in found)


def _step(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) such that four steps reach ``top``."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if TICKS * step * scale >= top:
                return step * scale
        scale *= 10


def column_chart(title: str, rows: Sequence[Row], series: Sequence[Series]) -> Chart:
    """Vertical bars over periods (the rows' keys: years or months, in order): every period
    from the first row's to the last row's, a period without a row counting 0."""
    by_key = {row.key: row for row in rows}
    keys = _periods(min(by_key), max(by_key)) if rows and _periodic(by_key) else list(by_key)
    filled = [
        by_key[key]
        if key in by_key
        else Row(key, key, {s.key: 0 for s in series}, {s.key: "0" for s in series})
        for key in keys
    ]
    left, top_y, width, height = COLUMN_AREA
    baseline = top_y + height
    step = _step(max(_largest(filled, series), 1))
    top = TICKS * step
    slot = min(width / max(len(filled), 1), MAX_SLOT)
    bar = slot * 0.8 / max(len(series), 1)
    every = max(1, int(MIN_LABEL_GAP // slot) + (1 if MIN_LABEL_GAP % slot else 0))
    groups = []
    for index, row in enumerate(filled):
        x0 = left + index * slot + slot * 0.1
        bars = []
        for number, s in enumerate(series):
            value = row.counts.get(s.key)
            length = height * value / top if value else 0
            x = x0 + number * bar
            bars.append(
                Bar(
                    s,
                    value,
                    row.shown.get(s.key, "0"),
                    round(x, 1),
                    round(baseline - length, 1),
                    round(max(bar - 1, 1), 1),
                    round(length, 1),
                    round(x + bar / 2, 1),
                    round(baseline - length - 3, 1),
                )
            )
        groups.append(
            Group(
                row.key,
                row.label,
                tuple(bars),
                round(left + index * slot + slot / 2, 1),
                baseline + 16,
                named=index % every == 0,
            )
        )
    ticks = tuple(
        Tick(step * part, round(baseline - height * part / TICKS, 1)) for part in range(TICKS + 1)
    )
    return Chart(
        "columns",
        title,
        describe(filled, series),
        COLUMN_CHART_SIZE[0],
        COLUMN_CHART_SIZE[1],
        tuple(series),
        tuple(groups),
        ticks=ticks,
        left=left,
        right=left + max(slot * len(filled), slot),
        baseline=baseline,
        values_written=len(filled) * len(series) <= MAX_WRITTEN,
    )
