"""Handlers of a learner's consents and share links.

The principal is the logged-in learner, and each handler acts on that learner's own consents
and shares only (the service refuses another's as not found); no staff role reaches them.
"""

from __future__ import annotations

from datetime import date, datetime

from creditbank.access.policy import LearnerPrincipal
from creditbank.consents import service
from creditbank.consents.commands import (
    CreateShare,
    GrantConsent,
    ListConsents,
    ListShares,
    RevokeShare,
    WithdrawConsent,
)
from creditbank.consents.model import Consent, Share
from creditbank.consents.service import NewShare
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@handler
def grant_consent(
    command: GrantConsent,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    today: date,
    now: datetime,
) -> Consent:
    return service.grant_consent(
        uow=uow,
        learner_id=principal.learner_id,
        institution=command.institution,
        until=command.until,
        today=today,
        now=now,
    )


@handler
def withdraw_consent(
    command: WithdrawConsent, *, principal: LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> None:
    service.withdraw_consent(
        uow=uow, learner_id=principal.learner_id, consent_id=command.consent_id, now=now
    )


@handler
def list_consents(
    query: ListConsents, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> list[Consent]:
    del query
    return service.list_consents(uow=uow, learner_id=principal.learner_id)


@handler
def create_share(
    command: CreateShare,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    today: date,
    now: datetime,
) -> NewShare:
    return service.create_share(
        uow=uow,
        learner_id=principal.learner_id,
        outcomes=command.outcomes,
        label=command.label,
        until=command.until,
        today=today,
        now=now,
    )


@handler
def revoke_share(
    command: RevokeShare, *, principal: LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> None:
    service.revoke_share(
        uow=uow, learner_id=principal.learner_id, share_id=command.share_id, now=now
    )


@handler
def list_shares(query: ListShares, *, principal: LearnerPrincipal, uow: UnitOfWork) -> list[Share]:
    del query
    return service.list_shares(uow=uow, learner_id=principal.learner_id)
