"""Transfer packages between peer banks: their shape, the learner's hash, the states. A pure core.

A **transfer package** is what bank A hands a learner (or, with the learner's consent, an
institution) for bank B: the chosen outcomes as signed credentials, each with its
self-contained receipt (inclusion proof against A's checkpoint), A's witnessed checkpoint,
the learner named only by ``SHA-256(salt || identity index key)`` (the salt travels in the
package; B recomputes the hash from its own sealed identity data of the learner who hands the
package over), a nonce, an expiry, and A's signature: a C2SP signed note by A's log key whose
text is :data:`SIGNED_NOTE_HEADER` and the SHA-256 of the package's canonical JSON without
its ``signature`` member. Nothing else personal is in it: no name, no identity number.

At B each outcome is stored as *imported* (``pending``), then *recognised* (deposited at B at
the level B's frameworks give it) or *refused* by B's accreditation officer; an imported
outcome whose source A revoked is *source_revoked*. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from creditbank.errors import DomainError
from creditbank.messages import msg

PACKAGE_TYPE = "creditbank-transfer-package"
PACKAGE_VERSION = 1
SIGNED_NOTE_HEADER = "creditbank/transfer-package/v1"
NONCE_BYTES = 16
SALT_BYTES = 16
MAX_OUTCOMES = 1_000
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
MAX_REASON = 500

JsonObject = dict[str, Any]


class TransferError(DomainError):
    """A package that cannot be made or accepted, or a decision that cannot be taken. Nothing
    was stored when it is raised."""


class ImportStatus(StrEnum):
    """Where an imported outcome stands at the receiving bank."""

    PENDING = "pending"
    RECOGNISED = "recognised"
    REFUSED = "refused"
    SOURCE_REVOKED = "source_revoked"


class Decision(StrEnum):
    """What B's accreditation officer decides on an imported outcome."""

    RECOGNISE = "recognise"
    REFUSE = "refuse"


IDENTITY_KDF = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
"""scrypt's cost for a package's identity hash: about 50 ms and 16 MiB each. An identity number
has little entropy (region, birth date, a sequence number: about 10^11 candidates), so a fast hash
of it with a known salt is undone in minutes; at this cost it takes a hundred CPU-years."""


def identity_hash(salt_hex: str, index_key: str) -> str:
    """``scrypt(identity index key, salt)`` in hex (:data:`IDENTITY_KDF`): the learner as a
    package names them.

    ``index_key`` is the identity number in its normal form (``type:number``), the same at
    every bank, so B computes the same hash from its own sealed copy of the learner's data."""
    return hashlib.scrypt(index_key.encode(), salt=bytes.fromhex(salt_hex), **IDENTITY_KDF).hex()


def canonical(package: Mapping[str, Any]) -> bytes:
    """The bytes A signs: the package's JSON with sorted keys and no spaces, without its
    ``signature`` member (both banks compute it the same way from the same JSON)."""
    unsigned = {key: value for key, value in package.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_text(package: Mapping[str, Any]) -> str:
    """The text of the signed note that signs ``package``."""
    return f"{SIGNED_NOTE_HEADER}\n{hashlib.sha256(canonical(package)).hexdigest()}\n"


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC to the second (``2026-12-07T09:00:00Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite hands times back without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_time(text: object) -> datetime | None:
    """A package's time, or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class PackagedOutcome:
    """One outcome of a package: its signed credential and its receipt."""

    credential: JsonObject
    receipt: JsonObject


@dataclass(frozen=True, slots=True)
class Package:
    """A transfer package, its shape checked (not yet its signature or content)."""

    source: str
    """A's log origin."""
    target: str
    """B's log origin."""
    nonce: str
    created: datetime
    expires: datetime
    learner_salt: str
    learner_hash: str
    checkpoint: str
    outcomes: tuple[PackagedOutcome, ...]
    signature: str
    raw: JsonObject


def _malformed(detail: str) -> TransferError:
    return TransferError(
        "invalid_transfer_package",
        msg("this is not a transfer package: {detail}", detail=detail),
    )


def _text(raw: Mapping[str, Any], key: str, *, hex_bytes: int | None = None) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise _malformed(f"{key} is missing")
    if hex_bytes is not None:
        try:
            ok = len(bytes.fromhex(value)) == hex_bytes
        except ValueError:
            ok = False
        if not ok:
            raise _malformed(f"{key} is not {hex_bytes} bytes in hex")
    return value


def read_package(raw: object) -> Package:
    """The package in ``raw`` (parsed JSON), its shape checked; ``invalid_transfer_package``
    names what is missing."""
    if not isinstance(raw, dict):
        raise _malformed("not a JSON object")
    if raw.get("type") != PACKAGE_TYPE or raw.get("version") != PACKAGE_VERSION:
        raise _malformed(f"type {PACKAGE_TYPE} version {PACKAGE_VERSION} expected")
    learner = raw.get("learner")
    if not isinstance(learner, dict):
        raise _malformed("learner is missing")
    created, expires = parse_time(raw.get("created")), parse_time(raw.get("expires"))
    if created is None or expires is None:
        raise _malformed("created and expires must be times")
    outcomes = raw.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes or len(outcomes) > MAX_OUTCOMES:
        raise _malformed(f"outcomes must list 1 to {MAX_OUTCOMES} outcomes")
    packaged: list[PackagedOutcome] = []
    for position, item in enumerate(outcomes, start=1):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("credential"), dict)
            and isinstance(item.get("receipt"), dict)
        ):
            raise _malformed(f"outcome {position} needs a credential and a receipt")
        packaged.append(PackagedOutcome(item["credential"], item["receipt"]))
    return Package(
        source=_text(raw, "from"),
        target=_text(raw, "to"),
        nonce=_text(raw, "nonce", hex_bytes=NONCE_BYTES),
        created=created,
        expires=expires,
        learner_salt=_text(learner, "salt", hex_bytes=SALT_BYTES),
        learner_hash=_text(learner, "hash", hex_bytes=32),
        checkpoint=_text(raw, "checkpoint"),
        outcomes=tuple(packaged),
        signature=_text(raw, "signature"),
        raw=raw,
    )


def read_json(data: bytes | str) -> object:
    """Parsed JSON of a package as sent; ``invalid_transfer_package`` if it is none."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise _malformed("larger than 50 MiB")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise _malformed(f"not JSON ({str(error)[:80]})") from error


def check_reason(reason: str) -> str:
    """A decision's reason, spaces tidied; ``invalid_recognition`` when too long."""
    tidy = " ".join(reason.split())
    if len(tidy) > MAX_REASON:
        raise TransferError(
            "invalid_recognition",
            msg("a reason has at most {count} characters", count=MAX_REASON),
        )
    return tidy
