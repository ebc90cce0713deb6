"""Accreditation of learning outcomes: competence standards, assessment schemes and scoring,
and the life of an application. A pure core (standard library and our messages only).

A **competence standard** (Specification of Competency Standards) belongs to an industry and
an occupation and is made of **units**: outcome statements in the knowledge / skills /
competency domains, a framework level, credits, assessment criteria and the evidence a
candidate must show. Standards are versioned like frameworks: a version never changes.

An **assessment scheme** says how one level of an awardable item (a unit, or a level of an
X certificate) is assessed: components (theory, practice, portfolio, interview) with weights
in whole percent adding up to 100, an optional minimum mark per component, and the weighted
mark needed to pass. :func:`score` turns component marks into a result with its reasons.

An **application** moves through the states of :class:`State`; :data:`TRANSITIONS` says which
step may be taken from which state, :data:`DEADLINE_DAYS` how long a state may last before the
application counts as stalled in its centre's queue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_MARK = Decimal(100)
DEFAULT_PASS_MARK = Decimal(60)
MAX_STATEMENT = 4000
MAX_REASON = 2000


class AccreditationError(DomainError):
    """A standard, scheme, application or step that cannot be accepted."""


class Domain(StrEnum):
    """The domains of an outcome statement (as the framework level descriptors)."""

    KNOWLEDGE = "knowledge"
    SKILLS = "skills"
    COMPETENCY = "competency"


class ComponentKind(StrEnum):
    THEORY = "theory"
    PRACTICE = "practice"
    PORTFOLIO = "portfolio"
    INTERVIEW = "interview"


# -- standards ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One outcome statement of a unit."""

    domain: Domain
    text: str
    text_en: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceNeed:
    """Evidence a candidate must show for a unit (e.g. a work sample, an employer's letter)."""

    kind: str
    description: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class SchemeComponent:
    kind: ComponentKind
    weight: int
    """Whole percent; the weights of a scheme add up to 100."""
    pass_mark: Decimal | None = None
    """The least mark this component needs on its own (None: no minimum)."""


@dataclass(frozen=True, slots=True)
class Scheme:
    """How one level of an item is assessed."""

    components: tuple[SchemeComponent, ...]
    pass_mark: Decimal = DEFAULT_PASS_MARK
    """The weighted mark needed to pass."""

    def describe(self) -> str:
        """e.g. ``theory 20 / practice 80, pass 60``."""
        parts = " / ".join(f"{c.kind.value} {c.weight}" for c in self.components)
        return f"{parts}, pass {plain(self.pass_mark)}"


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit of a competence standard as a file states it."""

    code: str
    name: str
    level: str
    credits: Decimal
    scheme: Scheme
    name_en: str = ""
    statements: tuple[Statement, ...] = ()
    criteria: tuple[str, ...] = ()
    evidence: tuple[EvidenceNeed, ...] = ()


@dataclass(frozen=True, slots=True)
class StandardDraft:
    """A competence standard version as a file states it."""

    code: str
    version: int
    name: str
    industry: str
    occupation: str
    framework: str
    units: tuple[UnitSpec, ...]
    name_en: str = ""
    valid_from: date | None = None


def plain(number: Decimal) -> str:
    """``60.00`` -> ``60``, ``62.50`` -> ``62.5``: a mark as people write it."""
    return f"{number.normalize():f}"


def _mark_problem(mark: Decimal | None, where: str) -> Message | None:
    if mark is None or (mark.is_finite() and Decimal(0) <= mark <= MAX_MARK):
        return None
    return msg("{where}: a mark is between 0 and 100, not {mark}", where=where, mark=plain(mark))


def check_scheme(scheme: Scheme, where: str = "scheme") -> list[Message]:
    """Every problem with ``scheme`` (empty when it is fine)."""
    problems: list[Message] = []
    if not scheme.components:
        problems.append(msg("{where}: a scheme needs at least one component", where=where))
    kinds = [c.kind for c in scheme.components]
    problems.extend(
        msg("{where}: component {kind} is listed twice", where=where, kind=kind.value)
        for kind in sorted({k for k in kinds if kinds.count(k) > 1})
    )
    for component in scheme.components:
        if not 1 <= component.weight <= 100:  # noqa: PLR2004 - whole percent
            problems.append(
                msg(
                    "{where}: the weight of {kind} must be 1 to 100 percent, not {weight}",
                    where=where,
                    kind=component.kind.value,
                    weight=component.weight,
                )
            )
        problem = _mark_problem(component.pass_mark, f"{where}.{component.kind.value}")
        if problem:
            problems.append(problem)
    total = sum(c.weight for c in scheme.components)
    if scheme.components and total != 100:  # noqa: PLR2004 - whole percent
        problems.append(
            msg("{where}: the weights add up to {total}, not 100", where=where, total=total)
        )
    problem = _mark_problem(scheme.pass_mark, f"{where}.pass_mark")
    if problem:
        problems.append(problem)
    return problems


def check_standard(draft: StandardDraft) -> list[Message]:
    """Every problem with ``draft`` that needs no database (empty when it is fine)."""
    problems: list[Message] = []
    if not CODE.match(draft.code):
        problems.append(
            msg(
                "standard code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                code=repr(draft.code),
            )
        )
    if draft.version < 1:
        problems.append(msg("a standard's version is a whole number from 1"))
    for label, value in (("name", draft.name), ("industry", draft.industry)):
        if not value.strip():
            problems.append(msg("a standard needs its {field}", field=label))
    if not draft.occupation.strip():
        problems.append(msg("a standard needs its {field}", field="occupation"))
    if not draft.units:
        problems.append(msg("a standard needs at least one unit"))
    seen: set[str] = set()
    for index, unit in enumerate(draft.units):
        where = f"units[{index}]"
        if not CODE.match(unit.code):
            problems.append(
                msg(
                    "{where}: unit code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                    where=where,
                    code=repr(unit.code),
                )
            )
        if unit.code.casefold() in seen:
            problems.append(
                msg("{where}: unit {code} is listed twice", where=where, code=unit.code)
            )
        seen.add(unit.code.casefold())
        if not unit.name.strip():
            problems.append(msg("{where}: a unit needs a name", where=where))
        if not Decimal(0) < unit.credits <= Decimal(999):
            problems.append(
                msg(
                    "{where}: credits must be more than 0 and at most 999, not {credits}",
                    where=where,
                    credits=str(unit.credits),
                )
            )
        if not unit.statements:
            problems.append(
                msg("{where}: a unit needs at least one outcome statement", where=where)
            )
        if not unit.criteria:
            problems.append(msg("{where}: a unit needs its assessment criteria", where=where))
        problems.extend(check_scheme(unit.scheme, f"{where}.scheme"))
    return problems


# -- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentResult:
    kind: ComponentKind
    mark: Decimal
    weight: int
    pass_mark: Decimal | None
    passed: bool


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Component marks weighed by a scheme: the weighted mark, pass or fail, and why."""

    weighted: Decimal
    components: tuple[ComponentResult, ...]
    pass_mark: Decimal
    passed: bool
    reasons: tuple[Message, ...]


def score(scheme: Scheme, marks: Mapping[str, Decimal]) -> ScoreResult:
    """Weigh ``marks`` (by component kind) by ``scheme``.

    Every component of the scheme needs a mark from 0 to 100 and no other mark is accepted.
    The weighted mark is rounded half up to two places. The result passes when the weighted
    mark reaches the scheme's pass mark and each component reaches its own minimum; each
    shortfall is a reason.
    """
    problems: list[Message] = []
    expected = {c.kind.value for c in scheme.components}
    problems.extend(
        msg(
            "the scheme has no component {kind} (it has {kinds})",
            kind=name,
            kinds=", ".join(c.kind.value for c in scheme.components),
        )
        for name in sorted(set(marks) - expected)
    )
    for component in scheme.components:
        if component.kind.value not in marks:
            problems.append(msg("a mark for {kind} is missing", kind=component.kind.value))
            continue
        problem = _mark_problem(marks[component.kind.value], component.kind.value)
        if problem:
            problems.append(problem)
    if problems:
        raise AccreditationError("invalid_scores", msg("the marks cannot be weighed"), problems)
    results: list[ComponentResult] = []
    reasons: list[Message] = []
    total = Decimal(0)
    for component in scheme.components:
        mark = marks[component.kind.value]
        total += mark * component.weight
        minimum = component.pass_mark
        ok = minimum is None or mark >= minimum
        if minimum is not None and not ok:
            reasons.append(
                msg(
                    "{kind}: {mark} is below its minimum of {minimum}",
                    kind=component.kind.value,
                    mark=plain(mark),
                    minimum=plain(minimum),
                )
            )
        results.append(
            ComponentResult(component.kind, mark, component.weight, component.pass_mark, ok)
        )
    weighted = (total / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    if weighted < scheme.pass_mark:
        reasons.append(
            msg(
                "the weighted mark {mark} is below the pass mark {pass_mark}",
                mark=plain(weighted),
                pass_mark=plain(scheme.pass_mark),
            )
        )
    return ScoreResult(weighted, tuple(results), scheme.pass_mark, not reasons, tuple(reasons))


# -- applications ---------------------------------------------------------------------------


class State(StrEnum):
    SUBMITTED = "submitted"
    """Waiting for the centre to assign an assessor."""
    ASSIGNED = "assigned"
    """Waiting for the assessor's marks (or a request for more evidence)."""
    SCORED = "scored"
    """Marked; waiting for the assessor's decision."""
    DECIDED = "decided"
    """Decided; waiting for a second person to confirm."""
    MORE_EVIDENCE = "more_evidence"
    """Returned to the learner for more evidence."""
    APPEALED = "appealed"
    """Appealed; waiting for a different assessor."""
    ACCREDITED = "accredited"
    NOT_ACCREDITED = "not_accredited"


OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.ASSIGNED,
        State.SCORED,
        State.DECIDED,
        State.MORE_EVIDENCE,
        State.APPEALED,
    }
)


class Step(StrEnum):
    """What moves an application, and who takes the step."""

    ASSIGN = "assign"  # an accreditation officer of the centre
    SCORE = "score"  # the assigned assessor
    DECIDE = "decide"  # the assigned assessor
    CONFIRM = "confirm"  # a second person: an officer of the centre, not the assessor
    RETURN = "return"  # the second person disagrees: back to the assessor
    ADD_EVIDENCE = "add_evidence"  # the learner (or the institution that applied)
    APPEAL = "appeal"  # the learner, once, after "not accredited"


class Decision(StrEnum):
    ACCREDITED = "accredited"
    NOT_ACCREDITED = "not_accredited"
    MORE_EVIDENCE = "more_evidence"


TRANSITIONS: Mapping[Step, frozenset[State]] = {
    Step.ASSIGN: frozenset({State.SUBMITTED, State.ASSIGNED, State.APPEALED}),
    Step.SCORE: frozenset({State.ASSIGNED, State.SCORED}),
    Step.DECIDE: frozenset({State.ASSIGNED, State.SCORED}),
    Step.CONFIRM: frozenset({State.DECIDED}),
    Step.RETURN: frozenset({State.DECIDED}),
    Step.ADD_EVIDENCE: frozenset({State.MORE_EVIDENCE}),
    Step.APPEAL: frozenset({State.NOT_ACCREDITED}),
}
"""From which states each step may be taken."""

DEADLINE_DAYS: Mapping[State, int] = {
    State.SUBMITTED: 7,
    State.ASSIGNED: 21,
    State.SCORED: 7,
    State.DECIDED: 7,
    State.MORE_EVIDENCE: 60,
    State.APPEALED: 7,
}
"""How many days an application may stay in an open state before it is stalled."""


def require_step(state: State, step: Step) -> None:
    """Raise ``status_conflict`` naming the state and the step unless ``step`` may be taken."""
    if state not in TRANSITIONS[step]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[step]))
        raise AccreditationError(
            "application_status_conflict",
            msg(
                "the application is {state}; to {step} it must be {allowed}",
                state=state.value,
                step=step.value,
                allowed=allowed,
            ),
        )


def after_decision(decision: Decision) -> State:
    """The state a confirmed decision leaves the application in."""
    return State(decision.value)


def due_on(state: State, since: datetime) -> date | None:
    """When an application that entered ``state`` at ``since`` becomes stalled (None: final)."""
    days = DEADLINE_DAYS.get(state)
    return None if days is None else since.date() + timedelta(days=days)


def stalled(state: State, since: datetime, today: date) -> bool:
    due = due_on(state, since)
    return due is not None and today > due


def check_statement(statement: str) -> list[Message]:
    if not statement.strip():
        return [msg("say in a statement what was learned, where and how")]
    if len(statement) > MAX_STATEMENT:
        return [msg("the statement is longer than {count} characters", count=MAX_STATEMENT)]
    return []


def check_decision(
    decision: Decision,
    *,
    result: ScoreResult | None,
    granted: Decimal | None,
    unit_credits: Decimal,
    reasons: str,
) -> list[Message]:
    """Whether a decision agrees with the marks: "accredited" needs marks that pass and credits
    of at most the unit's; "not accredited" needs a reason or marks that fail; "more evidence"
    needs a reason saying what is missing."""
    problems: list[Message] = []
    if len(reasons) > MAX_REASON:
        problems.append(msg("the reasons are longer than {count} characters", count=MAX_REASON))
    if decision is Decision.ACCREDITED:
        if result is None:
            problems.append(msg("record the marks before deciding to accredit"))
        elif not result.passed:
            problems.append(msg("the marks do not pass, so the learning cannot be accredited"))
        if granted is not None and not Decimal(0) < granted <= unit_credits:
            problems.append(
                msg(
                    "credits must be more than 0 and at most the unit's {credits}",
                    credits=str(unit_credits),
                )
            )
    elif decision is Decision.NOT_ACCREDITED:
        if result is not None and result.passed and not reasons.strip():
            problems.append(msg("the marks pass: say why the learning is not accredited"))
        if result is None and not reasons.strip():
            problems.append(msg("say why the learning is not accredited"))
    elif not reasons.strip():
        problems.append(msg("say what evidence is missing"))
    return problems
