"""What the ledger holds of recognition decisions, and how to read it back.

A fact of record (``recognition.decided``, a v2 record: flat, global names, no row ids): this
bank's decision on an outcome imported from a peer bank: the imported outcome's public id, the
peer's leaf it names (the peer's log origin and the leaf hash of the outcome's deposit there),
the decision, the institution that recognised it, the level it was recognised at, the outcome
deposited here for it, who decided and when. No learner is named: the deposited outcome's own
record names the account. ``creditbank log verify`` reads the same fields back (:data:`READERS`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind
from creditbank.transfers.model import as_utc
from creditbank.transfers.tables import ImportedOutcomeRow, TransferImportRow

SCHEMA = 2
BANK = "BANK"
"""The issuer of a decision no institution of this bank took (none does, today)."""
Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]
AGREEMENT_ACTOR = "agreement"
"""The actor of a decision the agreement made (automatic recognition), not a person."""


def _record(uow: UnitOfWork, row: ImportedOutcomeRow) -> dict[str, object]:
    transfer = uow.session.get_one(TransferImportRow, row.import_id)
    institution = None
    if row.institution_id is not None:
        institution = institutions.institution_codes(uow=uow)[row.institution_id]
    outcome = None
    if row.outcome_id is not None:
        outcome = accounts.outcome_public_ids(uow=uow, outcome_ids=[row.outcome_id])[row.outcome_id]
    actor = AGREEMENT_ACTOR
    if row.decided_by_user_id is not None:
        actor = institutions.actor_ids(uow=uow, user_ids=[row.decided_by_user_id])[
            row.decided_by_user_id
        ]
    assert row.decided_at is not None  # noqa: S101 - only decided rows are facts
    return {
        "schema": SCHEMA,
        "bank": ledger.log_origin(uow=uow),
        "imported_outcome": row.public_id,
        "transfer": transfer.public_id,
        "source": row.source,
        "source_leaf_hash": row.leaf_hash,
        "source_leaf_index": row.leaf_index,
        "decision": row.decision,
        "institution": institution,
        "framework": row.target_framework,
        "level": row.target_level,
        "credits": None if row.credits is None else str(row.credits),
        "outcome": outcome,
        "reason": row.reason,
        "actor": actor,
        "at": as_utc(row.decided_at),
    }


def decision_fact(uow: UnitOfWork, row: ImportedOutcomeRow) -> LogFact:
    """The log fact of a decision (call once the row's decision is flushed): issued by the
    institution that decided."""
    assert row.decided_at is not None  # noqa: S101 - only decided rows are facts
    record = _record(uow, row)
    return LogFact(
        LogKind.RECOGNITION_DECIDED,
        row.public_id,
        str(record["institution"] or BANK),
        as_utc(row.decided_at),
        record,
    )


def _read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    rows = uow.session.scalars(
        select(ImportedOutcomeRow).where(
            ImportedOutcomeRow.public_id.in_(set(record_ids)),
            ImportedOutcomeRow.decided_at.is_not(None),
        )
    )
    return {row.public_id: _record(uow, row) for row in rows}


def unlogged(uow: UnitOfWork) -> dict[LogKind, list[str]]:
    """Decisions taken but missing from the log."""
    decided = set(
        uow.session.scalars(
            select(ImportedOutcomeRow.public_id).where(ImportedOutcomeRow.decided_at.is_not(None))
        )
    )
    logged = ledger.logged_record_ids(uow=uow, kind=LogKind.RECOGNITION_DECIDED, record_ids=decided)
    missing = sorted(decided - logged)
    return {LogKind.RECOGNITION_DECIDED: missing} if missing else {}


READERS: dict[tuple[LogKind, int], Reader] = {(LogKind.RECOGNITION_DECIDED, SCHEMA): _read}
"""``log verify``'s reader of the facts this area logs."""
