"""Use cases of accreditation applications: apply with evidence, assign an assessor, record
marks, decide, confirm (four eyes), ask for more evidence, appeal; a centre's queue.

Given a unit of work; never commit. Each step checks the application's state against the
pure core's :data:`~creditbank.accreditation.model.TRANSITIONS`, moves it, and appends an
event; a confirmed decision is a ledger entry, and an accredited one is also an outcome in
the learner's account (deposited by the centre, for the unit's catalogue item), in the same
transaction. Who may take a step is the HTTP and CLI layers' check with the access policy;
what only the service can know (the assigned assessor, their certification, conflicts of
interest, four eyes) is checked here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select

from creditbank.access.policy import Action, Principal, require_any
from creditbank.accounts import api as accounts
from creditbank.accreditation import records
from creditbank.accreditation.model import (
    OPEN_STATES,
    AccreditationError,
    Decision,
    ScoreResult,
    State,
    Step,
    after_decision,
    check_decision,
    check_statement,
    due_on,
    require_step,
    score,
    stalled,
)
from creditbank.accreditation.standards import (
    CertificationKind,
    SchemeVersion,
    Unit,
    certified,
    find_unit,
    scheme_by_id,
    unit_by_id,
)
from creditbank.accreditation.tables import (
    ApplicationEventRow,
    ApplicationEvidenceRow,
    ApplicationRow,
    CertificationRow,
    ConfirmationRow,
    DecisionRow,
    MarkRow,
)
from creditbank.db import UnitOfWork, for_update
from creditbank.evidence import api as evidence
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg

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


def _row(uow: UnitOfWork, public_id: str, *, lock: bool = False) -> ApplicationRow:
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
    row = _row(uow, public_id)
    codes = institutions.institution_codes(uow=uow)
    return Parties(
        centre=codes[row.centre_id],
        applied_by=None if row.applied_by_id is None else codes[row.applied_by_id],
        taught_by=None if row.taught_by_id is None else codes[row.taught_by_id],
        assessor_user_id=row.assessor_user_id,
        account_number=_account_number(uow, row.learner_id),
    )


def _account_number(uow: UnitOfWork, learner_id: int) -> str:
    return uow.session.get_one(accounts.LearnerRow, learner_id).account_number


def _emails(uow: UnitOfWork, user_ids: Collection[int | None]) -> dict[int, str]:
    found = institutions.users_by_id(uow=uow, user_ids={u for u in user_ids if u is not None})
    return {user_id: user.email for user_id, user in found.items()}


def get_application(*, uow: UnitOfWork, public_id: str) -> Application:
    return _application(uow, _row(uow, public_id))


def _application(uow: UnitOfWork, row: ApplicationRow) -> Application:
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
    marks = _latest_marks(uow, row)
    decisions = list(
        session.scalars(
            select(DecisionRow).where(DecisionRow.application_id == row.id).order_by(DecisionRow.id)
        )
    )
    confirmations = {
        c.decision_id: c
        for c in session.scalars(
            select(ConfirmationRow).where(
                ConfirmationRow.decision_id.in_([d.id for d in decisions])
            )
        )
    }
    emails = _emails(
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
        outcome = session.get_one(accounts.OutcomeRow, row.outcome_id).public_id
    return Application(
        public_id=row.public_id,
        account_number=_account_number(uow, row.learner_id),
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
        marks=None if marks is None else _marks(uow, marks, emails),
        decisions=tuple(_decision(uow, d, confirmations.get(d.id), emails) for d in decisions),
        outcome=outcome,
    )


def _latest_marks(
    uow: UnitOfWork, row: ApplicationRow, *, by_user_id: int | None = None
) -> MarkRow | None:
    """The marks recorded last in the application's current round (by one assessor only, when
    ``by_user_id`` is given: an assessor decides on their own marks, not a predecessor's)."""
    query = select(MarkRow).where(MarkRow.application_id == row.id, MarkRow.round == row.round)
    if by_user_id is not None:
        query = query.where(MarkRow.assessor_user_id == by_user_id)
    return uow.session.scalar(query.order_by(MarkRow.id.desc()).limit(1))


def _marks(uow: UnitOfWork, row: MarkRow, emails: Mapping[int, str]) -> Marks:
    scheme = scheme_by_id(uow, row.scheme_id)
    result = score(scheme.scheme, {k: Decimal(v) for k, v in row.marks.items()})
    return Marks(row.round, scheme, result, emails[row.assessor_user_id], row.comment, row.at)


def _decision(
    uow: UnitOfWork,
    row: DecisionRow,
    confirmation: ConfirmationRow | None,
    emails: Mapping[int, str],
) -> DecisionRecord:
    level = None
    if row.framework_level_id is not None:
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
    return [_application(uow, row) for row in rows]


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
    emails = _emails(uow, [r.assessor_user_id for r in rows])
    numbers = {
        learner.id: learner.account_number
        for learner in uow.session.execute(
            select(accounts.LearnerRow.id, accounts.LearnerRow.account_number).where(
                accounts.LearnerRow.id.in_({r.learner_id for r in rows})
            )
        )
    }
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


# --- steps ---------------------------------------------------------------------------------


def _move(
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


def _evidence_rows(
    uow: UnitOfWork,
    row: ApplicationRow,
    files: Sequence[tuple[str, str]],
    holders: Collection[int],
) -> list[Message]:
    """Attach evidence files (sha256, what it is) that one of ``holders`` uploaded."""
    problems: list[Message] = []
    hashes = [sha.strip().lower() for sha, _ in files]
    held: set[str] = set()
    for holder in holders:
        held |= evidence.held_for(uow=uow, institution_id=holder, hashes=hashes)
    present = {
        e.sha256
        for e in uow.session.scalars(
            select(ApplicationEvidenceRow).where(ApplicationEvidenceRow.application_id == row.id)
        )
    }
    now = datetime.now(UTC)
    for index, ((_, name), sha) in enumerate(zip(files, hashes, strict=True)):
        if not evidence.SHA256_HEX.match(sha):
            problems.append(msg("evidence[{index}]: not a SHA-256 hash", index=index))
        elif sha not in held:
            problems.append(
                msg(
                    "evidence[{index}]: no evidence file {sha256} was uploaded here",
                    index=index,
                    sha256=sha,
                )
            )
        if not name.strip() or len(name) > MAX_EVIDENCE_NAME:
            problems.append(
                msg(
                    "evidence[{index}]: say in up to {count} characters what the file is",
                    index=index,
                    count=MAX_EVIDENCE_NAME,
                )
            )
        if not problems and sha not in present:
            present.add(sha)
            uow.session.add(
                ApplicationEvidenceRow(
                    application_id=row.id, sha256=sha, name=name.strip(), added_at=now
                )
            )
    return problems


def apply(
    *,
    uow: UnitOfWork,
    account_number: str,
    centre: str,
    standard: str,
    unit: str,
    setting: str,
    statement: str,
    evidence_files: Sequence[tuple[str, str]],
    by: str,
    applied_by_institution: str | None = None,
    taught_by: str | None = None,
    standard_version: int | None = None,
) -> Application:
    """File an application for accreditation of a learner's learning against a unit, with
    evidence already uploaded (to the centre, or by the applying institution)."""
    problems: list[Message] = []
    learner_id = accounts.learner_id_of(uow, account_number)
    found_unit = find_unit(uow=uow, standard=standard, unit=unit, version=standard_version)
    centre_row = institutions.get_institution(uow=uow, code=centre)
    if centre_row.type not in CENTRE_TYPES:
        problems.append(msg("{centre} is not an accreditation centre", centre=centre_row.code))
    try:
        accounts.LearningSetting(setting)
    except ValueError:
        problems.append(
            msg(
                "the learning setting is one of {settings}, not {setting}",
                settings=", ".join(s.value for s in accounts.LearningSetting),
                setting=setting,
            )
        )
    problems.extend(check_statement(statement))
    if not evidence_files:
        problems.append(msg("an application needs at least one evidence file"))
    taught_by_id = None
    if taught_by:
        taught_by_id = institutions.institution_id(uow=uow, code=taught_by)
    applied_by_id = None
    if applied_by_institution:
        applied_by_id = institutions.institution_id(uow=uow, code=applied_by_institution)
    # The learner is locked before the open applications are read: of parallel applications
    # for one unit, one is filed and the others find it open.
    learner_query = select(accounts.LearnerRow.id).where(accounts.LearnerRow.id == learner_id)
    uow.session.scalar(for_update(uow.session, learner_query))
    open_one = uow.session.scalar(
        select(ApplicationRow.public_id).where(
            ApplicationRow.learner_id == learner_id,
            ApplicationRow.unit_id == found_unit.id,
            ApplicationRow.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    if open_one is not None:
        raise AccreditationError(
            "application_status_conflict",
            msg(
                "application {id} for unit {unit} is still open",
                id=open_one,
                unit=found_unit.code,
            ),
        )
    centre_id = institutions.institution_id(uow=uow, code=centre_row.code)
    now = datetime.now(UTC)
    row = ApplicationRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        centre_id=centre_id,
        unit_id=found_unit.id,
        setting=setting,
        statement=statement.strip(),
        taught_by_id=taught_by_id,
        applied_by_id=applied_by_id,
        applied_by=by,
        submitted_at=now,
        state=State.SUBMITTED.value,
        state_since=now,
        due_on=due_on(State.SUBMITTED, now),
        round=1,
        assessor_user_id=None,
        outcome_id=None,
    )
    uow.session.add(row)
    uow.session.flush()
    holders = {centre_id} | ({applied_by_id} if applied_by_id else set())
    problems.extend(_evidence_rows(uow, row, evidence_files, holders))
    if problems:
        raise AccreditationError(
            "invalid_application", msg("the application cannot be filed"), problems
        )
    uow.session.add(
        ApplicationEventRow(
            application_id=row.id,
            step="submit",
            from_state=None,
            to_state=State.SUBMITTED.value,
            by=by,
            by_user_id=None,
            assessor_user_id=None,
            reason="",
            at=now,
        )
    )
    uow.session.flush()
    return _application(uow, row)


def _previous_assessors(uow: UnitOfWork, row: ApplicationRow) -> set[int]:
    return set(
        uow.session.scalars(
            select(DecisionRow.assessor_user_id).where(DecisionRow.application_id == row.id)
        )
    )


def _learner_hmacs(uow: UnitOfWork, learner_id: int) -> set[str]:
    return set(
        uow.session.scalars(
            select(accounts.LearnerIdentityRow.id_hmac).where(
                accounts.LearnerIdentityRow.learner_id == learner_id
            )
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
    row = _row(uow, public_id, lock=True)
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
    if certification.person_hmac in _learner_hmacs(uow, row.learner_id):
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
    _move(uow, row, Step.ASSIGN, State.ASSIGNED, by=by, by_user_id=by_user_id)
    return _application(uow, row)


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
    row = _row(uow, public_id, lock=True)
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
    _move(uow, row, Step.SCORE, State.SCORED, by=by, by_user_id=by_user_id)
    return _application(uow, row)


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
    row = _row(uow, public_id, lock=True)
    _require_assessor(row, by_user_id)  # first: others learn nothing of the state
    require_step(State(row.state), Step.DECIDE)
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    _certification(uow, by_user_id, unit, on, by)
    marks = _latest_marks(uow, row, by_user_id=by_user_id)
    result = None if marks is None else _marks(uow, marks, {by_user_id: by}).result
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
    _move(uow, row, Step.DECIDE, State.DECIDED, by=by, by_user_id=by_user_id, reason=reasons)
    return _application(uow, row)


def _pending_decision(uow: UnitOfWork, row: ApplicationRow) -> DecisionRow:
    return uow.session.scalars(
        select(DecisionRow)
        .where(DecisionRow.application_id == row.id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).one()


def confirm(
    *,
    uow: UnitOfWork,
    public_id: str,
    agree: bool,
    reason: str,
    by: str,
    by_user_id: int,
) -> Application:
    """A second person, never the assessor, confirms the decision (it takes effect: an
    accredited one becomes an outcome in the learner's account; both are logged) or returns
    it to the assessor with a reason."""
    row = _row(uow, public_id, lock=True)
    require_step(State(row.state), Step.CONFIRM)
    decision_row = _pending_decision(uow, row)
    if by_user_id == decision_row.assessor_user_id:
        raise AccreditationError(
            "assessor_confirms",
            msg("the assessor who decided may not confirm the decision; a second person must"),
        )
    if not agree and not reason.strip():
        raise AccreditationError(
            "invalid_decision", msg("say why the decision goes back to the assessor")
        )
    now = datetime.now(UTC)
    uow.session.add(
        ConfirmationRow(
            decision_id=decision_row.id,
            assessor_user_id=decision_row.assessor_user_id,
            by_user_id=by_user_id,
            agreed=agree,
            reason=reason.strip(),
            at=now,
        )
    )
    if not agree:
        _move(uow, row, Step.RETURN, State.ASSIGNED, by=by, by_user_id=by_user_id, reason=reason)
        return _application(uow, row)
    decision = Decision(decision_row.decision)
    _move(
        uow,
        row,
        Step.CONFIRM,
        after_decision(decision),
        by=by,
        by_user_id=by_user_id,
        reason=reason,
    )
    facts: list[ledger.LogFact] = []
    centre = institutions.institution_codes(uow=uow)[row.centre_id]
    number = _account_number(uow, row.learner_id)
    if decision is Decision.ACCREDITED:
        outcome = _deposit(uow, row, decision_row, now)
        row.outcome_id = outcome.id
        uow.session.flush()
        facts.append(accounts.deposited_fact(outcome, account_number=number, institution=centre))
    if decision is Decision.MORE_EVIDENCE:
        return _application(uow, row)
    application = _application(uow, row)
    facts.append(records.decision_fact(uow, row, decision_row))
    receipts = ledger.append(uow, facts)
    return replace(application, receipt=receipts[-1])


def _deposit(
    uow: UnitOfWork, row: ApplicationRow, decision: DecisionRow, now: datetime
) -> accounts.OutcomeRow:
    """The accredited unit as an outcome of the learner's, deposited by the centre."""
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    marks = None if decision.mark_id is None else uow.session.get(MarkRow, decision.mark_id)
    first_evidence = uow.session.scalar(
        select(ApplicationEvidenceRow.sha256)
        .where(ApplicationEvidenceRow.application_id == row.id)
        .order_by(ApplicationEvidenceRow.id)
        .limit(1)
    )
    outcome = accounts.OutcomeRow(
        public_id=uuid.uuid4().hex,
        learner_id=row.learner_id,
        institution_id=row.centre_id,
        record_id=f"accreditation/{row.public_id}/{row.round}",
        item_id=unit.item.id,
        framework_level_id=decision.framework_level_id or unit.level.level_id,
        credits=decision.credits,
        score=None if marks is None else marks.weighted,
        assessed_on=now.date(),
        setting=row.setting,
        evidence_sha256=first_evidence,
        deposited_at=now,
        batch_id=None,
        conversion_grant_id=None,
    )
    uow.session.add(outcome)
    uow.session.flush()
    return outcome


def add_evidence(
    *,
    uow: UnitOfWork,
    public_id: str,
    evidence_files: Sequence[tuple[str, str]],
    note: str,
    by: str,
    by_user_id: int | None,
) -> Application:
    """Answer a request for more evidence: the files go to the application, which returns to
    its assessor."""
    row = _row(uow, public_id, lock=True)
    require_step(State(row.state), Step.ADD_EVIDENCE)
    if not evidence_files:
        raise AccreditationError("invalid_application", msg("add at least one evidence file"))
    holders = {row.centre_id} | ({row.applied_by_id} if row.applied_by_id else set())
    problems = _evidence_rows(uow, row, evidence_files, holders)
    if problems:
        raise AccreditationError(
            "invalid_application", msg("the evidence cannot be added"), problems
        )
    _move(uow, row, Step.ADD_EVIDENCE, State.ASSIGNED, by=by, by_user_id=by_user_id, reason=note)
    return _application(uow, row)


def appeal(
    *, uow: UnitOfWork, public_id: str, reason: str, by: str, by_user_id: int | None
) -> Application:
    """Appeal a "not accredited" decision, once; it goes to a different assessor."""
    row = _row(uow, public_id, lock=True)
    if row.round > 1:
        raise AccreditationError(
            "appeal_used", msg("application {id} has been appealed already", id=row.public_id)
        )
    require_step(State(row.state), Step.APPEAL)
    problems = check_statement(reason)
    if problems:
        raise AccreditationError(
            "invalid_application", msg("say why the decision should be reconsidered")
        )
    row.round = 2
    row.assessor_user_id = None
    _move(uow, row, Step.APPEAL, State.APPEALED, by=by, by_user_id=by_user_id, reason=reason)
    return _application(uow, row)
