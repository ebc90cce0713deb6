"""Assessing an application: assign a certified assessor free of conflicts, record marks,
decide. What only the use case can know (the assigned assessor, their certification on the
day, conflicts of interest) is checked here; who may take a step, by the policy, in the
handlers at the end.

Given a unit of work; never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.accounts import api as accounts
from creditbank.accreditation.applications import (
    Application,
    application_of,
    authorise,
    latest_marks,
    marks_of,
    move,
    row_of,
)
from creditbank.accreditation.certifications import CertificationKind, certified
from creditbank.accreditation.commands import (
    AssignAssessor,
    CheckStep,
    DecideApplication,
    ScoreApplication,
    ShowSchemeToMark,
)
from creditbank.accreditation.model import (
    AccreditationError,
    Decision,
    Scheme,
    State,
    Step,
    check_decision,
    require_step,
    score,
)
from creditbank.accreditation.standards import Unit, unit_by_id
from creditbank.accreditation.tables import (
    ApplicationRow,
    CertificationRow,
    DecisionRow,
    MarkRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler


def _previous_assessors(uow: UnitOfWork, row: ApplicationRow) -> set[int]:
    return set(
        uow.session.scalars(
            select(DecisionRow.assessor_user_id).where(DecisionRow.application_id == row.id)
        )
    )


def _certification(
    uow: UnitOfWork, user_id: int, unit: Unit, on: date, email: str
) -> CertificationRow:
    found = certified(
        uow=uow,
        user_id=user_id,
        kind=CertificationKind.ASSESSOR,
        item_id=unit.item.id,
        level_id=unit.level.level_id,
        on=on,
    )
    if found is None:
        raise AccreditationError(
            "assessor_not_certified",
            msg(
                "{email} holds no assessor certification for unit {unit} ({level}) valid on {date}",
                email=email,
                unit=unit.code,
                level=unit.level.level.code,
                date=on.isoformat(),
            ),
        )
    return found


def assign(
    *, uow: UnitOfWork, public_id: str, assessor_email: str, by: str, by_user_id: int, on: date
) -> Application:
    """Assign an assessor certified for the unit who has no conflict of interest: not the
    learner, not staff of the institution where the learning took place or that applied, and
    on appeal none who decided on the application before."""
    row = row_of(uow, public_id, lock=True)
    require_step(State(row.state), Step.ASSIGN)
    assessor = institutions.principal_or_none(uow=uow, email=assessor_email)
    if assessor is None or assessor.role is not institutions.Role.ASSESSOR:
        raise AccreditationError(
            "assessor_not_certified",
            msg("{email} is not an assessor of the bank", email=assessor_email),
        )
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    certification = _certification(uow, assessor.user_id, unit, on, assessor.email)
    codes = institutions.institution_codes(uow=uow)
    conflicts: list[Message] = []
    if certification.person_hmac in accounts.identity_indexes(uow=uow, learner_id=row.learner_id):
        conflicts.append(msg("the assessor is the learner"))
    for institution_id, role in (
        (row.taught_by_id, msg("taught the learner")),
        (row.applied_by_id, msg("applied for the learner")),
    ):
        if institution_id is not None and assessor.institution == codes[institution_id]:
            conflicts.append(
                msg(
                    "the assessor is staff of {institution}, which {role}",
                    institution=codes[institution_id],
                    role=role,
                )
            )
    if row.round > 1 and assessor.user_id in _previous_assessors(uow, row):
        conflicts.append(msg("an appeal goes to an assessor who has not decided on it before"))
    if conflicts:
        raise AccreditationError(
            "assessor_conflict",
            msg("{email} may not assess application {id}", email=assessor.email, id=row.public_id),
            conflicts,
        )
    row.assessor_user_id = assessor.user_id
    move(uow, row, Step.ASSIGN, State.ASSIGNED, by=by, by_user_id=by_user_id)
    return application_of(uow, row)


def _require_assessor(row: ApplicationRow, user_id: int) -> None:
    if row.assessor_user_id != user_id:
        raise AccreditationError(
            "not_the_assessor",
            msg("only the assessor assigned to application {id} may do this", id=row.public_id),
        )


def record_marks(
    *,
    uow: UnitOfWork,
    public_id: str,
    marks: Mapping[str, Decimal],
    comment: str,
    by: str,
    by_user_id: int,
    on: date,
) -> Application:
    """The assigned assessor, certified on the day, records a mark for each component of the
    unit's scheme; they may correct them until they decide."""
    row = row_of(uow, public_id, lock=True)
    _require_assessor(row, by_user_id)  # first: others learn nothing of the state
    require_step(State(row.state), Step.SCORE)
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    _certification(uow, by_user_id, unit, on, by)
    result = score(unit.scheme.scheme, marks)
    uow.session.add(
        MarkRow(
            application_id=row.id,
            round=row.round,
            scheme_id=unit.scheme.id,
            assessor_user_id=by_user_id,
            marks={kind: str(mark) for kind, mark in marks.items()},
            weighted=result.weighted,
            passed=result.passed,
            comment=comment.strip(),
            at=datetime.now(UTC),
        )
    )
    move(uow, row, Step.SCORE, State.SCORED, by=by, by_user_id=by_user_id)
    return application_of(uow, row)


def decide(
    *,
    uow: UnitOfWork,
    public_id: str,
    decision: Decision,
    reasons: str,
    by: str,
    by_user_id: int,
    on: date,
    granted: Decimal | None = None,
) -> Application:
    """The assigned assessor decides: accredited (with the unit's credits, or fewer), not
    accredited, or more evidence needed. The decision waits for a second person."""
    row = row_of(uow, public_id, lock=True)
    _require_assessor(row, by_user_id)  # first: others learn nothing of the state
    require_step(State(row.state), Step.DECIDE)
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    _certification(uow, by_user_id, unit, on, by)
    marks = latest_marks(uow, row, by_user_id=by_user_id)
    result = None if marks is None else marks_of(uow, marks, {by_user_id: by}).result
    problems = check_decision(
        decision, result=result, granted=granted, unit_credits=unit.credits, reasons=reasons
    )
    if problems:
        raise AccreditationError(
            "invalid_decision", msg("the decision cannot be recorded"), problems
        )
    accredited = decision is Decision.ACCREDITED
    uow.session.add(
        DecisionRow(
            application_id=row.id,
            round=row.round,
            decision=decision.value,
            mark_id=None if marks is None else marks.id,
            framework_level_id=unit.level.level_id if accredited else None,
            credits=(granted or unit.credits) if accredited else None,
            reasons=reasons.strip(),
            assessor_user_id=by_user_id,
            at=datetime.now(UTC),
        )
    )
    move(uow, row, Step.DECIDE, State.DECIDED, by=by, by_user_id=by_user_id, reason=reasons)
    return application_of(uow, row)


# --- handlers ----------------------------------------------------------------------------------


@handler
def check_step(query: CheckStep, *, principal: Principal, uow: UnitOfWork) -> None:
    """Refuses as the step would, before a page reads the step's form."""
    authorise(principal, uow=uow, public_id=query.public_id, step=query.step)


@handler
def assign_assessor(
    command: AssignAssessor, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The centre's accreditation officers, bank administrators."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.ASSIGN)
    return assign(
        uow=uow,
        public_id=command.public_id,
        assessor_email=command.assessor,
        by=principal.email,
        by_user_id=principal.user_id,
        on=command.on,
    )


@handler
def show_scheme_to_mark(
    query: ShowSchemeToMark, *, principal: Principal, uow: UnitOfWork
) -> Scheme:
    """Assessors (which one may mark: :func:`score_application` checks)."""
    authorise(principal, uow=uow, public_id=query.public_id, step=Step.SCORE)
    return unit_by_id(uow=uow, unit_id=row_of(uow, query.public_id).unit_id).scheme.scheme


@handler
def score_application(
    command: ScoreApplication, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The assigned assessor."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.SCORE)
    return record_marks(
        uow=uow,
        public_id=command.public_id,
        marks=command.marks,
        comment=command.comment,
        by=principal.email,
        by_user_id=principal.user_id,
        on=command.on,
    )


@handler
def decide_application(
    command: DecideApplication, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The assigned assessor; the decision waits for a second person."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.DECIDE)
    return decide(
        uow=uow,
        public_id=command.public_id,
        decision=command.decision,
        granted=command.credits,
        reasons=command.reasons,
        by=principal.email,
        by_user_id=principal.user_id,
        on=command.on,
    )
