"""A learner's consent to be matched to jobs: given, withdrawn, listed; the learner's own only.

While a learner consents, the employers of a job see them among its matches (the matching
area's MatchJob): their name and account number, the share of the job's skills their outcomes
cover and which outcomes gave them. The consents are history: a withdrawal ends the active one
(``withdrawn_at``) and a new consent is a new row. The learner is locked before the active one
is read, and a unique index over the rows not withdrawn holds at most one active per learner,
so that of two consents at once one is made and the other finds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from creditbank.access.policy import LearnerPrincipal
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork, for_update
from creditbank.jobs import reading
from creditbank.jobs.commands import (
    ConsentToMatching,
    ListMatchingConsents,
    WithdrawMatchingConsent,
)
from creditbank.jobs.model import utc
from creditbank.jobs.tables import MatchingConsentRow
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class MatchingConsent:
    id: int
    granted_at: datetime
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def _consent(row: MatchingConsentRow) -> MatchingConsent:
    return MatchingConsent(
        row.id, utc(row.granted_at), None if row.withdrawn_at is None else utc(row.withdrawn_at)
    )


def _active(uow: UnitOfWork, learner_id: int) -> MatchingConsentRow | None:
    session = uow.session
    accounts.lock_learner(uow=uow, learner_id=learner_id)
    return session.scalar(
        for_update(
            session,
            select(MatchingConsentRow).where(
                MatchingConsentRow.learner_id == learner_id,
                MatchingConsentRow.withdrawn_at.is_(None),
            ),
        )
    )


@handler
def consent_to_matching(
    command: ConsentToMatching, *, principal: LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> MatchingConsent:
    """The learner consents to be matched; consenting while consenting keeps the active one."""
    del command
    active = _active(uow, principal.learner_id)
    if active is not None:
        return _consent(active)
    row = MatchingConsentRow(
        learner_id=principal.learner_id, granted_at=utc(now), withdrawn_at=None
    )
    uow.session.add(row)
    uow.session.flush()
    return _consent(row)


@handler
def withdraw_matching_consent(
    command: WithdrawMatchingConsent,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    now: datetime,
) -> MatchingConsent | None:
    """The learner withdraws their consent to be matched: the withdrawn one, or None when there
    was none active (nothing changes)."""
    del command
    active = _active(uow, principal.learner_id)
    if active is None:
        return None
    active.withdrawn_at = utc(now)
    uow.session.flush()
    return _consent(active)


@handler
def list_matching_consents(
    query: ListMatchingConsents, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> list[MatchingConsent]:
    """The learner's consents to be matched, newest first."""
    del query
    return [_consent(row) for row in reading.consents_of(uow, principal.learner_id)]
