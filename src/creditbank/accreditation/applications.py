"""Accreditation applications as stored and read back: the plain types the use cases answer,
the look-ups of an application, its parties and a centre's queue, and moving an application
from state to state (with its event).

Given a unit of work; never commit. The use cases are in ``filing`` (apply, add evidence,
appeal), ``assessment`` (assign, mark, decide), ``decisions`` (confirm), ``views`` (reading)
and ``learners`` (a learner's own applications).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select

from creditbank.access.policy import Action, Principal, require, require_any
from creditbank.accounts import api as accounts
from creditbank.accreditation.model import (
    OPEN_STATES,
    AccreditationError,
    Decision,
    ScoreResult,
    State,
    Step,
    due_on,
    score,
    stalled,
)
from creditbank.accreditation.schemes import SchemeVersion, scheme_by_id
from creditbank.accreditation.standards import Unit, unit_by_id
from creditbank.accreditation.tables import (
    ApplicationEventRow,
    ApplicationEvidenceRow,
    ApplicationRow,
    ConfirmationRow,
    DecisionRow,
    MarkRow,
)
from creditbank.db import UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import msg

LEARNER = "learner"
"""Who an event says took a step the learner took (on the learner's own pages)."""
MAX_EVIDENCE_NAME = 200
CENTRE_TYPES = frozenset(
    {
        institutions.InstitutionType.ACCREDITATION_CENTRE,
        institutions.InstitutionType.CREDIT_BANK_OFFICE,
    }
)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    sha256: str
    name: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    step: str
    from_state: str | None
    to_state: str
    by: str
    assessor: str | None
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Marks:
    round: int
    scheme: SchemeVersion
    result: ScoreResult
    assessor: str
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Confirmation:
    by: str
    agreed: bool
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    round: int
    decision: Decision
    level: str | None
    credits: Decimal | None
    reasons: str
    assessor: str
    at: datetime
    confirmation: Confirmation | None


@dataclass(frozen=True, slots=True)
class Application:
    public_id: str
    account_number: str
    centre: str
    unit: Unit
    setting: str
    statement: str
    taught_by: str | None
    applied_by_institution: str | None
    applied_by: str
    submitted_at: datetime
    state: State
    state_since: datetime
    due_on: date | None
    round: int
    assessor: str | None
    evidence: tuple[EvidenceItem, ...]
    events: tuple[Event, ...]
    marks: Marks | None
    """The latest marks of the current round."""
    decisions: tuple[DecisionRecord, ...]
    outcome: str | None
    """The public id of the outcome an accredited decision deposited."""
    receipt: ledger.Receipt | None = None

    @property
    def appealed(self) -> bool:
        return self.round > 1

    def stalled(self, today: date) -> bool:
        return stalled(self.state, self.state_since, today)


@dataclass(frozen=True, slots=True)
class Parties:
    """Who is concerned with an application (for access checks)."""

    centre: str
    applied_by: str | None
    taught_by: str | None
    assessor_user_id: int | None
    account_number: str

    def institutions(self) -> set[str]:
        return {c for c in (self.centre, self.applied_by) if c is not None}

    def require_reader(self, principal: Principal) -> None:
        """Who may read the application: the centre's staff, the applying institution's, the
        assigned assessor, bank-wide roles (``forbidden`` for anyone else)."""
        if self.assessor_user_id != principal.user_id:
            require_any(principal, Action.READ_APPLICATION, self.institutions())


# --- reading -------------------------------------------------------------------------------


def row_of(uow: UnitOfWork, public_id: str, *, lock: bool = False) -> ApplicationRow:
    query = select(ApplicationRow).where(ApplicationRow.public_id == public_id.strip().lower())
    if lock:  # and refresh what an earlier read of this transaction left in the session
        query = for_update(uow.session, query)
    row = uow.session.scalar(query)
    if row is None:
        raise AccreditationError(
            "application_not_found", msg("there is no application {id}", id=public_id)
        )
    return row


def parties(*, uow: UnitOfWork, public_id: str) -> Parties:
    row = row_of(uow, public_id)
    codes = institutions.institution_codes(uow=uow)
    return Parties(
        centre=codes[row.centre_id],
        applied_by=None if row.applied_by_id is None else codes[row.applied_by_id],
        taught_by=None if row.taught_by_id is None else codes[row.taught_by_id],
        assessor_user_id=row.assessor_user_id,
        account_number=account_number(uow, row.learner_id),
    )


def account_number(uow: UnitOfWork, learner_id: int) -> str:
    return accounts.account_number_of(uow=uow, learner_id=learner_id)


def emails_of(uow: UnitOfWork, user_ids: Collection[int | None]) -> dict[int, str]:
    found = institutions.users_by_id(uow=uow, user_ids={u for u in user_ids if u is not None})
    return {user_id: user.email for user_id, user in found.items()}


def get_application(*, uow: UnitOfWork, public_id: str) -> Application:
    return application_of(uow, row_of(uow, public_id))


def application_of(uow: UnitOfWork, row: ApplicationRow) -> Application:
    session = uow.session
    codes = institutions.institution_codes(uow=uow)
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    events = list(
        session.scalars(
            select(ApplicationEventRow)
            .where(ApplicationEventRow.application_id == row.id)
            .order_by(ApplicationEventRow.id)
        )
    )
    marks = latest_marks(uow, row)
    decisions = list(
        session.scalars(
            select(DecisionRow).where(DecisionRow.application_id == row.id).order_by(DecisionRow.id)
        )
    )
    confirmations = (
        {
            c.decision_id: c
            for c in session.scalars(
                select(ConfirmationRow).where(
                    ConfirmationRow.decision_id.in_([d.id for d in decisions])
                )
            )
        }
        if decisions
        else {}
    )
    emails = emails_of(
        uow,
        [
            row.assessor_user_id,
            *(e.assessor_user_id for e in events),
            *(d.assessor_user_id for d in decisions),
            *(c.by_user_id for c in confirmations.values()),
            None if marks is None else marks.assessor_user_id,
        ],
    )
    evidence_rows = session.scalars(
        select(ApplicationEvidenceRow)
        .where(ApplicationEvidenceRow.application_id == row.id)
        .order_by(ApplicationEvidenceRow.id)
    )
    outcome = None
    if row.outcome_id is not None:
        outcome = accounts.outcome_public_ids(uow=uow, outcome_ids=[row.outcome_id])[row.outcome_id]
    return Application(
        public_id=row.public_id,
        account_number=account_number(uow, row.learner_id),
        centre=codes[row.centre_id],
        unit=unit,
        setting=row.setting,
        statement=row.statement,
        taught_by=None if row.taught_by_id is None else codes[row.taught_by_id],
        applied_by_institution=None if row.applied_by_id is None else codes[row.applied_by_id],
        applied_by=row.applied_by,
        submitted_at=row.submitted_at,
        state=State(row.state),
        state_since=row.state_since,
        due_on=row.due_on,
        round=row.round,
        assessor=None if row.assessor_user_id is None else emails[row.assessor_user_id],
        evidence=tuple(EvidenceItem(e.sha256, e.name, e.added_at) for e in evidence_rows),
        events=tuple(
            Event(
                e.step,
                e.from_state,
                e.to_state,
                e.by,
                None if e.assessor_user_id is None else emails[e.assessor_user_id],
                e.reason,
                e.at,
            )
            for e in events
        ),
        marks=None if marks is None else marks_of(uow, marks, emails, known=unit.scheme),
        decisions=tuple(
            _decision(uow, d, confirmations.get(d.id), emails, unit_level=unit.level)
            for d in decisions
        ),
        outcome=outcome,
    )


def latest_marks(
    uow: UnitOfWork, row: ApplicationRow, *, by_user_id: int | None = None
) -> MarkRow | None:
    """The marks recorded last in the application's current round (by one assessor only, when
    ``by_user_id`` is given: an assessor decides on their own marks, not a predecessor's)."""
    query = select(MarkRow).where(MarkRow.application_id == row.id, MarkRow.round == row.round)
    if by_user_id is not None:
        query = query.where(MarkRow.assessor_user_id == by_user_id)
    return uow.session.scalar(query.order_by(MarkRow.id.desc()).limit(1))


def marks_of(
    uow: UnitOfWork,
    row: MarkRow,
    emails: Mapping[int, str],
    *,
    known: SchemeVersion | None = None,
) -> Marks:
    """The marks of ``row``, scored by the scheme they were recorded under (``known`` when it
    is that one, the unit's as a rule: read otherwise)."""
    scheme = known if known is not None and known.id == row.scheme_id else None
    if scheme is None:
        scheme = scheme_by_id(uow, row.scheme_id)
    result = score(scheme.scheme, {k: Decimal(v) for k, v in row.marks.items()})
    return Marks(row.round, scheme, result, emails[row.assessor_user_id], row.comment, row.at)


def _decision(
    uow: UnitOfWork,
    row: DecisionRow,
    confirmation: ConfirmationRow | None,
    emails: Mapping[int, str],
    *,
    unit_level: frameworks.PinnedLevel,
) -> DecisionRecord:
    """A decision as read: its level named from the unit's (already pinned) when it is that
    one, read otherwise."""
    level = None
    if row.framework_level_id == unit_level.level_id:
        level = unit_level.level.code
    elif row.framework_level_id is not None:
        level = frameworks.pinned_level(uow=uow, level_id=row.framework_level_id).level.code
    return DecisionRecord(
        round=row.round,
        decision=Decision(row.decision),
        level=level,
        credits=row.credits,
        reasons=row.reasons,
        assessor=emails[row.assessor_user_id],
        at=row.at,
        confirmation=None
        if confirmation is None
        else Confirmation(
            emails[confirmation.by_user_id],
            confirmation.agreed,
            confirmation.reason,
            confirmation.at,
        ),
    )


def list_applications(
    *,
    uow: UnitOfWork,
    account_number: str | None = None,
    centre: str | None = None,
    states: Collection[State] = (),
) -> list[Application]:
    """Applications, newest first, of one learner and/or one centre, in some states."""
    where: list[ColumnElement[bool]] = []
    if account_number is not None:
        where.append(ApplicationRow.learner_id == accounts.learner_id_of(uow, account_number))
    if centre is not None:
        where.append(ApplicationRow.centre_id == institutions.institution_id(uow=uow, code=centre))
    if states:
        where.append(ApplicationRow.state.in_([s.value for s in states]))
    rows = uow.session.scalars(
        select(ApplicationRow).where(*where).order_by(ApplicationRow.id.desc())
    )
    return [application_of(uow, row) for row in rows]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    public_id: str
    account_number: str
    standard: str
    unit: str
    unit_name: str
    state: State
    state_since: datetime
    due_on: date | None
    stalled: bool
    round: int
    assessor: str | None


def queue(*, uow: UnitOfWork, centre: str, today: date) -> list[QueueEntry]:
    """A centre's open applications, the most overdue first; stalled ones are flagged."""
    centre_id = institutions.institution_id(uow=uow, code=centre)
    return _open_entries(uow, ApplicationRow.centre_id == centre_id, today=today)


def assigned_to(*, uow: UnitOfWork, user_id: int, today: date) -> list[QueueEntry]:
    """The open applications assigned to assessor ``user_id``, in every centre, most overdue
    first."""
    return _open_entries(uow, ApplicationRow.assessor_user_id == user_id, today=today)


def _open_entries(uow: UnitOfWork, where: ColumnElement[bool], *, today: date) -> list[QueueEntry]:
    rows = list(
        uow.session.scalars(
            select(ApplicationRow)
            .where(where, ApplicationRow.state.in_([s.value for s in OPEN_STATES]))
            .order_by(ApplicationRow.due_on, ApplicationRow.id)
        )
    )
    emails = emails_of(uow, [r.assessor_user_id for r in rows])
    numbers = accounts.account_numbers(uow=uow, learner_ids=[r.learner_id for r in rows])
    units = {u: unit_by_id(uow=uow, unit_id=u) for u in {r.unit_id for r in rows}}
    return [
        QueueEntry(
            public_id=r.public_id,
            account_number=numbers[r.learner_id],
            standard=f"{units[r.unit_id].standard} v{units[r.unit_id].standard_version}",
            unit=units[r.unit_id].code,
            unit_name=units[r.unit_id].name,
            state=State(r.state),
            state_since=r.state_since,
            due_on=r.due_on,
            stalled=stalled(State(r.state), r.state_since, today),
            round=r.round,
            assessor=None if r.assessor_user_id is None else emails[r.assessor_user_id],
        )
        for r in rows
    ]


def move(
    uow: UnitOfWork,
    row: ApplicationRow,
    step: Step,
    to: State,
    *,
    by: str,
    by_user_id: int | None,
    reason: str = "",
) -> None:
    """Move ``row`` to state ``to`` and append the event."""
    now = datetime.now(UTC)
    uow.session.add(
        ApplicationEventRow(
            application_id=row.id,
            step=step.value,
            from_state=row.state,
            to_state=to.value,
            by=by,
            by_user_id=by_user_id,
            assessor_user_id=row.assessor_user_id,
            reason=reason,
            at=now,
        )
    )
    row.state = to.value
    row.state_since = now
    row.due_on = due_on(to, now)
    uow.session.flush()


def authorise(principal: Principal, *, uow: UnitOfWork, public_id: str, step: Step) -> None:
    """Refuse (``forbidden``) unless ``principal`` may take ``step`` on the application, as
    the policy says: assigning and confirming are for the centre's officers; marking and
    deciding for assessors (which assessor: the step itself checks); adding evidence and
    appealing for the institution that applied. Every entry point checks this before it
    reads a form, so that who may not act learns nothing more."""
    match step:
        case Step.ASSIGN:
            require(principal, Action.ASSIGN_ASSESSOR, parties(uow=uow, public_id=public_id).centre)
        case Step.SCORE | Step.DECIDE:
            require(principal, Action.SCORE_APPLICATION, principal.institution)
        case Step.CONFIRM | Step.RETURN:
            owner = parties(uow=uow, public_id=public_id).centre
            require(principal, Action.CONFIRM_DECISION, owner)
        case Step.ADD_EVIDENCE | Step.APPEAL:
            owner_of = parties(uow=uow, public_id=public_id).applied_by
            require(principal, Action.APPLY_ACCREDITATION, owner_of)


def centres(uow: UnitOfWork) -> list[institutions.Institution]:
    """The institutions an application may go to."""
    return [i for i in institutions.list_institutions(uow=uow) if i.type in CENTRE_TYPES]
