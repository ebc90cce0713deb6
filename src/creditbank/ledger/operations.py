"""Handlers of the bank's own work on its log: verifying it, asking witnesses to cosign.

At the server's console these are taken by the operator
(:data:`creditbank.access.policy.OPERATOR`). Verifying reads every business record the log
commits to, so bank-wide readers only (administrators, auditors); asking witnesses stores
their cosignatures, so administrators only.
"""

from __future__ import annotations

from collections.abc import Sequence

from creditbank.access.policy import Action, Principal, require
from creditbank.db import Database, UnitOfWork
from creditbank.ledger import witnessing
from creditbank.ledger.commands import AskWitnesses, VerifyLog
from creditbank.ledger.verify import (
    Readers,
    Unlogged,
    VerifyReport,
    check_saved_checkpoint,
    verify_log,
)
from creditbank.ledger.witnessing import Post, WitnessOutcome, http_post
from creditbank.usecases import handler


@handler
def verify(
    command: VerifyLog,
    *,
    principal: Principal,
    uow: UnitOfWork,
    readers: Readers,
    unlogged: Sequence[Unlogged] = (),
) -> VerifyReport:
    """The report of checking the log; its problems say what is wrong (none: all is well)."""
    require(principal, Action.VERIFY_LOG, None)
    report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    if command.saved_checkpoint is not None:
        report.problems.extend(check_saved_checkpoint(uow=uow, note=command.saved_checkpoint))
    return report


@handler
def ask_witnesses(
    command: AskWitnesses,
    *,
    principal: Principal,
    uow: UnitOfWork,
    database: Database,
    post: Post = http_post,
) -> list[WitnessOutcome]:
    """What each witness said. The witnesses are asked over the network outside any
    transaction: each step opens its own unit of work on ``database`` (``uow`` stays unused,
    so no transaction is held open while a witness answers)."""
    del command, uow
    require(principal, Action.PUBLISH_CHECKPOINT, None)
    return witnessing.ask_witnesses(database, post)
