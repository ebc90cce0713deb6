"""Handlers of the bank's decisions on alignments: approve or reject a submitted version (four
eyes: a bank administrator who is not its author), and retire the version in force (the item's
registrars, or the bank's administrators). Approvals and retirements are logged."""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.alignments import store
from creditbank.alignments.commands import ApproveAlignment, RejectAlignment, RetireAlignment
from creditbank.alignments.store import AlignmentVersion
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@handler
def approve_alignment(
    command: ApproveAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    owner = store.alignment_owner(uow=uow, alignment_id=command.alignment_id)
    require(principal, Action.APPROVE_ALIGNMENT, owner)
    return store.approve_alignment(
        uow=uow,
        alignment_id=command.alignment_id,
        user_id=principal.user_id,
        reason=command.reason,
    )


@handler
def reject_alignment(
    command: RejectAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    owner = store.alignment_owner(uow=uow, alignment_id=command.alignment_id)
    require(principal, Action.APPROVE_ALIGNMENT, owner)
    return store.reject_alignment(
        uow=uow,
        alignment_id=command.alignment_id,
        user_id=principal.user_id,
        reason=command.reason,
    )


@handler
def retire_alignment(
    command: RetireAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    owner = store.alignment_owner(uow=uow, alignment_id=command.alignment_id)
    require(principal, Action.DRAFT_ALIGNMENT, owner)
    return store.retire_alignment(
        uow=uow,
        alignment_id=command.alignment_id,
        user_id=principal.user_id,
        reason=command.reason,
    )
