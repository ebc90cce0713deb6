"""The 1+X operations' rules. A pure core (standard library, our messages and the pure
accreditation core only).

An **X certificate** is a catalogue item of kind ``x_certificate`` (its owner is the provider,
a training-evaluation organisation). The provider adds what the catalogue does not hold: the
industry area and how many years a certificate stays valid (:class:`Profile`), an assessment
scheme per level (kept by accreditation), which **pilot schools** offer which level and whether
each is an **assessment centre** for it (:class:`Offering`), and the training and certification
of **teachers** and **assessors**.

An **assessment session** is held by an assessment centre for one level on one day;
candidates are registered by account number, with a fee-exemption flag for students from
families with financial difficulties. The provider records the results in bulk, in the name of
an assessor certified for that level on that day: each candidate's component marks are weighed
by the level's scheme (:func:`creditbank.accreditation.model.score`); a candidate who passes
receives the X certificate at that level as an outcome in their account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from creditbank.accreditation.model import (
    AccreditationError,
    ComponentKind,
    Scheme,
    ScoreResult,
    score,
)
from creditbank.errors import DomainError
from creditbank.messages import Message, Translate, msg

MAX_INDUSTRY = 200
MARK_DECIMALS = 2
MAX_VALID_YEARS = 10
MAX_COURSE = 200
MAX_TRAINING_DAYS = 90
SCHEDULE_AHEAD = timedelta(days=2 * 366)
SCHEDULE_BEHIND = timedelta(days=366)
IDENTITY_COLUMNS = ("id_number", "name")
ACCOUNT_COLUMN = "account_number"
"""May stand beside or instead of ``id_number``: the candidate's account number (as the
session's results template fills it in)."""
RESULT_COLUMNS = (ACCOUNT_COLUMN, *IDENTITY_COLUMNS, *(kind.value for kind in ComponentKind))
"""The columns of a results file: who, and a mark per component of the level's scheme."""
RESULT_HEADERS_ZH = {
    ACCOUNT_COLUMN: "账户号码",
    "id_number": "身份证号码",
    "name": "姓名",
    "theory": "理论",
    "practice": "实操",
    "portfolio": "作品",
    "interview": "面试",
}
"""The Chinese header of each column of a results file (the template's first row)."""
RESULT_HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    ACCOUNT_COLUMN: ("学习账户号码", "账号"),
    "id_number": ("身份证号", "证件号码"),
    "theory": ("理论知识", "理论考试"),
    "practice": ("实践", "实操技能", "实操考核"),
    "portfolio": ("作品集",),
    "interview": ("答辩",),
}
"""Other headers a results file may give a column (as well as its name and Chinese header)."""
APPROVAL_ROUNDS = (1, 2, 3, 4)


class XcertError(DomainError):
    """A 1+X request that cannot be accepted."""


class ResultStatus(StrEnum):
    """Where a registered candidate stands."""

    REGISTERED = "registered"
    """Registered; no result recorded (not assessed yet, or absent)."""
    PASSED = "passed"
    """Assessed and certified: the X certificate at the session's level is in the account."""
    FAILED = "failed"
    """Assessed, below the scheme's pass mark (or a component's minimum)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """What the provider says of an X certificate beyond the catalogue."""

    industry: str
    industry_en: str = ""
    valid_years: int | None = None
    """How many years a certificate stays valid after its assessment (None: no limit)."""

    def valid_until(self, assessed_on: date) -> date | None:
        if self.valid_years is None:
            return None
        try:
            return assessed_on.replace(year=assessed_on.year + self.valid_years)
        except ValueError:  # 29 February
            return assessed_on.replace(year=assessed_on.year + self.valid_years, day=28)


def check_profile(profile: Profile) -> list[Message]:
    problems: list[Message] = []
    if not profile.industry.strip():
        problems.append(msg("say which industry area the certificate belongs to"))
    if max(len(profile.industry), len(profile.industry_en)) > MAX_INDUSTRY:
        problems.append(
            msg("the industry area is longer than {count} characters", count=MAX_INDUSTRY)
        )
    if profile.valid_years is not None and not 1 <= profile.valid_years <= MAX_VALID_YEARS:
        problems.append(
            msg(
                "a certificate is valid for 1 to {most} years, not {years}",
                most=MAX_VALID_YEARS,
                years=profile.valid_years,
            )
        )
    return problems


@dataclass(frozen=True, slots=True)
class Offering:
    """A pilot school offering one level of an X certificate (and perhaps assessing it)."""

    school: str
    level: str
    assessment_centre: bool
    active: bool = True


PILOT_SCHOOL_TYPES = frozenset(
    {
        "university",
        "higher_vocational_college",
        "secondary_vocational_school",
        "technical_school",
        "open_university",
    }
)
"""Institution types that can be pilot schools (seed 004: secondary and higher vocational
schools and undergraduate institutions; technical schools and open universities too)."""


def check_offering(*, school_type: str, school: str, provider: str) -> list[Message]:
    problems: list[Message] = []
    if school == provider:
        problems.append(msg("the provider itself is not a pilot school of its certificate"))
    elif school_type not in PILOT_SCHOOL_TYPES:
        problems.append(
            msg(
                "{school} is a {type}; a pilot school is a school, college or university",
                school=school,
                type=school_type,
            )
        )
    return problems


@dataclass(frozen=True, slots=True)
class Training:
    """Training a teacher completed (e.g. the provider's 5-day course)."""

    course: str
    days: int
    completed_on: date


@dataclass(frozen=True, slots=True)
class Certifying:
    """Certify a trained teacher as a teacher and/or an assessor (both: dual certification)."""

    kinds: tuple[str, ...]
    level: str | None
    valid_from: date
    valid_until: date


def check_training(training: Training, today: date) -> list[Message]:
    problems: list[Message] = []
    if not training.course.strip():
        problems.append(msg("say which training course was completed"))
    if len(training.course) > MAX_COURSE:
        problems.append(msg("the course name is longer than {count} characters", count=MAX_COURSE))
    if not 1 <= training.days <= MAX_TRAINING_DAYS:
        problems.append(
            msg(
                "a training course lasts 1 to {most} days, not {days}",
                most=MAX_TRAINING_DAYS,
                days=training.days,
            )
        )
    if training.completed_on > today:
        problems.append(msg("a training cannot be completed in the future"))
    return problems


def check_certification_window(
    *, valid_from: date, valid_until: date, trained_on: date | None
) -> list[Message]:
    """A certification through the 1+X operations needs the training first."""
    problems: list[Message] = []
    if valid_until < valid_from:
        problems.append(msg("a certification cannot end before it starts"))
    if trained_on is None:
        problems.append(msg("record the teacher's training for this certificate first"))
    elif trained_on > valid_from:
        problems.append(
            msg(
                "the certification starts on {start}, before the training was completed on "
                "{trained}",
                start=valid_from.isoformat(),
                trained=trained_on.isoformat(),
            )
        )
    return problems


def check_schedule(held_on: date, today: date) -> list[Message]:
    if held_on > today + SCHEDULE_AHEAD:
        return [msg("a session is scheduled at most two years ahead")]
    if held_on < today - SCHEDULE_BEHIND:
        return [msg("a session held more than a year ago cannot be scheduled now")]
    return []


def check_results_day(held_on: date, today: date) -> None:
    """Results are recorded once the session has been held."""
    if held_on > today:
        raise XcertError(
            "invalid_session",
            msg(
                "the session is held on {date}; its results can be recorded from that day",
                date=held_on.isoformat(),
            ),
        )


# --- results files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A bad row of a results file: where, and why (never the value: it may be personal)."""

    line: int
    column: str
    message: Message

    def said(self) -> Message:
        """``line N, column: reason``, the reason translated with the rest."""
        return _Nested(
            msg("line {line}, {column}: {reason}").template,
            {"line": self.line, "column": self.column, "reason": self.message},
        )


class _Nested(Message):
    """A message whose parameters may be messages themselves, rendered in the same language."""

    __slots__ = ()

    def render(self, translate: Translate | None = None) -> str:
        if translate is None:
            return super().render()
        params = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return translate(self.template).format(**params)


def check_results_header(columns: list[str], scheme: Scheme) -> list[str]:
    """The header's columns as the bank names them (lower case; the file's reader gives the
    names of Chinese headers), once it names who (``id_number`` or ``account_number`` or both,
    and ``name``) and every component of the scheme, and nothing else; raises
    ``results_rejected`` otherwise."""
    names = [column.strip().lower() for column in columns]
    wanted = [*IDENTITY_COLUMNS, *(c.kind.value for c in scheme.components)]
    problems = [
        msg("unknown column {column}", column=name)
        for name in names
        if name not in wanted and name != ACCOUNT_COLUMN
    ]
    problems += [
        msg("missing column {column}", column=name)
        for name in wanted
        if name not in names and not (name == "id_number" and ACCOUNT_COLUMN in names)
    ]
    problems += [
        msg("column {column} appears twice", column=name)
        for name in sorted({name for name in names if names.count(name) > 1})
    ]
    if problems:
        raise XcertError(
            "results_rejected",
            msg(
                "the header does not fit the level's scheme; the columns are: {columns}",
                columns=", ".join(wanted),
            ),
            problems,
        )
    return names


def _mark(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -MARK_DECIMALS:  # type: ignore[operator]
        return None
    return value


def weigh_row(line: int, row: Mapping[str, str], scheme: Scheme) -> ScoreResult | list[RowProblem]:
    """The weighted result of one results row, or what is wrong with its marks."""
    problems: list[RowProblem] = []
    marks: dict[str, Decimal] = {}
    for component in scheme.components:
        kind = component.kind.value
        text = row.get(kind, "").strip()
        if not text:
            problems.append(RowProblem(line, kind, msg("a mark is needed")))
            continue
        mark = _mark(text)
        if mark is None:
            problems.append(
                RowProblem(line, kind, msg("a mark is a number with at most two decimals"))
            )
            continue
        marks[kind] = mark
    if problems:
        return problems
    try:
        return score(scheme, marks)
    except AccreditationError as error:
        return [RowProblem(line, "-", problem) for problem in error.problems or (error.message,)]


# --- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """Candidates of some sessions: registered, fee-exempt, assessed and certified."""

    registered: int = 0
    fee_exempt: int = 0
    assessed: int = 0
    certified: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.registered + other.registered,
            self.fee_exempt + other.fee_exempt,
            self.assessed + other.assessed,
            self.certified + other.certified,
        )

    @property
    def pass_rate(self) -> Decimal | None:
        """Certified of assessed, in percent with one decimal (None when nobody was assessed)."""
        if not self.assessed:
            return None
        return (Decimal(100) * self.certified / self.assessed).quantize(Decimal("0.1"))


def tally_of(candidates: list[tuple[bool, ResultStatus]]) -> Tally:
    """The tally of candidates given as (fee exempt, status)."""
    total = Tally()
    for fee_exempt, status in candidates:
        total += Tally(
            1,
            int(fee_exempt),
            int(status is not ResultStatus.REGISTERED),
            int(status is ResultStatus.PASSED),
        )
    return total
