"""What a fact of record looks like in the log: the entry, its commitment, its receipt.

Pure: no database, no web. An entry is the RFC 8785 canonical JSON of
``{"v", "kind", "id", "issuer", "time", "commitment"}`` (UTF-8). It carries no personal
data: ``commitment`` is ``SHA-256(canonical record || salt)``, where the record is the
business row's facts (canonical JSON too) and the salt is 16 random bytes kept off the
log. Whoever holds the record and the salt can check the commitment; without the salt
it reveals nothing, so erasing the salt (with the personal data) leaves the log
verifiable and the record unrecoverable.

The entry's ``v`` is its record's schema (ADR 0017): ``1`` for the first records, which name
the bank's row ids, ``2`` for records that name only global identifiers (the bank's log
origin, codes, versions, public ids) and say so with ``"schema": 2``. ``log verify`` reads
``v`` to know which record to rebuild, so a later schema never makes an older entry fail.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias

import rfc8785

from creditbank.ledger.merkle import leaf_hash

SCHEMA_V1 = 1
"""The first records: no ``schema`` key; they name row ids (item, level, user)."""
RECORD_SCHEMA = 2
"""The schema of the records written now: global identifiers only, ``"schema": 2``."""
SALT_BYTES = 16

RecordValue: TypeAlias = "str | int | bool | list[RecordValue] | dict[str, RecordValue] | None"


class LogKind(StrEnum):
    """The kinds of facts of record the log holds."""

    OUTCOME_DEPOSITED = "outcome.deposited"
    OUTCOME_VERIFIED = "outcome.verified"
    OUTCOME_REVOKED = "outcome.revoked"
    OUTCOME_SUPERSEDED = "outcome.superseded"
    FRAMEWORK_VERSION_PUBLISHED = "framework_version.published"
    RULE_APPROVED = "conversion_rule.approved"
    RULE_RETIRED = "conversion_rule.retired"
    CONVERSION_CONFIRMED = "conversion.confirmed"
    CONVERSION_REVERSED = "conversion.reversed"
    ACCREDITATION_DECIDED = "accreditation.decided"
    INSTITUTION_REGISTERED = "institution.registered"
    INSTITUTION_CHANGED = "institution.changed"
    ITEM_REGISTERED = "catalog_item.registered"
    ITEM_CHANGED = "catalog_item.changed"
    GRANT_GRANTED = "catalog_grant.granted"
    GRANT_WITHDRAWN = "catalog_grant.withdrawn"
    KEY_REGISTERED = "signing_key.registered"
    KEY_ROTATED = "signing_key.rotated"
    KEY_COMPROMISED = "signing_key.compromised"
    PROGRAMME_DEFINED = "programme.defined"
    PEER_PROPOSED = "peer.proposed"
    PEER_APPROVED = "peer.approved"
    PEER_REMOVED = "peer.removed"
    RECOGNITION_DECIDED = "recognition.decided"
    """A decision on an outcome imported from a peer bank (recognised or refused), naming
    the peer's leaf (its origin and leaf hash)."""
    ALLIANCE_JOINED = "alliance.joined"
    """This bank joined an alliance of banks (four eyes), under its agreement."""
    ALLIANCE_LEFT = "alliance.left"
    SKILL_ALIGNMENT_APPROVED = "skill_alignment.approved"
    """A version of a catalogue item's alignment to skills approved (four eyes): the item, the
    level, the skills by URI and name, the author and the approver."""
    SKILL_ALIGNMENT_RETIRED = "skill_alignment.retired"


SUPERSEDED: Mapping[str, object] = MappingProxyType({})
"""What a reader answers for an earlier version of a versioned fact (``<id>@<n>`` below the
row's version now): the row holds only its newest version, which its own entry commits to."""


def record_schema(record: Mapping[str, object]) -> int:
    """The schema of ``record``: its ``schema``, or 1 for the first records, which had none."""
    schema = record.get("schema", SCHEMA_V1)
    if not isinstance(schema, int) or isinstance(schema, bool):
        msg = f"a record's schema must be an integer, not {schema!r}"
        raise TypeError(msg)
    return schema


def versioned_id(identifier: str, version: int) -> str:
    """The entry id of version ``version`` of a versioned fact: ``<identifier>@<version>``."""
    return f"{identifier}@{version}"


def split_versioned_id(record_id: str) -> tuple[str, int] | None:
    """``(identifier, version)`` of a :func:`versioned_id`, or None if it is not one."""
    identifier, at, version = record_id.rpartition("@")
    if not at or not identifier or not version.isdigit():
        return None
    return identifier, int(version)


def canonical_value(value: object) -> RecordValue:
    """``value`` as JSON the canonical form can hold: decimals, dates and times as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): canonical_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(item) for item in value]
    msg = f"a log record cannot hold a {type(value).__name__}"
    raise TypeError(msg)


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. ``2026-11-22T08:00:00.000000Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


MAX_SAFE_INTEGER = 2**53 - 1


def _plain(value: RecordValue) -> bool:
    """Whether ``value`` is text, a safe integer, a truth value or null (no surrogates)."""
    if isinstance(value, str):
        return value.isascii() or not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, bool) or value is None:
        return True
    return isinstance(value, int) and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER


def canonical_json(value: RecordValue) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of ``value``.

    A flat object of ASCII keys whose values are text, safe integers, truth values or
    null (every record and entry of the log) serialises the same under RFC 8785 as under
    ``json.dumps`` with sorted keys, no spaces and no ASCII escaping, four times faster;
    anything else goes to the ``rfc8785`` library. A test checks the two agree.
    """
    if isinstance(value, dict) and all(
        key.isascii() and _plain(item) for key, item in value.items()
    ):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return rfc8785.dumps(value)


def canonical_record(record: Mapping[str, object]) -> bytes:
    """The RFC 8785 canonical JSON of a business record."""
    return canonical_json(canonical_value(record))


def commitment(record: Mapping[str, object], salt: bytes) -> bytes:
    """``SHA-256(canonical record || salt)``."""
    return hashlib.sha256(canonical_record(record) + salt).digest()


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


@dataclass(frozen=True, slots=True)
class LogFact:
    """A fact of record to log: its kind, public id, issuer, time and business record."""

    kind: LogKind
    record_id: str
    issuer: str
    at: datetime
    record: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Entry:
    """A fact as it stands in the log, before it has a leaf index."""

    kind: LogKind
    record_id: str
    issuer: str
    at: datetime
    body: bytes
    leaf_hash: bytes
    salt: bytes


def entry_body(
    *,
    kind: str,
    record_id: str,
    issuer: str,
    at: datetime,
    record_commitment: bytes,
    schema: int = SCHEMA_V1,
) -> bytes:
    """The entry's bytes: canonical JSON of its public fields and the commitment (hex); its
    ``v`` is the schema of the record committed to."""
    return canonical_json(
        {
            "v": schema,
            "kind": kind,
            "id": record_id,
            "issuer": issuer,
            "time": utc_text(at),
            "commitment": record_commitment.hex(),
        }
    )


def make_entry(fact: LogFact, salt: bytes | None = None) -> Entry:
    """The entry for ``fact``, with a fresh salt unless one is given."""
    salt = new_salt() if salt is None else salt
    body = entry_body(
        kind=fact.kind.value,
        record_id=fact.record_id,
        issuer=fact.issuer,
        at=fact.at,
        record_commitment=commitment(fact.record, salt),
        schema=record_schema(fact.record),
    )
    return Entry(fact.kind, fact.record_id, fact.issuer, fact.at, body, leaf_hash(body), salt)


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where an entry stands in the log: its leaf index and leaf hash (RFC 9162)."""

    kind: LogKind
    record_id: str
    leaf_index: int
    leaf_hash: bytes
