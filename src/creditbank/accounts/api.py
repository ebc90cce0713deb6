"""What other business areas may use of learners' accounts and their outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from creditbank.accounts.bulk import Batch, BatchStatus, import_batch
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
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
    IdNumber,
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
    DepositBatchRow,
    LearnerIdentityRow,
    LearnerRow,
    OutcomeEventRow,
    OutcomeRow,
)
from creditbank.db import UnitOfWork, for_update


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


def lock_outcome(*, uow: UnitOfWork, outcome_id: int) -> None:
    """Lock outcome row ``outcome_id`` until the transaction ends (``db.for_update``): of
    parallel first exports of its credential, one records it and the others wait for it."""
    uow.session.scalar(
        for_update(uow.session, select(OutcomeRow.id).where(OutcomeRow.id == outcome_id))
    )


def account_number_of(*, uow: UnitOfWork, learner_id: int) -> str:
    """The account number of learner row ``learner_id``."""
    return uow.session.get_one(LearnerRow, learner_id).account_number


def account_numbers(*, uow: UnitOfWork, learner_ids: Iterable[int]) -> dict[int, str]:
    """The account numbers of these learner rows, by row id."""
    ids = list(set(learner_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(LearnerRow.id, LearnerRow.account_number).where(LearnerRow.id.in_(ids))
    )
    return {row.id: row.account_number for row in rows}


def learner_id_by_identity(
    *, uow: UnitOfWork, cipher: PersonalDataCipher, id_number: IdNumber
) -> int | None:
    """The learner row id of the holder of ``id_number`` (found by its index), if any."""
    return uow.session.scalar(
        select(LearnerIdentityRow.learner_id).where(
            LearnerIdentityRow.id_hmac == cipher.index(id_number.index_key)
        )
    )


def outcome_public_ids(*, uow: UnitOfWork, outcome_ids: Iterable[int]) -> dict[int, str]:
    """The public ids of these outcomes (row ids), by row id."""
    ids = list(set(outcome_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(OutcomeRow.id, OutcomeRow.public_id).where(OutcomeRow.id.in_(ids))
    )
    return {row.id: row.public_id for row in rows}


def outcome_ids_by_record(
    *, uow: UnitOfWork, institution_id: int, record_ids: Iterable[str]
) -> dict[str, int]:
    """The row ids of institution ``institution_id``'s outcomes with these record ids."""
    wanted = list(set(record_ids))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(OutcomeRow.record_id, OutcomeRow.id).where(
            OutcomeRow.institution_id == institution_id, OutcomeRow.record_id.in_(wanted)
        )
    )
    return {row.record_id: row.id for row in rows}


def batch_row_id(*, uow: UnitOfWork, public_id: str) -> int:
    """The row id of deposit batch ``public_id`` (one that exists)."""
    return uow.session.execute(
        select(DepositBatchRow.id).where(DepositBatchRow.public_id == public_id)
    ).scalar_one()


__all__ = [
    "WITHDRAWN_HOOKS",
    "AccountError",
    "Batch",
    "BatchStatus",
    "FileFormat",
    "IdNumber",
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
    "import_batch",
    "issuer_of",
    "learner_id_of",
    "lock_outcome",
    "outcome_of",
    "parse_id_number",
    "revoke_outcome",
    "stands",
    "statuses",
    "supersede_with",
]
