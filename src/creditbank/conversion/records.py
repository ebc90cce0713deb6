"""What the ledger holds of programmes, conversion rules and conversions, and how to read it
back.

Facts of record: a programme defined (ADR 0017: a v2 record naming items as ``OWNER:CODE`` and
the minimum level as ``FRAMEWORK@VERSION:LEVEL``); a rule version approved (its full content:
programme, code, version, sources, targets, conditions, validity, author, approver) or
retired (from which day, by whom, why); a conversion confirmed or reversed (the learner's
account, the programme, each grant with the rule version, sources and credits).
``creditbank log verify`` reads the same fields back with :data:`READERS` and checks every
commitment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import select

from creditbank.catalog import api as catalog
from creditbank.conversion.conversion_reads import Conversion, get_conversion
from creditbank.conversion.model import CAP_SETTINGS
from creditbank.conversion.tables import (
    ConversionEventRow,
    ConversionRow,
    ProgrammeComponentRow,
    ProgrammeRow,
    RuleEventRow,
    RuleRow,
)
from creditbank.db import Base, UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogFact, LogKind
from creditbank.ledger.model import RECORD_SCHEMA

RULE_PREFIX = "rule-"
Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]


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


def _rule_record_v2(
    row: RuleRow, event: RuleEventRow, programme: str, *, bank: str, actors: Mapping[int, str]
) -> dict[str, object]:
    """The v2 record of a rule version's approval or retirement (ADR 0017): the rule by its
    programme, code and version, the author and the approver as ``user:<uuid>``."""
    record = {
        key: value
        for key, value in _rule_record(row, event, programme).items()
        if key not in {"rule", "drafted_by_user_id", "by_user_id"}
    }
    record.update(
        schema=RECORD_SCHEMA,
        bank=bank,
        name_en=row.name_en,
        drafted_by=actors[row.drafted_by_user_id],
        by=actors[event.by_user_id],
    )
    return record


_RULE_KINDS = {"approved": LogKind.RULE_APPROVED, "retired": LogKind.RULE_RETIRED}


def rule_fact(
    uow: UnitOfWork, row: RuleRow, event: RuleEventRow, *, programme: str, institution: str
) -> LogFact:
    """The log fact of a rule version's approval or retirement (a v2 record, under the
    version's public id: v1 entries were ``rule-<row id>``)."""
    actors = institutions.actor_ids(uow=uow, user_ids={row.drafted_by_user_id, event.by_user_id})
    return LogFact(
        _RULE_KINDS[event.kind],
        row.public_id,
        institution,
        event.at,
        _rule_record_v2(row, event, programme, bank=ledger.log_origin(uow=uow), actors=actors),
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


OPERATOR_EMAIL = "operator@console"
"""The principal of the server's console (``access.policy.OPERATOR``), who is no user."""


def actor_of(uow: UnitOfWork, by: str) -> str:
    """Who a conversion's event names (by e-mail address, as stored) as a v2 record names them:
    ``user:<uuid>``, ``operator`` for the console, never the address."""
    if by == OPERATOR_EMAIL:
        return "operator"
    return institutions.actors_by_email(uow=uow, emails=[by]).get(by, "unknown")


def _conversion_record_v2(
    conversion: Conversion, event: ConversionEventRow, *, bank: str, actor: str
) -> dict[str, object]:
    """The v2 record of a conversion's confirmation or reversal (ADR 0017): each grant's rule
    by ``CODE@VERSION`` (of the conversion's programme), the actor as ``user:<uuid>``."""
    record = _conversion_record(conversion, event)
    record["grants"] = [
        {
            **{key: value for key, value in logged.items() if key != "rule_id"},
            "rule": f"{grant.rule}@{grant.version}",
        }
        for logged, grant in zip(_grants_of(record), conversion.grants, strict=True)
    ]
    record.update(schema=RECORD_SCHEMA, bank=bank, by=actor)
    return record


def _grants_of(record: Mapping[str, object]) -> list[dict[str, object]]:
    grants = record["grants"]
    return grants if isinstance(grants, list) else []


_CONVERSION_KINDS = {
    "confirmed": LogKind.CONVERSION_CONFIRMED,
    "reversed": LogKind.CONVERSION_REVERSED,
}


def conversion_fact(uow: UnitOfWork, conversion: Conversion, event: ConversionEventRow) -> LogFact:
    """The log fact of a conversion's confirmation or reversal (a v2 record)."""
    return LogFact(
        _CONVERSION_KINDS[event.kind],
        conversion.public_id,
        conversion.institution,
        event.at,
        _conversion_record_v2(
            conversion, event, bank=ledger.log_origin(uow=uow), actor=actor_of(uow, event.by)
        ),
    )


def _rules(kind: str, schema: int) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        if schema == 1:  # the entry id was rule-<row id>
            wanted = RuleRow.id.in_(
                [int(r.removeprefix(RULE_PREFIX)) for r in record_ids if r.startswith(RULE_PREFIX)]
            )
        else:
            wanted = RuleRow.public_id.in_(set(record_ids))
        rows = uow.session.execute(
            select(RuleRow, RuleEventRow, ProgrammeRow.code)
            .join(RuleEventRow, RuleEventRow.rule_id == RuleRow.id)
            .join(ProgrammeRow, ProgrammeRow.id == RuleRow.programme_id)
            .where(wanted, RuleEventRow.kind == kind)
        ).all()
        if schema == 1:
            return {
                rule_record_id(row.id): _rule_record(row, event, programme)
                for row, event, programme in rows
            }
        bank = ledger.log_origin(uow=uow)
        actors = institutions.actor_ids(
            uow=uow,
            user_ids={row.drafted_by_user_id for row, _, _ in rows}
            | {event.by_user_id for _, event, _ in rows},
        )
        return {
            row.public_id: _rule_record_v2(row, event, programme, bank=bank, actors=actors)
            for row, event, programme in rows
        }

    return read


def _conversions(kind: str, schema: int) -> Reader:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        found: dict[str, Mapping[str, object]] = {}
        for public_id in record_ids:
            event = uow.session.scalar(
                select(ConversionEventRow)
                .join(ConversionRow, ConversionRow.id == ConversionEventRow.conversion_id)
                .where(ConversionRow.public_id == public_id, ConversionEventRow.kind == kind)
            )
            if event is None:
                continue
            conversion = get_conversion(uow=uow, public_id=public_id)
            found[public_id] = (
                _conversion_record(conversion, event)
                if schema == 1
                else _conversion_record_v2(
                    conversion,
                    event,
                    bank=ledger.log_origin(uow=uow),
                    actor=actor_of(uow, event.by),
                )
            )
        return found

    return read


READERS: dict[tuple[LogKind, int], Reader] = {
    (log_kind, schema): _rules(kind, schema)
    for kind, log_kind in _RULE_KINDS.items()
    for schema in (1, RECORD_SCHEMA)
} | {
    (log_kind, schema): _conversions(kind, schema)
    for kind, log_kind in _CONVERSION_KINDS.items()
    for schema in (1, RECORD_SCHEMA)
}
"""For each kind of entry this area logs and each schema of its records (ADR 0017): the records
of the given public ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Programmes, approvals, retirements, confirmations and reversals that have no entry in
    the log."""
    session = uow.session
    found: dict[LogKind, list[str]] = unlogged_programmes(uow, limit=limit)
    for kind, log_kind in _RULE_KINDS.items():
        rules = session.execute(
            select(RuleRow.id, RuleRow.public_id)
            .join(RuleEventRow, RuleEventRow.rule_id == RuleRow.id)
            .where(RuleEventRow.kind == kind)
            .limit(10 * limit)
        ).all()
        # logged under the version's public id (v2), or as rule-<row id> before (v1)
        old = set(_missing(uow, log_kind, [rule_record_id(i) for i, _ in rules]))
        new = set(_missing(uow, log_kind, [public_id for _, public_id in rules]))
        missing = [
            public_id for i, public_id in rules if rule_record_id(i) in old and public_id in new
        ]
        if missing:
            found[log_kind] = missing[:limit]
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


# Programmes (ADR 0017) ---------------------------------------------------------------------

PROGRAMME_KIND = LogKind.PROGRAMME_DEFINED


def _scaled(row: Base, column: str) -> object:
    """A decimal column's value as the column holds it (its scale), whatever was given."""
    value = getattr(row, column)
    scale = getattr(row.__table__.c[column].type, "scale", None)
    if value is None or scale is None:
        return value
    return Decimal(value).quantize(Decimal(1).scaleb(-scale))


def programme_record(
    row: ProgrammeRow,
    components: Sequence[ProgrammeComponentRow],
    *,
    bank: str,
    institution: str,
    items: Mapping[int, str],
    min_level: str | None,
) -> dict[str, object]:
    """The v2 record of a programme as defined (``items``: ``OWNER:CODE`` by item row id;
    ``min_level``: ``FRAMEWORK@VERSION:LEVEL``)."""
    record: dict[str, object] = {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "code": row.code,
        "institution": institution,
        "item": items[row.item_id],
        "name": row.name,
        "name_en": row.name_en,
        "total_credits": _scaled(row, "total_credits"),
        "category_credits": " ".join(
            f"{category}={value}" for category, value in sorted(row.category_credits.items())
        ),
        "min_level": min_level,
        "reverse_on_withdrawal": row.reverse_on_withdrawal,
        "defined_at": row.created_at,
        "components": [
            {
                "code": component.code,
                "name": component.name,
                "credits": _scaled(component, "credits"),
                "category": component.category,
                "mandatory": component.mandatory,
                "item": None if component.item_id is None else items[component.item_id],
            }
            for component in sorted(components, key=lambda component: component.position)
        ],
    }
    record.update((f"cap_{name}", _scaled(row, f"cap_{name}")) for name in CAP_SETTINGS)
    return record


def _programme_records(
    uow: UnitOfWork, rows: Sequence[ProgrammeRow]
) -> dict[str, tuple[str, dict[str, object]]]:
    """Each programme's institution (its entry's issuer) and record, by code."""
    if not rows:
        return {}
    components: dict[int, list[ProgrammeComponentRow]] = {row.id: [] for row in rows}
    for component in uow.session.scalars(
        select(ProgrammeComponentRow).where(ProgrammeComponentRow.programme_id.in_(components))
    ):
        components[component.programme_id].append(component)
    item_ids = {row.item_id for row in rows} | {
        c.item_id for found in components.values() for c in found if c.item_id is not None
    }
    items = {
        item_id: f"{name.owner}:{name.code}"
        for item_id, name in catalog.item_names(uow=uow, item_ids=item_ids).items()
    }
    levels = frameworks.pinned_levels(
        uow=uow, level_ids=[row.min_level_id for row in rows if row.min_level_id is not None]
    )
    codes = institutions.institution_codes(uow=uow)
    bank = ledger.log_origin(uow=uow)
    found: dict[str, tuple[str, dict[str, object]]] = {}
    for row in rows:
        level = None if row.min_level_id is None else levels[row.min_level_id]
        institution = codes[row.institution_id]
        found[row.code] = (
            institution,
            programme_record(
                row,
                components[row.id],
                bank=bank,
                institution=institution,
                items=items,
                min_level=None
                if level is None
                else f"{level.framework}@{level.version}:{level.level.code}",
            ),
        )
    return found


def programme_facts(uow: UnitOfWork, rows: Sequence[ProgrammeRow]) -> list[LogFact]:
    """The log facts of programmes defined (``programme.defined``, id: the programme's code)."""
    uow.session.flush()
    made = _programme_records(uow, rows)
    return [
        LogFact(PROGRAMME_KIND, row.code, made[row.code][0], row.created_at, made[row.code][1])
        for row in rows
    ]


def _programmes(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
    rows = uow.session.scalars(
        select(ProgrammeRow).where(ProgrammeRow.code.in_(set(record_ids)))
    ).all()
    return {code: record for code, (_, record) in _programme_records(uow, rows).items()}


READERS[PROGRAMME_KIND, RECORD_SCHEMA] = _programmes


def _unlogged_programmes(uow: UnitOfWork, limit: int) -> list[ProgrammeRow]:
    return list(
        uow.session.scalars(
            select(ProgrammeRow)
            .where(~ledger.is_logged(PROGRAMME_KIND, ProgrammeRow.code))
            .order_by(ProgrammeRow.id)
            .limit(limit)
        )
    )


def unlogged_programmes(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Programmes with no entry in the log (there should be none)."""
    missing = [row.code for row in _unlogged_programmes(uow, limit)]
    return {PROGRAMME_KIND: missing} if missing else {}


def catch_up(uow: UnitOfWork) -> int:
    """Log every programme defined before programmes were facts of record (a bank upgraded
    past migration 0018); how many."""
    rows = _unlogged_programmes(uow, 1_000_000)
    if rows:
        ledger.append(uow, programme_facts(uow, rows))
    return len(rows)
