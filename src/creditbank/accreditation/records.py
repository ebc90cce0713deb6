"""What the ledger holds of accreditation decisions, and how to read it back.

A fact of record: a confirmed decision (accredited or not) on an application, in one round
(the first assessment, or the appeal): the learner's account, the centre, the standard
version and unit, the learning setting, the decision with its level and credits, the
marks and the scheme version that weighed them, the evidence files (by hash), the assessor
and the second person who confirmed, the reasons. Never the learner's statement or name.
``creditbank log verify`` reads the same fields back with :data:`READERS`.

Decisions are logged with v2 records (ADR 0017): the bank by its log origin, the level by
framework code, version and level code, the scheme by its item, level and version, the
assessor and the confirmer as ``user:<uuid>``; never a row id. Entries logged before hold v1
records (row ids of the level, the scheme and the users) and are checked against those.
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
    SchemeRow,
    StandardRow,
    StandardUnitRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

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


def _level(uow: UnitOfWork, level_id: int | None) -> str | None:
    if level_id is None:
        return None
    level = frameworks.pinned_levels(uow=uow, level_ids=[level_id])[level_id]
    return f"{level.framework}@{level.version}:{level.level.code}"


def _record_v2(
    uow: UnitOfWork, row: ApplicationRow, decision: DecisionRow, confirmation: ConfirmationRow
) -> dict[str, object]:
    """The v2 record of a confirmed decision: the v1 record's facts, named globally (the
    level, the scheme by its item, level and version, the two people as ``user:<uuid>``)."""
    first = _record(uow, row, decision, confirmation)
    session = uow.session
    marks = None if decision.mark_id is None else session.get_one(MarkRow, decision.mark_id)
    scheme = None if marks is None else session.get_one(SchemeRow, marks.scheme_id)
    scheme_item = scheme_level = None
    if scheme is not None:
        name = catalog.item_names(uow=uow, item_ids=[scheme.item_id])[scheme.item_id]
        scheme_item = f"{name.owner}:{name.code}"
        scheme_level = _level(uow, scheme.framework_level_id)
    actors = institutions.actor_ids(
        uow=uow, user_ids={decision.assessor_user_id, confirmation.by_user_id}
    )
    row_ids = {"framework_level_id", "scheme_id", "assessor_user_id", "confirmed_by_user_id"}
    record = {key: value for key, value in first.items() if key not in row_ids}
    record.update(
        schema=RECORD_SCHEMA,
        bank=ledger.log_origin(uow=uow),
        level=_level(uow, decision.framework_level_id),
        scheme_item=scheme_item,
        scheme_level=scheme_level,
        scheme_version=None if scheme is None else scheme.version,
        assessor=actors[decision.assessor_user_id],
        confirmed_by=actors[confirmation.by_user_id],
    )
    return record


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]
Build = Callable[[UnitOfWork, ApplicationRow, DecisionRow, ConfirmationRow], dict[str, object]]


def decision_fact(uow: UnitOfWork, row: ApplicationRow, decision: DecisionRow) -> LogFact:
    """The log fact of a confirmed decision (call after the confirmation is flushed): a v2
    record."""
    confirmation = uow.session.get_one(ConfirmationRow, decision.id)
    return LogFact(
        LogKind.ACCREDITATION_DECIDED,
        record_id(row.public_id, decision.round),
        institutions.institution_codes(uow=uow)[row.centre_id],
        confirmation.at,
        _record_v2(uow, row, decision, confirmation),
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


def _reader(schema: int) -> Reader:
    """The reader of decisions' records of ``schema``."""
    build: Build = _record if schema == 1 else _record_v2

    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        wanted = set(record_ids)
        found: dict[str, Mapping[str, object]] = {}
        public_ids = {key.rpartition(SEPARATOR)[0] for key in wanted}
        for application, decision, confirmation in _decided(uow, public_ids):
            key = record_id(application.public_id, decision.round)
            if key in wanted:
                found[key] = build(uow, application, decision, confirmation)
        return found

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (LogKind.ACCREDITATION_DECIDED, schema): _reader(schema) for schema in (1, RECORD_SCHEMA)
}
"""For each kind of entry this area logs and each schema of its records (ADR 0017): the records
of the given ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Confirmed decisions that have no entry in the log."""
    keys = [record_id(a.public_id, d.round) for a, d, _ in _decided(uow)]
    if not keys:
        return {}
    logged = ledger.logged_record_ids(uow=uow, kind=LogKind.ACCREDITATION_DECIDED, record_ids=keys)
    missing = [key for key in keys if key not in logged][:limit]
    return {LogKind.ACCREDITATION_DECIDED: missing} if missing else {}
