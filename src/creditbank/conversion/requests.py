"""Handlers of conversion requests and decisions.

A programme's registrars request conversions for a learner who consents to it (bank
administrators for anyone), and confirm, decline or reverse those toward their programmes; a
logged-in learner requests the suggested plan for themselves. A request may carry an
idempotency key (the HTTP API's): a retry of the same request gets the first answer again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    require,
    require_consented,
)
from creditbank.consents import api as consents
from creditbank.conversion import (
    conversion_reads,
    conversion_store,
    idempotency,
    programme_store,
    transfers,
)
from creditbank.conversion.commands import (
    ConfirmConversion,
    CorrectTransfers,
    DeclineConversion,
    RequestConversion,
    RequestOwnConversion,
    ReverseConversion,
)
from creditbank.conversion.conversion_reads import Conversion
from creditbank.conversion.transfers import Correction
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class Replay:
    """The answer first given to a request with the same idempotency key."""

    status_code: int
    body: dict[str, Any]


def idempotency_scope(principal: Principal) -> str:
    """Whose idempotency keys a request's key is one of: the acting user's."""
    return f"user:{principal.user_id}"


@handler
def request_conversion(
    command: RequestConversion, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> Conversion | Replay:
    """The engine's best plan toward the programme, stored as pending unless a dry run; with an
    idempotency key seen before (for the same request), the first answer."""
    owner = programme_store.programme_owner(uow=uow, code=command.programme)
    consenting = consents.consenting_institutions(
        uow=uow, account_number=command.account_number, now=now
    )
    require_consented(principal, Action.REQUEST_CONVERSION, owner, consenting=consenting)
    if command.idempotency_key is not None:
        known = idempotency.remembered(
            uow=uow,
            scope=idempotency_scope(principal),
            key=command.idempotency_key,
            fingerprint=command.fingerprint,
        )
        if known is not None:
            return Replay(*known)
    return conversion_store.request_conversion(
        uow=uow,
        account_number=command.account_number,
        programme=command.programme,
        on=command.on,
        requested_by=command.recorded_as or principal.email,
        dry_run=command.dry_run,
    )


@handler
def request_own_conversion(
    command: RequestOwnConversion, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> Conversion:
    """A learner requests a conversion for their own account only."""
    number = principal.account_number
    return conversion_store.request_conversion(
        uow=uow,
        account_number=number,
        programme=command.programme,
        on=command.on,
        requested_by=f"learner:{number}",
    )


def _require_decider(principal: Principal, uow: UnitOfWork, public_id: str) -> None:
    owner = conversion_reads.conversion_owner(uow=uow, public_id=public_id)
    require(principal, Action.DECIDE_CONVERSION, owner)


@handler
def confirm_conversion(
    command: ConfirmConversion, *, principal: Principal, uow: UnitOfWork
) -> Conversion:
    """Each grant becomes an outcome of transferred credit in the learner's account; logged."""
    _require_decider(principal, uow, command.public_id)
    return conversion_store.confirm_conversion(
        uow=uow, public_id=command.public_id, by=principal.email
    )


@handler
def decline_conversion(
    command: DeclineConversion, *, principal: Principal, uow: UnitOfWork
) -> Conversion:
    _require_decider(principal, uow, command.public_id)
    return conversion_store.decline_conversion(
        uow=uow, public_id=command.public_id, by=principal.email, reason=command.reason
    )


@handler
def reverse_conversion(
    command: ReverseConversion, *, principal: Principal, uow: UnitOfWork
) -> Conversion:
    """The transferred credit is revoked and the sources are free again; logged."""
    _require_decider(principal, uow, command.public_id)
    return conversion_store.reverse_conversion(
        uow=uow,
        public_id=command.public_id,
        by=principal.email,
        user_id=principal.user_id,
        reason=command.reason,
    )


@handler
def correct_transfers(
    command: CorrectTransfers, *, principal: Principal, uow: UnitOfWork
) -> list[Correction]:
    """A bank administrator's operation: it corrects every institution's records."""
    require(principal, Action.SUPERSEDE_OUTCOME, None)
    return transfers.correct_transferred_credit(
        uow=uow, user_id=principal.user_id, reason=command.reason, dry_run=command.dry_run
    )
