"""Confirming a decision (four eyes): a second person, never the assessor, confirms it and
it takes effect (an accredited one becomes an outcome in the learner's account, deposited by
the centre for the unit's catalogue item; both are logged, in the same transaction), or
returns it to the assessor with a reason.

Given a unit of work; never commit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.accounts import api as accounts
from creditbank.accreditation import records, statistics
from creditbank.accreditation.applications import (
    Application,
    account_number,
    application_of,
    authorise,
    move,
    row_of,
)
from creditbank.accreditation.commands import ConfirmDecision
from creditbank.accreditation.model import (
    AccreditationError,
    Decision,
    State,
    Step,
    after_decision,
    require_step,
)
from creditbank.accreditation.standards import unit_by_id
from creditbank.accreditation.tables import (
    ApplicationEvidenceRow,
    ApplicationRow,
    ConfirmationRow,
    DecisionRow,
    MarkRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.usecases import handler


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
    row = row_of(uow, public_id, lock=True)
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
        move(uow, row, Step.RETURN, State.ASSIGNED, by=by, by_user_id=by_user_id, reason=reason)
        return application_of(uow, row)
    decision = Decision(decision_row.decision)
    move(
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
    number = account_number(uow, row.learner_id)
    if decision is Decision.ACCREDITED:
        (deposited,) = accounts.deposit(
            uow=uow,
            outcomes=[_accredited(uow, row, decision_row, centre=centre, number=number, now=now)],
            today=now.date(),
            now=now,
            log=False,  # logged below, with the decision
        ).outcomes
        row.outcome_id = deposited.outcome_id
        uow.session.flush()
        if deposited.fact is not None:
            facts.append(deposited.fact)
    if decision is Decision.MORE_EVIDENCE:
        return application_of(uow, row)
    application = application_of(uow, row)
    facts.append(records.decision_fact(uow, row, decision_row))
    receipts = ledger.append(uow, facts)
    statistics.tally_decided(uow, row, decision, confirmed_at=now)
    return replace(application, receipt=receipts[-1])


def _accredited(
    uow: UnitOfWork,
    row: ApplicationRow,
    decision: DecisionRow,
    *,
    centre: str,
    number: str,
    now: datetime,
) -> accounts.OutcomeDeposit:
    """The accredited unit as an outcome of the learner's, deposited by the centre, assessed
    on ``now``'s day."""
    unit = unit_by_id(uow=uow, unit_id=row.unit_id)
    marks = None if decision.mark_id is None else uow.session.get(MarkRow, decision.mark_id)
    first_evidence = uow.session.scalar(
        select(ApplicationEvidenceRow.sha256)
        .where(ApplicationEvidenceRow.application_id == row.id)
        .order_by(ApplicationEvidenceRow.id)
        .limit(1)
    )
    level_id = decision.framework_level_id or unit.level.level_id
    level = next((pinned for pinned in unit.item.levels if pinned.level_id == level_id), unit.level)
    return accounts.OutcomeDeposit(
        institution=centre,
        account_number=number,
        facts=accounts.OutcomeFacts(
            record_id=f"accreditation/{row.public_id}/{row.round}",
            item_code=f"{unit.item.institution}:{unit.item.code}",
            level=level.level.code,
            credits=decision.credits,
            score=None if marks is None else marks.weighted,
            assessed_on=now.date(),
            setting=accounts.LearningSetting(row.setting),
            evidence_sha256=first_evidence,
        ),
        origin=accounts.AccreditedLearning(row.public_id),
    )


@handler
def confirm_decision(
    command: ConfirmDecision, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The centre's accreditation officers, bank administrators; never the assessor."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.CONFIRM)
    return confirm(
        uow=uow,
        public_id=command.public_id,
        agree=command.agree,
        reason=command.reason,
        by=principal.email,
        by_user_id=principal.user_id,
    )
