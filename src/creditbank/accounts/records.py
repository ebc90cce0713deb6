"""What the ledger holds of outcomes and their events, and how to read it back.

Each deposited outcome, and each verification, revocation or supersession of one, is a
fact of record: the ledger logs a commitment to the business row (its public fields as
below) in the same transaction. ``creditbank log verify`` reads the same fields back with
:data:`READERS` and checks every commitment, so that a business row altered after the
fact shows.

Two schemas of record (ADR 0017). Records are written in schema 2 (:func:`outcome_values_v2`,
:func:`event_record_v2`): flat, ``"schema": 2``, the bank named by its log origin, the learner
by a salted hash of the account number (:func:`learner_hash`), the item by owner, code,
version and kind, the level by framework code, version and level code, the actor by a stable
pseudonymous id (``user:<uuid>``); never a row id. Entries logged before committed to
schema 1 (:func:`outcome_values`, :func:`event_record`: the item's, level's and
user's row ids), and are still checked against it: the entry's ``v`` says which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, select
from sqlalchemy.orm import InstrumentedAttribute

from creditbank.accounts import fields
from creditbank.accounts.fields import STORED_AS_GIVEN
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork, one_of
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger.api import LogFact, LogKind, is_logged, log_origin
from creditbank.ledger.model import RECORD_SCHEMA, SCHEMA_V1

STORED_FACT_COLUMNS = ("learner_id", "item_id", "framework_level_id", *STORED_AS_GIVEN)
"""The columns that make an outcome what it is (equal for the same record sent again): the
learner, the item and level resolved, and the facts stored as given
(:mod:`creditbank.accounts.fields`)."""

EVENT_KINDS = {
    OutcomeStatus.VERIFIED: LogKind.OUTCOME_VERIFIED,
    OutcomeStatus.REVOKED: LogKind.OUTCOME_REVOKED,
    OutcomeStatus.SUPERSEDED: LogKind.OUTCOME_SUPERSEDED,
}

TRANSFER_FIELDS = (
    "conversion",
    "programme",
    "programme_name",
    "programme_name_en",
    "component",
    "component_name",
    "category",
    "rule",
    "rule_version",
)
"""The facts of transferred credit a v2 record holds flat, each as ``transfer_<name>``; the
source outcomes follow as ``transfer_sources`` (their public ids, space-separated, in order)."""


# Schema 2 ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item as a v2 record names it: owner's code, code, version and kind."""

    owner: str
    code: str
    version: int
    kind: str


@dataclass(frozen=True, slots=True)
class LevelRef:
    """A level as a v2 record names it: framework code, framework version, level code."""

    framework: str
    version: int
    code: str


def outcome_values_v2(
    *,
    bank: str,
    public_id: str,
    account_number: str,
    institution: str,
    record_id: str,
    item: ItemRef,
    level: LevelRef,
    given: Iterable[object],
    deposited_at: datetime,
    transfer: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The v2 record of a deposited outcome (``given``: the values of
    :data:`~creditbank.accounts.fields.STORED_AS_GIVEN`, in order; ``transfer``: transferred
    credit's, as stored)."""
    record: dict[str, object] = {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "public_id": public_id,
        "learner": learner_hash(account_number, public_id),
        "institution": institution,
        "record_id": record_id,
        "item_owner": item.owner,
        "item_code": item.code,
        "item_version": item.version,
        "item_kind": item.kind,
        "level_framework": level.framework,
        "level_framework_version": level.version,
        "level_code": level.code,
    }
    record.update(
        (name, value)
        for name, value in zip(STORED_AS_GIVEN, given, strict=True)
        if fields.logged(name, value)
    )
    record["deposited_at"] = deposited_at
    if transfer is not None:
        record.update(transfer_values(transfer))
    return record


def learner_hash(account_number: str, public_id: str) -> str:
    """How a v2 record names the learner: the Open Badges identity hash of the account number,
    salted with the outcome's public id (``sha256$`` and the hex of SHA-256 of the two), which
    the outcome's credential states as its ``identityHash``. A receipt built from the credential
    discloses no account number, and two outcomes of one learner are not linkable by it."""
    digest = hashlib.sha256((account_number + public_id).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def transfer_values(transfer: Mapping[str, object]) -> dict[str, object]:
    """Transferred credit's facts as a v2 record holds them: flat, ``transfer_<name>``."""
    values: dict[str, object] = {f"transfer_{name}": transfer.get(name) for name in TRANSFER_FIELDS}
    sources = transfer.get("sources")
    listed = sources if isinstance(sources, list | tuple) else ()
    values["transfer_sources"] = " ".join(str(source) for source in listed)
    return values


def event_record_v2(
    event: OutcomeEventRow, *, bank: str, outcome: str, actor: str, replaced_by: str | None
) -> dict[str, object]:
    """The v2 record of an outcome event (``actor``: ``user:<uuid>``)."""
    return {
        "schema": RECORD_SCHEMA,
        "bank": bank,
        "outcome": outcome,
        "event": event.kind,
        "reason": event.reason,
        "actor": actor,
        "at": event.at,
        "replaced_by": replaced_by,
    }


class Names:
    """What v2 records name items and levels by, looked up by row id once each: a batch's
    thousands of outcomes share a few items and levels, so a record costs no query."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._bank: str | None = None
        self._items: dict[int, catalog.ItemName] = {}
        self._levels: dict[int, LevelRef] = {}

    @property
    def bank(self) -> str:
        """The bank's log origin."""
        if self._bank is None:
            self._bank = log_origin(uow=self.uow)
        return self._bank

    def remember(self, items: Iterable[catalog.CatalogItem]) -> None:
        """Names of ``items`` and their levels known already (a bulk deposit's issuable items):
        no query for them."""
        for item in items:
            self._items[item.id] = catalog.ItemName(
                item.institution, item.code, item.kind.value, item.version
            )
            self._levels.update((level.level_id, level_ref(level)) for level in item.levels)

    def load(self, *, item_ids: Iterable[int], level_ids: Iterable[int]) -> None:
        """Look up the items and levels not seen yet, in a query each."""
        items = set(item_ids) - self._items.keys()
        if items:
            self._items.update(catalog.item_names(uow=self.uow, item_ids=items))
        levels = set(level_ids) - self._levels.keys()
        if levels:
            pinned = frameworks.pinned_levels(uow=self.uow, level_ids=levels)
            self._levels.update(
                (level_id, LevelRef(found.framework, found.version, found.level.code))
                for level_id, found in pinned.items()
            )

    def item(self, item_id: int, version: int | None = None) -> ItemRef:
        """Item ``item_id`` at ``version`` (default: its version now)."""
        if item_id not in self._items:
            self.load(item_ids=(item_id,), level_ids=())
        name = self._items[item_id]
        return ItemRef(
            name.owner, name.code, name.version if version is None else version, name.kind
        )

    def level(self, level_id: int) -> LevelRef:
        """Level ``level_id``."""
        if level_id not in self._levels:
            self.load(item_ids=(), level_ids=(level_id,))
        return self._levels[level_id]


def item_ref(item: catalog.CatalogItem) -> ItemRef:
    """How a v2 record names ``item`` (at its version now)."""
    return ItemRef(item.institution, item.code, item.version, item.kind.value)


def level_ref(level: frameworks.PinnedLevel) -> LevelRef:
    """How a v2 record names ``level``."""
    return LevelRef(level.framework, level.version, level.level.code)


def outcome_record_v2(
    row: OutcomeRow,
    *,
    bank: str,
    item: ItemRef,
    level: LevelRef,
    account_number: str,
    institution: str,
) -> dict[str, object]:
    """The v2 record of a stored outcome (``item``: at the version it was deposited against)."""
    return outcome_values_v2(
        bank=bank,
        public_id=row.public_id,
        account_number=account_number,
        institution=institution,
        record_id=row.record_id,
        item=item,
        level=level,
        given=[getattr(row, name) for name in STORED_AS_GIVEN],
        deposited_at=row.deposited_at,
        transfer=row.transfer,
    )


def deposited_fact(
    row: OutcomeRow,
    *,
    bank: str,
    item: ItemRef,
    level: LevelRef,
    account_number: str,
    institution: str,
) -> LogFact:
    """The log fact of a deposited outcome (a v2 record)."""
    return LogFact(
        LogKind.OUTCOME_DEPOSITED,
        row.public_id,
        institution,
        row.deposited_at,
        outcome_record_v2(
            row,
            bank=bank,
            item=item,
            level=level,
            account_number=account_number,
            institution=institution,
        ),
    )


def event_fact(
    event: OutcomeEventRow,
    *,
    bank: str,
    outcome: str,
    institution: str,
    actor: str,
    replaced_by: str | None,
) -> LogFact:
    """The log fact of a verification, revocation or supersession of outcome ``outcome`` (a v2
    record; ``actor``: the user's ``user:<uuid>``)."""
    return LogFact(
        EVENT_KINDS[OutcomeStatus(event.kind)],
        outcome,
        institution,
        event.at,
        event_record_v2(event, bank=bank, outcome=outcome, actor=actor, replaced_by=replaced_by),
    )


# Schema 1: what the first entries committed to ----------------------------------------------


def outcome_record(row: OutcomeRow, *, account_number: str, institution: str) -> dict[str, object]:
    """The v1 record of a deposited outcome; transferred credit adds what was transferred
    toward what, from which outcomes (``transfer``)."""
    record = outcome_values(
        public_id=row.public_id,
        account_number=account_number,
        institution=institution,
        record_id=row.record_id,
        stored=tuple(getattr(row, column) for column in STORED_FACT_COLUMNS),
        deposited_at=row.deposited_at,
    )
    if row.transfer is not None:
        record["transfer"] = row.transfer
    return record


def outcome_values(
    *,
    public_id: str,
    account_number: str,
    institution: str,
    record_id: str,
    stored: tuple[object, ...],
    deposited_at: datetime,
) -> dict[str, object]:
    """:func:`outcome_record` (v1) from the values of a row (``stored``:
    ``STORED_FACT_COLUMNS``, whose first, the learner's id, the record gives as the account
    number instead)."""
    values = dict(zip(STORED_FACT_COLUMNS, stored, strict=True))
    record: dict[str, object] = {
        "public_id": public_id,
        "account_number": account_number,
        "institution": institution,
        "record_id": record_id,
        "item_id": values["item_id"],
        "framework_level_id": values["framework_level_id"],
    }
    record.update(
        (name, values[name]) for name in STORED_AS_GIVEN if fields.logged(name, values[name])
    )
    record["deposited_at"] = deposited_at
    return record


def event_record(
    event: OutcomeEventRow, *, outcome: str, replaced_by: str | None
) -> dict[str, object]:
    """The v1 record of an outcome event (it named the user's row id)."""
    return {
        "outcome": outcome,
        "event": event.kind,
        "reason": event.reason,
        "by_user_id": event.by_user_id,
        "at": event.at,
        "replaced_by": replaced_by,
    }


# Reading back -------------------------------------------------------------------------------


def _outcomes(
    schema: int,
) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        session = uow.session
        rows = session.execute(
            select(OutcomeRow, LearnerRow.account_number)
            .join(LearnerRow, LearnerRow.id == OutcomeRow.learner_id)
            .where(one_of(session, OutcomeRow.public_id, list(record_ids)))
        ).all()
        codes = institutions.institution_codes(uow=uow)
        if schema == SCHEMA_V1:
            return {
                row.public_id: outcome_record(
                    row, account_number=number, institution=codes[row.institution_id]
                )
                for row, number in rows
            }
        names = Names(uow)
        names.load(
            item_ids={row.item_id for row, _ in rows},
            level_ids={row.framework_level_id for row, _ in rows},
        )
        return {
            row.public_id: outcome_record_v2(
                row,
                bank=names.bank,
                item=names.item(row.item_id, row.item_version),
                level=names.level(row.framework_level_id),
                account_number=number,
                institution=codes[row.institution_id],
            )
            for row, number in rows
        }

    return read


def _events(
    kind: OutcomeStatus, schema: int
) -> Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]:
    def read(uow: UnitOfWork, record_ids: Collection[str]) -> dict[str, Mapping[str, object]]:
        session = uow.session
        found = session.execute(
            select(OutcomeEventRow, OutcomeRow.public_id)
            .join(OutcomeRow, OutcomeRow.id == OutcomeEventRow.outcome_id)
            .where(
                one_of(session, OutcomeRow.public_id, list(record_ids)),
                OutcomeEventRow.kind == kind.value,
            )
        ).all()
        replacements = {
            event.replaced_by_id for event, _ in found if event.replaced_by_id is not None
        }
        public_ids = dict(
            session.execute(
                select(OutcomeRow.id, OutcomeRow.public_id).where(OutcomeRow.id.in_(replacements))
            ).all()
        )
        if schema == SCHEMA_V1:
            return {
                outcome: event_record(
                    event,
                    outcome=outcome,
                    replaced_by=public_ids.get(event.replaced_by_id)
                    if event.replaced_by_id
                    else None,
                )
                for event, outcome in found
            }
        bank = log_origin(uow=uow)
        actors = institutions.actor_ids(uow=uow, user_ids={event.by_user_id for event, _ in found})
        return {
            outcome: event_record_v2(
                event,
                bank=bank,
                outcome=outcome,
                actor=actors[event.by_user_id],
                replaced_by=public_ids.get(event.replaced_by_id) if event.replaced_by_id else None,
            )
            for event, outcome in found
        }

    return read


Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]

READERS: dict[tuple[LogKind, int], Reader] = {
    **{
        (LogKind.OUTCOME_DEPOSITED, schema): _outcomes(schema)
        for schema in (SCHEMA_V1, RECORD_SCHEMA)
    },
    **{
        (log_kind, schema): _events(status, schema)
        for status, log_kind in EVENT_KINDS.items()
        for schema in (SCHEMA_V1, RECORD_SCHEMA)
    },
}
"""For each kind of entry this area logs and each schema of record: the records of the given
public ids, as logged."""


def unlogged(uow: UnitOfWork, *, limit: int = 100) -> dict[LogKind, list[str]]:
    """Records of this area that have no entry in the log (there should be none)."""
    session = uow.session

    def logged(kind: LogKind, public_id: InstrumentedAttribute[str]) -> Exists:
        return is_logged(kind, public_id)

    found: dict[LogKind, list[str]] = {}
    outcomes = session.scalars(
        select(OutcomeRow.public_id)
        .where(~logged(LogKind.OUTCOME_DEPOSITED, OutcomeRow.public_id))
        .limit(limit)
    ).all()
    if outcomes:
        found[LogKind.OUTCOME_DEPOSITED] = list(outcomes)
    for status, kind in EVENT_KINDS.items():
        events = session.scalars(
            select(OutcomeRow.public_id)
            .join(OutcomeEventRow, OutcomeEventRow.outcome_id == OutcomeRow.id)
            .where(OutcomeEventRow.kind == status.value, ~logged(kind, OutcomeRow.public_id))
            .limit(limit)
        ).all()
        if events:
            found[kind] = list(events)
    return found
