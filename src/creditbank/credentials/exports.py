"""Handlers of exports: outcomes as signed Open Badges 3.0 credentials (JSON-LD or JWT) and
learners' records as CLR 2.0, for staff and for learners themselves.

Staff: the issuer's registrars and bank administrators export an outcome's credential; a CLR
(whose issuer is the bank) is the bank administrators'. Learners download their own outcomes
that still count. The first export of an outcome records its credential (and the issuer's
first key, if it has none).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.accounts import api as accounts
from creditbank.credentials import issuing
from creditbank.credentials.commands import (
    ExportCredential,
    ExportMyCredential,
    ExportMyRecord,
    ExportOutcomes,
    ExportRecord,
    ListMyCredentials,
)
from creditbank.credentials.issuing import Issued
from creditbank.credentials.signing import CredentialError
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.usecases import handler

CLR = "clr"


@handler
def export_credential(
    command: ExportCredential, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> Issued:
    owner = accounts.issuer_of(uow=uow, public_id=command.outcome_id)
    require(principal, Action.EXPORT_CREDENTIAL, owner)
    return issuing.issue(uow=uow, outcome_id=command.outcome_id, fmt=command.format, now=now)


@handler
def export_record(
    command: ExportRecord, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    require(principal, Action.EXPORT_CREDENTIAL, None)
    return issuing.issue_clr(
        uow=uow,
        account_number=command.account_number,
        outcome_ids=list(command.outcome_ids) if command.outcome_ids else None,
        now=now,
    )


@handler
def export_outcomes(
    command: ExportOutcomes, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> Issued | dict[str, Any]:
    """One outcome's credential (``ob3``, ``jwt``), or a CLR of the chosen outcomes of one
    learner (``clr``): the access to each outcome is checked before anything else."""
    record = command.format == CLR
    for outcome_id in command.outcome_ids:
        owner = None if record else accounts.issuer_of(uow=uow, public_id=outcome_id)
        require(principal, Action.EXPORT_CREDENTIAL, owner)
    if record:
        owners = {
            accounts.outcome_by_public_id(uow=uow, public_id=oid)[0].account_number
            for oid in command.outcome_ids
        }
        if len(owners) != 1:
            raise CredentialError(
                "invalid_selection", msg("a CLR holds the outcomes of one learner")
            )
        return issuing.issue_clr(
            uow=uow, account_number=owners.pop(), outcome_ids=command.outcome_ids, now=now
        )
    if len(command.outcome_ids) != 1:
        raise CredentialError(
            "invalid_selection",
            msg("export one outcome at a time, or several with --format clr"),
        )
    return issuing.issue(uow=uow, outcome_id=command.outcome_ids[0], fmt=command.format, now=now)


@handler
def list_my_credentials(
    query: ListMyCredentials, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> list[str]:
    """The public ids of the learner's outcomes that still count, oldest first."""
    del query
    return accounts.standing_outcome_ids(uow=uow, account_number=principal.account_number)


@handler
def export_my_credential(
    command: ExportMyCredential, *, principal: LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> Issued:
    """``outcome_not_found`` unless the outcome is one of the learner's that still count."""
    wanted = command.outcome_id.strip().lower()
    standing = accounts.standing_outcome_ids(uow=uow, account_number=principal.account_number)
    if wanted not in standing:
        raise CredentialError(
            "outcome_not_found",
            msg("you have no outcome {id} that still counts", id=command.outcome_id),
        )
    return issuing.issue(uow=uow, outcome_id=wanted, fmt=command.format, now=now)


@handler
def export_my_record(
    command: ExportMyRecord, *, principal: LearnerPrincipal, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    del command
    return issuing.issue_clr(
        uow=uow, account_number=principal.account_number, outcome_ids=None, now=now
    )
