"""What the ledger holds of accreditation decisions, and how to read it back.

A fact of record: a confirmed decision (accredited or not) on an application, in one round
(the first assessment, or the appeal): the learner's account, the centre, the standard
version and unit, the learning setting, the decision with its level and credits, the
marks and the scheme version that weighed them, the evidence files (by hash), the assessor
and the second person who confirmed, the reasons. Never the learner's statement or name.
``creditbank log verify`` reads the same fields back with :data:`READERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.accounts import api as accounts
from creditbank.accreditation.tables import (
    ApplicationEvidenceRow,
    ApplicationRow,
    ConfirmationRow,
    DecisionRow,
    MarkRow,
    StandardRow,
    StandardUnitRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind

SEPARATOR = "-"


def record_id(public_id: str, round_: int) -> str:
    """The log's record id of the decision of round ``round_`` on application ``public_id``."""
    return f"{public_id}{SEPARATOR}{round_}"


def _record(
    uow: UnitOfWork, row: ApplicationRow, decision: DecisionRow, confirmation: ConfirmationRow
) -> dict[str, object]:
    session = uow.session
    unit = session.get_one(StandardUnitRow, row.unit_id)
    standard = session.get_one(StandardRow, unit.standard_id)
    marks = None if decision.mark_id is None else session.get_one(MarkRow, decision.mark_id)
    evidence = sorted(
        session.scalars(
            select(ApplicationEvidenceRow.sha256).where(
                ApplicationEvidenceRow.application_id == row.id,
                ApplicationEvidenceRow.added_at <= decision.at,
            )
        )
    )
    outcome = None
    if row.outcome_id is not None and decision.decision == "accredited":
        outcome = accounts.outcome_public_ids(uow=uow, outcome_ids=[row.outcome_id])[row.outcome_id]
    return {
        "application": row.public_id,
        "round": decision.round,
        "account_number": accounts.account_number_of(uow=uow, learner_id=row.learner_id),
        "centre": institutions.institution_codes(uow=uow)[row.centre_id],
        "standard": standard.code,
        "standard_version": standard.version,
        "unit": unit.code,
        "setting": row.setting,
        "decision": decision.decision,
        "framework_level_id": decision.framework_level_id,
        "credits": decision.credits,
        "scheme_id": None if marks is None else marks.scheme_id,
        "marks": None if marks is None else dict(sorted(marks.marks.items())),
        "weighted": None if marks is None else marks.weighted,
        "evidence": evidence,
        "reasons": decision.reasons,
        "assessor_user_id": decision.assessor_user_id,
        "decided_at": decision.at,
        "confirmed_by_user_id": confirmation.by_user_id,
        "confirmed_at": confirmation.at,
        "outcome": outcome,
    }


def decision_fact(uow: UnitOfWork, row: ApplicationRow, decision: DecisionRow) -> LogFact:
    """The log fact of a confirmed decision (call after the confirmation is flushed)."""
    confirmation = uow.session.get_one(ConfirmationRow, decision.id)
    return LogFact(
        LogKind.ACCREDITATION_DECIDED,
        record_id(row.public_id, decision.round),
        institutions.institution_codes(uow=uow)[row.centre_id],
        confirmation.at,
        _record(uow, row, decision, confirmation),
    )


def _decided(
    uow: UnitOfWork, public_ids: Collection[str] | None = None
) -> list[tuple[ApplicationRow, DecisionRow, ConfirmationRow]]:
    """Decisions confirmed with agreement that are facts of record (not "more evidence"), of
    the applications ``public_ids`` (all when None)."""
    query = (
        select(ApplicationRow, DecisionRow, ConfirmationRow)
        .join(DecisionRow, DecisionRow.application_id == ApplicationRow.id)
        .join(ConfirmationRow, ConfirmationRow.decision_id == DecisionRow.id)
        .where(ConfirmationRow.agreed.is_(True), DecisionRow.decision != "more_evidence")
    )
    if public_ids is not None:
        query = query.where(ApplicationRow.public_id.in_(set(public_ids)))
    return [(a, d, c) for a, d, c in uow.session.execute(query)]


def _read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    wanted = set(record_ids)
    found: dict[str, Mapping[str, object]] = {}
    public_ids = {key.rpartition(SEPARATOR)[0] for key in wanted}
    for application, decision, confirmation in _decided(uow, public_ids):
        key = record_id(application.public_id, decision.round)
        if key in wanted:
            found[key] = _record(uow, application, decision, confirmation)
    return found


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[LogKind, Reader] = {LogKind.ACCREDITATION_DECIDED: _read}
"""For each kind of entry this area logs: the records of the given ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Confirmed decisions that have no entry in the log."""
    keys = [record_id(a.public_id, d.round) for a, d, _ in _decided(uow)]
    if not keys:
        return {}
    logged = ledger.logged_record_ids(uow=uow, kind=LogKind.ACCREDITATION_DECIDED, record_ids=keys)
    missing = [key for key in keys if key not in logged][:limit]
    return {LogKind.ACCREDITATION_DECIDED: missing} if missing else {}
