"""Handlers of what happens to an outcome after its deposit: read it, verify, revoke, correct.

The owner of an outcome is the institution that deposited it, so each handler first finds
the issuer (``outcome_not_found`` before any refusal), then checks the policy, then calls
:mod:`creditbank.accounts.lifecycle`.
"""

from __future__ import annotations

from datetime import date

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import lifecycle
from creditbank.accounts.commands import RevokeOutcome, ShowOutcome, SupersedeOutcome, VerifyOutcome
from creditbank.accounts.lifecycle import Corrected, OutcomeRecord
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


def _issuer(uow: UnitOfWork, public_id: str) -> str:
    return lifecycle.issuer_of(uow=uow, public_id=public_id)


@handler
def show_outcome(query: ShowOutcome, *, principal: Principal, uow: UnitOfWork) -> OutcomeRecord:
    require(principal, Action.READ_OUTCOMES, _issuer(uow, query.public_id))
    return lifecycle.get_outcome(uow=uow, public_id=query.public_id)


@handler
def verify_outcome(
    command: VerifyOutcome, *, principal: Principal, uow: UnitOfWork
) -> OutcomeRecord:
    require(principal, Action.VERIFY_OUTCOME, _issuer(uow, command.public_id))
    return lifecycle.verify_outcome(
        uow=uow, public_id=command.public_id, user_id=principal.user_id, reason=command.reason
    )


@handler
def revoke_outcome(
    command: RevokeOutcome, *, principal: Principal, uow: UnitOfWork
) -> OutcomeRecord:
    require(principal, Action.REVOKE_OUTCOME, _issuer(uow, command.public_id))
    return lifecycle.revoke_outcome(
        uow=uow, public_id=command.public_id, user_id=principal.user_id, reason=command.reason
    )


@handler
def supersede_outcome(
    command: SupersedeOutcome, *, principal: Principal, uow: UnitOfWork, today: date
) -> Corrected:
    require(principal, Action.SUPERSEDE_OUTCOME, _issuer(uow, command.public_id))
    return lifecycle.supersede_outcome(
        uow=uow,
        public_id=command.public_id,
        facts=command.facts,
        reason=command.reason,
        user_id=principal.user_id,
        today=today,
    )
