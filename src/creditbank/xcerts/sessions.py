"""Assessment sessions: scheduled at an assessment centre for one level of an X certificate
on one day, and the candidates registered for them by account number (with the fee-exemption
flag).

The handlers check the policy (scheduling: the centre's or the provider's registrars;
registering: the centre's; bank administrators both), then call the internals below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from creditbank.access.policy import Action, Principal, require, require_any
from creditbank.accounts import api as accounts
from creditbank.accreditation import api as accreditation
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler
from creditbank.xcerts import figures
from creditbank.xcerts.commands import RegisterCandidate, ScheduleSession
from creditbank.xcerts.data import Candidate, SessionView, xcert_ref
from creditbank.xcerts.model import ResultStatus, XcertError, check_schedule
from creditbank.xcerts.reading import (
    current_offerings,
    find_xcert,
    level_of,
    session_parties,
    session_row,
    sessions,
    xcert_owner,
)
from creditbank.xcerts.tables import RegistrationRow, ResultRow, SessionRow


@handler
def schedule_session(
    command: ScheduleSession, *, principal: Principal, uow: UnitOfWork
) -> SessionView:
    owners = [xcert_owner(uow=uow, ref=command.ref), command.centre.strip().upper()]
    require_any(principal, Action.SCHEDULE_SESSION, owners)
    return store_session(
        uow=uow,
        ref=command.ref,
        centre=command.centre,
        level=command.level,
        held_on=command.held_on,
        by=principal.email,
        today=command.today,
    )


@handler
def register_candidate(
    command: RegisterCandidate, *, principal: Principal, uow: UnitOfWork
) -> Candidate:
    centre, _provider = session_parties(uow=uow, session_id=command.session_id)
    require(principal, Action.REGISTER_CANDIDATE, centre)
    return store_candidate(
        uow=uow,
        session_id=command.session_id,
        account_number=command.account_number,
        fee_exempt=command.fee_exempt,
        by=principal.email,
    )


def store_session(
    *, uow: UnitOfWork, ref: str, centre: str, level: str, held_on: date, by: str, today: date
) -> SessionView:
    """Schedule a session at an assessment centre for one level of an X certificate. The
    centre must be a pilot school the provider declared an assessment centre for that level."""
    item = find_xcert(uow=uow, ref=ref)
    pinned = level_of(item, level)
    centre_code = centre.strip().upper()
    centre_id = institutions.institution_id(uow=uow, code=centre_code)
    problems = check_schedule(held_on, today)
    is_centre = any(
        row.school_id == centre_id
        and row.framework_level_id == pinned.level_id
        and row.assessment_centre
        for row in current_offerings(uow, [item.id])
    )
    if not is_centre:
        problems.append(
            msg(
                "{centre} is not an assessment centre of {xcert} at level {level}",
                centre=centre_code,
                xcert=xcert_ref(item),
                level=pinned.level.code,
            )
        )
    if accreditation.current_scheme(uow=uow, item_id=item.id, level_id=pinned.level_id) is None:
        problems.append(
            msg(
                "level {level} of {xcert} has no assessment scheme yet",
                level=pinned.level.code,
                xcert=xcert_ref(item),
            )
        )
    if problems:
        raise XcertError("invalid_session", msg("the session cannot be scheduled"), problems)
    taken = uow.session.scalar(
        select(SessionRow.id).where(
            SessionRow.item_id == item.id,
            SessionRow.framework_level_id == pinned.level_id,
            SessionRow.centre_id == centre_id,
            SessionRow.held_on == held_on,
        )
    )
    if taken is not None:
        raise XcertError(
            "session_conflict",
            msg(
                "{centre} holds a session of this level on {date} already (session {id})",
                centre=centre_code,
                date=held_on.isoformat(),
                id=taken,
            ),
        )
    row = SessionRow(
        item_id=item.id,
        framework_level_id=pinned.level_id,
        centre_id=centre_id,
        held_on=held_on,
        scheduled_by=by,
        scheduled_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    return sessions(uow, SessionRow.id == row.id)[0]


def store_candidate(
    *, uow: UnitOfWork, session_id: int, account_number: str, fee_exempt: bool, by: str
) -> Candidate:
    """Register a learner (by account number) for a session, once, before its results.

    The session is locked before its candidates are read: of parallel registrations of one
    learner, one is made and the others are refused (``session_conflict``)."""
    uow.session.scalar(
        for_update(uow.session, select(SessionRow.id).where(SessionRow.id == session_id))
    )
    row = session_row(uow, session_id)
    learner_id = accounts.learner_id_of(uow, accounts.check_account_number(account_number))
    recorded = uow.session.scalar(
        select(func.count())
        .select_from(ResultRow)
        .join(RegistrationRow, RegistrationRow.id == ResultRow.registration_id)
        .where(RegistrationRow.session_id == row.id)
    )
    if recorded:
        raise XcertError(
            "session_conflict",
            msg("session {id} has results already; its candidates are closed", id=row.id),
        )
    known = uow.session.scalar(
        select(RegistrationRow.id).where(
            RegistrationRow.session_id == row.id, RegistrationRow.learner_id == learner_id
        )
    )
    if known is not None:
        raise XcertError(
            "session_conflict",
            msg(
                "account {number} is registered for session {id} already",
                number=account_number.strip().upper(),
                id=row.id,
            ),
        )
    registration = RegistrationRow(
        session_id=row.id,
        learner_id=learner_id,
        fee_exempt=fee_exempt,
        registered_by=by,
        registered_at=datetime.now(UTC),
    )
    uow.session.add(registration)
    uow.session.flush()
    figures.tally_registered(uow, row, registration)
    return Candidate(
        account_number.strip().upper(),
        fee_exempt,
        ResultStatus.REGISTERED,
        by,
        registration.registered_at,
    )
