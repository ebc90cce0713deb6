"""Log entries as the bank wrote them before record schema 2 (ADR 0017), for tests that need an
old entry: the v1 record builders of ``accounts.records`` (which ``log verify`` still uses to
check v1 entries), wrapped as the facts the bank used to log."""

from __future__ import annotations

from creditbank.accounts import records
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from creditbank.ledger.model import LogFact, LogKind


def deposited_fact_v1(row: OutcomeRow, *, account_number: str, institution: str) -> LogFact:
    """The fact of a deposited outcome as logged before schema 2 (row ids of item and level)."""
    return LogFact(
        LogKind.OUTCOME_DEPOSITED,
        row.public_id,
        institution,
        row.deposited_at,
        records.outcome_record(row, account_number=account_number, institution=institution),
    )


def event_fact_v1(
    event: OutcomeEventRow, *, outcome: str, institution: str, replaced_by: str | None
) -> LogFact:
    """The fact of an outcome event as logged before schema 2 (the user's row id)."""
    return LogFact(
        records.EVENT_KINDS[OutcomeStatus(event.kind)],
        outcome,
        institution,
        event.at,
        records.event_record(event, outcome=outcome, replaced_by=replaced_by),
    )
