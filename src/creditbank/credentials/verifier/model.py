"""What the verifier answers and asks: checks, results, verdicts, the resolver it asks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from creditbank.messages import Message

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
OTHER_OB_FAMILY = {"ClrCredential", "EndorsementCredential"}
KNOWN_SCHEMES = {"did", "https", "http", "urn"}

JsonObject = dict[str, Any]


class Check(StrEnum):
    SYNTAX = "syntax"
    SCHEMA = "schema"
    ISSUER_KEY = "issuer_key"
    SIGNATURE = "signature"
    VALIDITY = "validity"
    STATUS = "status"
    LEDGER = "ledger"


class Result(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not applicable, or not possible offline (e.g. another issuer's status list)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    result: Result
    code: str
    """A stable word for the reason (``expired``, ``revoked``, ``unknown_did_method`` …)."""
    message: Message


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A public key as the bank's register (or a ``did:key``) knows it."""

    public_key: bytes
    controller: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    compromised_from: datetime | None = None
    registered: bool = False
    """True for a key in the bank's register (validity and compromise are known)."""
    bound: bool = True
    """False for a key read from a URL's fragment: it shows the document is intact, but
    nothing offline ties it to the issuer."""


class Resolver(Protocol):
    """What the verifier needs from the bank (or nothing, offline)."""

    def key(self, verification_method: str) -> KeyRecord | None:
        """The key of a method the bank knows (its own ``did:web`` ids), else None."""

    def status_list(self, url: str) -> JsonObject | None:
        """A status list credential the bank serves at ``url``, else None."""

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:
        """Whether the bank's log holds that leaf for that record; None if not the bank's."""


@dataclass(frozen=True, slots=True)
class LogProof:
    """What a self-contained receipt is checked against: the inclusion proof beside the
    credential (``receipt``), the checkpoint it proves against (with cosignatures), the log's
    verifier key, the trusted witnesses' keys and how many of them must have cosigned."""

    receipt: JsonObject
    checkpoint: str
    log_key: str
    witness_keys: tuple[str, ...]
    k: int


@runtime_checkable
class LogProofs(Protocol):
    """A resolver that can also prove a leaf of a log it knows (the bank's own)."""

    def log_proof(self, origin: str, leaf_index: int) -> LogProof | None:
        """The proof of leaf ``leaf_index`` of log ``origin``; None if the log is not known."""


class Offline:
    """A resolver that knows nothing: ``did:key`` only, no status lists, no log."""

    def key(self, verification_method: str) -> KeyRecord | None:  # noqa: ARG002
        return None

    def status_list(self, url: str) -> JsonObject | None:  # noqa: ARG002
        return None

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:  # noqa: ARG002
        return None


@dataclass(slots=True)
class Verdict:
    """The answer: verified or not, with every check and (for a CLR) every credential inside."""

    verified: bool
    format: str
    checks: list[CheckResult]
    credential: JsonObject | None = None
    parts: list[Verdict] = field(default_factory=list)

    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.result is Result.FAILED]

    def result_of(self, check: Check) -> CheckResult | None:
        return next((c for c in self.checks if c.check is check), None)


class Checks:
    def __init__(self) -> None:
        self.results: list[CheckResult] = []

    def add(self, check: Check, result: Result, code: str, message: Message) -> None:
        self.results.append(CheckResult(check, result, code, message))

    def passed(self, check: Check, message: Message, code: str = "ok") -> None:
        self.add(check, Result.PASSED, code, message)

    def failed(self, check: Check, code: str, message: Message) -> None:
        self.add(check, Result.FAILED, code, message)

    def skipped(self, check: Check, code: str, message: Message) -> None:
        self.add(check, Result.SKIPPED, code, message)

    def failed_any(self) -> bool:
        return any(r.result is Result.FAILED for r in self.results)


def types_of(value: object) -> list[str]:
    """A ``type`` value (one name or a list) as a list of names."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The issuer's id (the issuer may be a string or an object with an ``id``)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None
