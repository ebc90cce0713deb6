"""What other business areas may use of learners' accounts and their outcomes."""

from __future__ import annotations

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.lifecycle import WITHDRAWN_HOOKS, WithdrawnHook, revoke_outcome
from creditbank.accounts.model import (
    AccountError,
    LearningSetting,
    OutcomeStatus,
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
    "WithdrawnHook",
    "check_account_number",
    "check_reason",
    "deposited_fact",
    "has_status",
    "learner_id_of",
    "outcome_of",
    "parse_id_number",
    "revoke_outcome",
    "stands",
    "statuses",
]
