"""The statistics' pure core: what a fact is, the figures and their measures and dimensions, the
cells a fact adds to, months, the (sex, age band) of an identity number, and the shape of a
figure as read (rows, a total, suppressed counts).

No database here: ``tallying`` writes the cells, ``reading`` reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import combinations
from types import MappingProxyType
from typing import Final

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

BANK_WIDE: Final = ""
"""The scope of the bank's own figures (an institution's figures have its code as scope)."""
ALL: Final = "all"
"""The dimension of a measure's total (value "")."""
INSTITUTION: Final = "institution"
COHORT_AFTER: Final = "cohort.after"
"""The cohorts' combined dimension: value ``"<cohort year>/<after>"`` (``"2024/1"``), tallied
beside ``cohort`` and ``after`` so that the cohort view needs no cross tabulation."""
KEPT_DIMS: Final = frozenset({"sex", "age"})
"""Dimensions a rebuild cannot count again (no person's sex or age is stored): kept as they are."""


class StatsError(DomainError):
    """A question about the statistics that cannot be answered (unknown figure, bad period...)."""


@dataclass(frozen=True)
class Fact:
    """Something that happened, as the statistics count it.

    ``figure`` and ``measure`` name what (``"outcomes"``, ``"deposited"``); ``at`` when (its month
    in the bank's time zone is the cell's); ``institution`` the code of the institution whose
    figure it is (None: bank-wide only); ``dims`` its other dimensions, valued by global
    identifiers (never row ids); ``count`` how many; ``amount`` credits or days.
    """

    figure: str
    measure: str
    at: datetime | date
    institution: str | None
    dims: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    count: int = 1
    amount: Decimal = Decimal(0)


CellKey = tuple[str, str, str, str, str, int]
"""(figure, measure, scope, dim, value, month): the primary key of a cell, in the order the
tally sorts them."""


@dataclass(frozen=True)
class FigureRow:
    """One row of a figure: ``value`` (what is counted: a level's identifier, a month "2026-12",
    a region...), its labels, and per measure its count (None when suppressed), the text shown
    (``"<10"``, ``"x"`` or the number) and its amount (None when its count is suppressed)."""

    value: str
    label: str
    label_en: str
    counts: Mapping[str, int | None]
    shown: Mapping[str, str]
    amounts: Mapping[str, Decimal | None]


@dataclass(frozen=True)
class FigureTable:
    """A figure as read: its rows by ``by``, their ``total``, and how it was asked."""

    figure: str
    by: str
    measures: tuple[str, ...]
    rows: tuple[FigureRow, ...]
    total: FigureRow
    suppress_below: int
    scope: str | None
    start: str | None
    end: str | None
    as_of: datetime | None = None
    """When counts made ahead of reading were counted (skills held: ``stats.supply``)."""
    counted: bool = True
    """False when such counts were never made (their measures shown as "-")."""


# --- the figures ------------------------------------------------------------------------------

_PLACES = ("region", "institution", "institution_type")
_TIME = ("year", "month", ALL)


@dataclass(frozen=True)
class FigureSpec:
    """A figure: its measures (with labels), what it can be broken down ``by``, which measures
    carry an amount, and how its measures relate (for suppression: ``sums``, a measure that is
    the sum of others; ``chains``, measures each counting at least the people of the one before,
    e.g. certified, assessed, registered)."""

    name: str
    label: Message
    measures: tuple[tuple[str, Message], ...]
    by: tuple[str, ...]
    amounts: tuple[str, ...] = ()
    sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    chains: tuple[tuple[str, ...], ...] = ()

    @property
    def nested(self) -> tuple[tuple[str, str], ...]:
        """Every (inner, outer) pair of the chains: a reader may subtract any two of them."""
        return tuple(pair for chain in self.chains for pair in combinations(chain, 2))

    @property
    def measure_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.measures)


FIGURES: Final[Mapping[str, FigureSpec]] = {
    spec.name: spec
    for spec in (
        FigureSpec(
            "accounts",
            msg("Accounts opened"),
            (("opened", msg("opened")),),
            (*_PLACES, "sex", "age", *_TIME),
        ),
        FigureSpec(
            "outcomes",
            msg("Learning outcomes"),
            (("deposited", msg("deposited")), ("revoked", msg("revoked"))),
            (*_PLACES, "level", "certificate", "setting", "kind", *_TIME),
            amounts=("deposited", "revoked"),
        ),
        FigureSpec(
            "accreditation",
            msg("Accreditation"),
            (
                ("applied", msg("applications")),
                ("accredited", msg("accredited")),
                ("not_accredited", msg("not accredited")),
                ("appealed", msg("appealed")),
                ("decided", msg("decided")),
            ),
            (*_PLACES, "level", *_TIME),
            amounts=("decided",),
            sums=(("decided", ("accredited", "not_accredited")),),
        ),
        FigureSpec(
            "conversion",
            msg("Credit conversion"),
            (("requested", msg("requested")), ("confirmed", msg("confirmed"))),
            (*_PLACES, "level", *_TIME),
            amounts=("confirmed",),
        ),
        FigureSpec(
            "cohorts",
            msg("Conversion cohorts"),
            (
                ("learners", msg("learners")),
                ("within_1", msg("converted within 1 year")),
                ("within_2", msg("converted within 2 years")),
                ("within_3", msg("converted within 3 years")),
                ("converted", msg("converted")),
            ),
            ("cohort", ALL),
            chains=(("within_1", "within_2", "within_3", "converted", "learners"),),
        ),
        FigureSpec(
            "xcerts",
            msg("1+X certificates"),
            (
                ("registered", msg("registered")),
                ("fee_exempt", msg("fee-exempt")),
                ("assessed", msg("assessed")),
                ("certified", msg("certified")),
            ),
            (*_PLACES, "certificate", "level", *_TIME),
            chains=(("certified", "assessed", "registered"), ("fee_exempt", "registered")),
        ),
        FigureSpec(
            "recognition",
            msg("Recognition between banks"),
            (
                ("exported", msg("packages exported")),
                ("imported", msg("packages imported")),
                ("recognised", msg("outcomes recognised")),
            ),
            ("peer", *_TIME),
        ),
    )
}
"""Every figure the bank publishes, by name."""

SKILL_DEMAND: Final = FigureSpec(
    "skills",
    msg("Skills in demand and held"),
    (("jobs", msg("open jobs")), ("learners", msg("learners holding"))),
    ("skill", "occupation", "region"),
)
"""Skills in demand against skills held (``stats.demand``): read live from the open jobs and
the learners' outcomes, not tallied, so not among :data:`FIGURES` (the summary and the rebuild
do not read it)."""

DIMENSION_LABELS: Final[Mapping[str, Message]] = {
    "region": msg("Region"),
    "institution": msg("Institution"),
    "institution_type": msg("Institution type"),
    "level": msg("Level"),
    "certificate": msg("Certificate"),
    "setting": msg("Setting"),
    "kind": msg("Kind"),
    "sex": msg("Sex"),
    "age": msg("Age"),
    "peer": msg("Peer bank"),
    "cohort": msg("Cohort"),
    "year": msg("Year"),
    "month": msg("Month"),
    "skill": msg("Skill"),
    "occupation": msg("Occupation"),
    ALL: msg("Total"),
}
"""What each ``by`` is called."""

VALUE_LABELS: Final[Mapping[tuple[str, str], Message]] = {
    ("setting", "formal"): msg("Formal learning"),
    ("setting", "non_formal"): msg("Non-formal learning"),
    ("setting", "informal"): msg("Informal learning"),
    ("kind", "course"): msg("Course"),
    ("kind", "qualification"): msg("Qualification"),
    ("kind", "x_certificate"): msg("X certificate"),
    ("kind", "accredited_unit"): msg("Accreditation unit"),
    ("kind", "transferred_credit"): msg("Transferred credit"),
    ("kind", "recognised"): msg("Recognised from another bank"),
    ("kind", "vocational_qualification"): msg("Vocational qualification"),
    ("kind", "training_certificate"): msg("Training certificate"),
    ("kind", "achievement"): msg("Achievement"),
    ("sex", "female"): msg("Female"),
    ("sex", "male"): msg("Male"),
    ("sex", "unknown"): msg("Unknown"),
    ("age", "<20"): msg("under 20"),
    ("age", "20-29"): msg("20 to 29"),
    ("age", "30-39"): msg("30 to 39"),
    ("age", "40-49"): msg("40 to 49"),
    ("age", "50-59"): msg("50 to 59"),
    ("age", "60+"): msg("60 and over"),
    ("age", "unknown"): msg("Unknown"),
    (ALL, ""): msg("Total"),
    ("institution_type", "university"): msg("University"),
    ("institution_type", "higher_vocational_college"): msg("Higher vocational college"),
    ("institution_type", "secondary_vocational_school"): msg("Secondary vocational school"),
    ("institution_type", "open_university"): msg("Open university"),
    ("institution_type", "technical_school"): msg("Technical school"),
    ("institution_type", "enterprise"): msg("Enterprise"),
    ("institution_type", "industry_association"): msg("Industry association"),
    ("institution_type", "training_evaluation_organisation"): msg(
        "Training-evaluation organisation"
    ),
    ("institution_type", "accreditation_centre"): msg("Accreditation centre"),
    ("institution_type", "credit_bank_office"): msg("Credit bank office"),
}
"""Words for the dimension values that are fixed words (others are named by their owners)."""

NOT_STATED: Final = msg("Not stated")
"""The row of the facts that carry no value of the dimension asked (e.g. no level)."""
AGE_BANDS: Final = ("<20", "20-29", "30-39", "40-49", "50-59", "60+")
AFTER_YEARS: Final = (1, 2, 3)
"""The cohorts' "converted within N years" columns."""


def figure_spec(name: str) -> FigureSpec:
    """The figure ``name``, or a :class:`StatsError` ``unknown_figure``."""
    spec = FIGURES.get(name)
    if spec is None:
        raise StatsError(
            "unknown_figure",
            msg("no figure {figure}; there are: {known}", figure=name, known=", ".join(FIGURES)),
        )
    return spec


def check_by(spec: FigureSpec, by: str) -> str:
    """``by`` if figure ``spec`` can be broken down by it, else a :class:`StatsError` naming
    the allowed values."""
    if by not in spec.by:
        raise StatsError(
            "unknown_breakdown",
            msg(
                "the figure {figure} cannot be broken down by {by}; it can by: {allowed}",
                figure=spec.name,
                by=by,
                allowed=", ".join(spec.by),
            ),
        )
    return by


# --- months and periods -----------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$", re.ASCII)
FIRST_MONTH: Final = 0
LAST_MONTH: Final = 999912


def month_of(at: datetime | date) -> int:
    """The month of ``at`` as a cell keeps it (``year * 100 + month``); a datetime's in the
    bank's time zone (Asia/Shanghai; a naive datetime is taken as UTC)."""
    if isinstance(at, datetime):
        from datetime import UTC  # noqa: PLC0415 (kept beside its one use)
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        at = moment.astimezone(ZoneInfo("Asia/Shanghai")).date()
    return at.year * 100 + at.month


def month_text(month: int) -> str:
    """A cell's month as ``"YYYY-MM"``."""
    return f"{month // 100:04d}-{month % 100:02d}"


def period(start: str | None, end: str | None) -> tuple[int, int]:
    """The months (first, last, inclusive) of ``start``/``end`` ("YYYY" or "YYYY-MM"; None: no
    bound); a :class:`StatsError` ``bad_period`` for anything else or an end before the start."""
    first = FIRST_MONTH if start is None else _bound(start, first=True)
    last = LAST_MONTH if end is None else _bound(end, first=False)
    if first > last:
        raise StatsError(
            "bad_period",
            msg("the period ends ({end}) before it starts ({start})", start=start, end=end),
        )
    return first, last


def spans(first: int, last: int) -> tuple[bool, tuple[int, int] | None, list[tuple[int, int]]]:
    """How months ``first``..``last`` are read: (all time?, the whole years in them (first,
    last) or None, the ranges of months around those years). All time and whole years come
    from the roll-ups, the rest from the monthly cells."""
    if (first, last) == (FIRST_MONTH, LAST_MONTH):
        return True, None, []
    first_year, first_month = first // 100, max(first % 100, 1)
    last_year, last_month = last // 100, last % 100
    whole_from = max(first_year if first_month == 1 else first_year + 1, 1)
    whole_to = last_year if last_month == 12 else last_year - 1  # noqa: PLR2004 (December)
    if whole_from > whole_to:
        return False, None, [(first, last)]
    months = []
    if first % 100 > 1:  # from a month after January (0: no start)
        months.append((first, whole_from * 100 - 88))  # up to December of the year before
    if last > whole_to * 100 + 12:
        months.append((whole_to * 100 + 101, last))  # from January of the year after
    return False, (whole_from, whole_to), months


def _bound(text: str, *, first: bool) -> int:
    found = _PERIOD.match(text)
    month = int(found.group(2)) if found and found.group(2) else (1 if first else 12)
    if found is None or not 1 <= month <= 12:  # noqa: PLR2004 (the months of a year)
        raise StatsError(
            "bad_period",
            msg("{text} is not a year (YYYY) or a month (YYYY-MM)", text=text[:20]),
        )
    return int(found.group(1)) * 100 + month


# --- the cells of a fact ----------------------------------------------------------------------


def cells_of(fact: Fact) -> list[tuple[CellKey, int, Decimal]]:
    """The cells ``fact`` adds to, with what it adds (count, amount): for the bank and for its
    institution (if any), its total (dim "all") and each dimension it carries, including
    "institution"; a cohorts fact also to the combined "cohort.after" dimension."""
    month = month_of(fact.at)
    pairs: list[tuple[str, str]] = [(ALL, "")]
    pairs.extend(fact.dims.items())
    if fact.institution is not None:
        pairs.append((INSTITUTION, fact.institution))
    if "cohort" in fact.dims and "after" in fact.dims:
        pairs.append((COHORT_AFTER, f"{fact.dims['cohort']}/{fact.dims['after']}"))
    scopes = [BANK_WIDE] if fact.institution is None else [BANK_WIDE, fact.institution]
    return [
        ((fact.figure, fact.measure, scope, dim, value, month), fact.count, fact.amount)
        for scope in scopes
        for dim, value in pairs
    ]


# --- demographics -----------------------------------------------------------------------------

_RESIDENT = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
UNKNOWN: Final = "unknown"


def demographics(identity_number: str, *, on: date) -> tuple[str, str]:
    """(sex, age band) from a PRC resident identity number (18 characters, GB 11643-1999: the
    birth date in digits 7-14, the 17th digit odd for a man, a valid check character) at date
    ``on``; ("unknown", "unknown") for anything else (a passport, a malformed number, a birth
    date that is no date or lies after ``on``)."""
    number = "".join(identity_number.split()).upper()
    if _RESIDENT.match(number) is None:
        return UNKNOWN, UNKNOWN
    check = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if check != number[17]:
        return UNKNOWN, UNKNOWN
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return UNKNOWN, UNKNOWN
    if born > on:
        return UNKNOWN, UNKNOWN
    sex = "male" if int(number[16]) % 2 else "female"
    return sex, age_band(born, on=on)


def age_band(born: date, *, on: date) -> str:
    """The age band of someone born on ``born``, at ``on``."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 20:  # noqa: PLR2004 (the first band)
        return "<20"
    if age >= 60:  # noqa: PLR2004 (the last band)
        return "60+"
    return AGE_BANDS[age // 10 - 1]
