"""What the ledger holds of conversion rules and conversions, and how to read it back.

Facts of record: a rule version approved (its full content: programme, code, version,
sources, targets, conditions, validity, author, approver) or retired (from which day,
by whom, why); a conversion confirmed or reversed (the learner's account, the programme,
each grant with the rule version, sources and credits). ``creditbank log verify`` reads
the same fields back with :data:`READERS` and checks every commitment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select

from creditbank.conversion.conversion_reads import Conversion, get_conversion
from creditbank.conversion.tables import (
    ConversionEventRow,
    ConversionRow,
    ProgrammeRow,
    RuleEventRow,
    RuleRow,
)
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind

RULE_PREFIX = "rule-"


def rule_record_id(rule_id: int) -> str:
    return f"{RULE_PREFIX}{rule_id}"


def _rule_record(row: RuleRow, event: RuleEventRow, programme: str) -> dict[str, object]:
    return {
        "rule": row.id,
        "programme": programme,
        "code": row.code,
        "version": row.version,
        "name": row.name,
        "spec": row.spec,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "drafted_by_user_id": row.drafted_by_user_id,
        "event": event.kind,
        "by_user_id": event.by_user_id,
        "reason": event.reason,
        "effective_on": event.effective_on,
        "at": event.at,
    }


_RULE_KINDS = {"approved": LogKind.RULE_APPROVED, "retired": LogKind.RULE_RETIRED}


def rule_fact(row: RuleRow, event: RuleEventRow, *, programme: str, institution: str) -> LogFact:
    """The log fact of a rule version's approval or retirement."""
    return LogFact(
        _RULE_KINDS[event.kind],
        rule_record_id(row.id),
        institution,
        event.at,
        _rule_record(row, event, programme),
    )


def _conversion_record(conversion: Conversion, event: ConversionEventRow) -> dict[str, object]:
    return {
        "conversion": conversion.public_id,
        "account_number": conversion.account_number,
        "programme": conversion.programme,
        "requested_on": conversion.requested_on,
        "total": conversion.total,
        "grants": [
            {
                "rule_id": grant.rule_id,
                "target": grant.target.describe(),
                "granted": grant.granted,
                "sources": list(grant.sources),
                # a confirmation commits to the outcome it deposited, which a later correction
                # supersedes but never changes; a reversal to the outcome it revoked
                "transferred": grant.deposited
                if event.kind == "confirmed" and grant.deposited
                else grant.transferred,
            }
            for grant in conversion.grants
        ],
        "event": event.kind,
        "by": event.by,
        "reason": event.reason,
        "at": event.at,
    }


_CONVERSION_KINDS = {
    "confirmed": LogKind.CONVERSION_CONFIRMED,
    "reversed": LogKind.CONVERSION_REVERSED,
}


def conversion_fact(conversion: Conversion, event: ConversionEventRow) -> LogFact:
    """The log fact of a conversion's confirmation or reversal."""
    return LogFact(
        _CONVERSION_KINDS[event.kind],
        conversion.public_id,
        conversion.institution,
        event.at,
        _conversion_record(conversion, event),
    )


def _rules(kind: str) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        ids = [int(r.removeprefix(RULE_PREFIX)) for r in record_ids if r.startswith(RULE_PREFIX)]
        rows = uow.session.execute(
            select(RuleRow, RuleEventRow, ProgrammeRow.code)
            .join(RuleEventRow, RuleEventRow.rule_id == RuleRow.id)
            .join(ProgrammeRow, ProgrammeRow.id == RuleRow.programme_id)
            .where(RuleRow.id.in_(ids), RuleEventRow.kind == kind)
        ).all()
        return {
            rule_record_id(row.id): _rule_record(row, event, programme)
            for row, event, programme in rows
        }

    return read


def _conversions(
    kind: str,
) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        found: dict[str, Mapping[str, object]] = {}
        for public_id in record_ids:
            event = uow.session.scalar(
                select(ConversionEventRow)
                .join(ConversionRow, ConversionRow.id == ConversionEventRow.conversion_id)
                .where(ConversionRow.public_id == public_id, ConversionEventRow.kind == kind)
            )
            if event is not None:
                found[public_id] = _conversion_record(
                    get_conversion(uow=uow, public_id=public_id), event
                )
        return found

    return read


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[LogKind, Reader] = {
    LogKind.RULE_APPROVED: _rules("approved"),
    LogKind.RULE_RETIRED: _rules("retired"),
    LogKind.CONVERSION_CONFIRMED: _conversions("confirmed"),
    LogKind.CONVERSION_REVERSED: _conversions("reversed"),
}
"""For each kind of entry this area logs: the records of the given public ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Approvals, retirements, confirmations and reversals that have no entry in the log."""
    session = uow.session
    found: dict[LogKind, list[str]] = {}
    for kind, log_kind in _RULE_KINDS.items():
        ids = session.scalars(
            select(RuleEventRow.rule_id).where(RuleEventRow.kind == kind).limit(10 * limit)
        ).all()
        missing = _missing(uow, log_kind, [rule_record_id(i) for i in ids])[:limit]
        if missing:
            found[log_kind] = missing
    for kind, log_kind in _CONVERSION_KINDS.items():
        public_ids = session.scalars(
            select(ConversionRow.public_id)
            .join(ConversionEventRow, ConversionEventRow.conversion_id == ConversionRow.id)
            .where(ConversionEventRow.kind == kind)
            .limit(10 * limit)
        ).all()
        missing = _missing(uow, log_kind, list(public_ids))[:limit]
        if missing:
            found[log_kind] = missing
    return found


def _missing(uow: UnitOfWork, kind: LogKind, record_ids: list[str]) -> list[str]:
    if not record_ids:
        return []
    logged = ledger.logged_record_ids(uow=uow, kind=kind, record_ids=record_ids)
    return [record_id for record_id in record_ids if record_id not in logged]
