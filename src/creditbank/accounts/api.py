"""What other business areas may use of learners' accounts and their outcomes."""

from __future__ import annotations

from sqlalchemy import select

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.lifecycle import (
    WITHDRAWN_HOOKS,
    WithdrawnHook,
    issuer_of,
    outcome_row,
    revoke_outcome,
    supersede_with,
)
from creditbank.accounts.model import (
    AccountError,
    LearningSetting,
    OutcomeStatus,
    Transfer,
    check_account_number,
    check_reason,
    parse_id_number,
    stands,
)
from creditbank.accounts.outcomes import Outcome, has_status, learner_id_of, outcome_of, statuses
from creditbank.accounts.records import deposited_fact
from creditbank.accounts.tables import (
    LearnerIdentityRow,
    LearnerRow,
    OutcomeEventRow,
    OutcomeRow,
)
from creditbank.db import UnitOfWork


def outcome_by_public_id(*, uow: UnitOfWork, public_id: str) -> tuple[Outcome, int]:
    """Outcome ``public_id`` as answers show it, and its row id (``outcome_not_found``)."""
    row = outcome_row(uow, public_id)
    return outcome_of(uow=uow, row=row), row.id


def standing_outcome_ids(*, uow: UnitOfWork, account_number: str) -> list[str]:
    """The public ids of an account's outcomes that still count, oldest first."""
    learner_id = learner_id_of(uow, account_number)
    rows = uow.session.execute(
        select(OutcomeRow.id, OutcomeRow.public_id)
        .where(OutcomeRow.learner_id == learner_id)
        .order_by(OutcomeRow.id)
    ).all()
    found = statuses(uow=uow, outcome_ids=[row.id for row in rows])
    return [row.public_id for row in rows if stands(found[row.id])]


def outcomes_no_longer_standing(*, uow: UnitOfWork, outcome_ids: list[int]) -> set[int]:
    """Which of these outcomes (row ids) were revoked or replaced by a correction."""
    found = statuses(uow=uow, outcome_ids=outcome_ids)
    return {outcome_id for outcome_id, status in found.items() if not stands(status)}


def account_number_of(*, uow: UnitOfWork, learner_id: int) -> str:
    """The account number of learner row ``learner_id``."""
    return uow.session.get_one(LearnerRow, learner_id).account_number


__all__ = [
    "WITHDRAWN_HOOKS",
    "AccountError",
    "LearnerIdentityRow",
    "LearnerRow",
    "LearningSetting",
    "Outcome",
    "OutcomeEventRow",
    "OutcomeRow",
    "OutcomeStatus",
    "PersonalDataCipher",
    "Transfer",
    "WithdrawnHook",
    "check_account_number",
    "check_reason",
    "deposited_fact",
    "has_status",
    "issuer_of",
    "learner_id_of",
    "outcome_of",
    "parse_id_number",
    "revoke_outcome",
    "stands",
    "statuses",
    "supersede_with",
]
