"""Peer banks as the bank trusts them: what a peer is, its agreement, and the checks on both.

Pure: the standard library, messages and errors only. A peer is another credit bank whose log
this bank follows: its log's origin and verifier key (C2SP signed-note form), its DID, its
public URL (where its log's proofs are read), its witness (URL and cosignature verifier key)
and the agreement: which frameworks, item kinds and institutions this bank recognises from
it, from and until when. A peer is proposed by one bank administrator and approved by another
(four eyes); removed by one (see :mod:`creditbank.peers.trust` for why).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg


class PeerError(DomainError):
    """A request about peer banks that cannot be accepted; nothing was changed."""


class PeerStatus(StrEnum):
    """Where a peer stands: proposed by one administrator, approved by another, or removed."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REMOVED = "removed"


MAX_ORIGIN = 255
MAX_KEY = 400
MAX_URL = 500
MAX_REASON = 500
MAX_CODES = 100
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""A framework, item kind or institution code in an agreement (no commas: records join them)."""
DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")
URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
ORIGIN = re.compile(r"^[^\s+]{1,255}$")
"""A log origin, as a signed-note key name may be: no whitespace and no ``+``."""


@dataclass(frozen=True, slots=True)
class Agreement:
    """What this bank recognises from a peer: frameworks, item kinds, institutions (each empty
    tuple meaning none), in force from ``valid_from`` to ``valid_until`` (inclusive; open-ended
    when None)."""

    frameworks: tuple[str, ...]
    item_kinds: tuple[str, ...]
    institutions: tuple[str, ...]
    valid_from: date
    valid_until: date | None = None

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def recognises(self, *, framework: str, item_kind: str, institution: str) -> bool:
        """Whether an outcome of ``institution``'s item of ``item_kind``, at a level of
        ``framework``, falls under the agreement."""
        return (
            framework in self.frameworks
            and item_kind in self.item_kinds
            and institution in self.institutions
        )


@dataclass(frozen=True, slots=True)
class TrustedPeer:
    """A peer bank as another area reads it (``peers.api.trusted_peer``)."""

    id: int
    origin: str
    log_key: str
    did: str
    url: str
    witness_url: str
    witness_key: str
    agreement: Agreement
    status: PeerStatus


@dataclass(frozen=True, slots=True)
class PeerEvent:
    """One step of a peer's four eyes: proposed, approved or removed; by whom, when, why."""

    kind: PeerStatus
    actor: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer bank with its history, its latest checkpoint seen and the forks found."""

    peer: TrustedPeer
    proposed_by: str
    events: tuple[PeerEvent, ...] = ()
    latest_size: int | None = None
    checkpoints_seen: int = 0
    forks: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class AcceptedCheckpoint:
    """A peer's checkpoint this bank accepted: its origin, tree size and root hash, and the
    note as received (the log's signature and the witnesses' cosignatures)."""

    origin: str
    size: int
    root_hash: bytes
    note: str
    cosignatures: int


@dataclass(frozen=True, slots=True)
class ForkEvidence:
    """Two checkpoints of one peer's log that cannot both be true: ``seen`` (kept before) and
    ``new`` (refused), with what was wrong."""

    origin: str
    seen: str
    new: str
    reason: str


@dataclass(frozen=True, slots=True)
class Fork:
    """Fork evidence as kept: its id and when it was found."""

    id: int
    evidence: ForkEvidence
    found_at: datetime


_TOO_MANY: dict[str, Message] = {
    "framework": msg("at most {count} framework codes", count=MAX_CODES),
    "item kind": msg("at most {count} item kinds", count=MAX_CODES),
    "institution": msg("at most {count} institution codes", count=MAX_CODES),
}
_BAD_CODE: dict[str, Message] = {
    "framework": msg("framework code {code} must be 1-64 letters, digits, '_', '.' or '-'"),
    "item kind": msg("item kind {code} must be 1-64 letters, digits, '_', '.' or '-'"),
    "institution": msg("institution code {code} must be 1-64 letters, digits, '_', '.' or '-'"),
}


def _codes(what: str, values: Iterable[str], problems: list[Message]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(value.strip() for value in values if value.strip()))
    if len(found) > MAX_CODES:
        problems.append(_TOO_MANY[what])
    problems.extend(
        Message(_BAD_CODE[what].template, {"code": repr(value)})
        for value in found
        if not CODE.match(value)
    )
    return found


def check_agreement(
    *,
    frameworks: Iterable[str],
    item_kinds: Iterable[str],
    institutions: Iterable[str],
    valid_from: date,
    valid_until: date | None,
    known_item_kinds: Iterable[str],
) -> Agreement:
    """The agreement, or a ``invalid_peer`` error listing every problem."""
    problems: list[Message] = []
    agreement = Agreement(
        frameworks=_codes("framework", frameworks, problems),
        item_kinds=_codes("item kind", item_kinds, problems),
        institutions=tuple(code.upper() for code in _codes("institution", institutions, problems)),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    known = set(known_item_kinds)
    problems.extend(
        msg("{kind} is not a kind of catalogue item", kind=repr(kind))
        for kind in agreement.item_kinds
        if kind not in known
    )
    if valid_until is not None and valid_until < valid_from:
        problems.append(msg("the agreement ends before it begins"))
    if problems:
        raise PeerError(
            "invalid_peer",
            msg("the peer's agreement is not valid"),
            problems,
        )
    return agreement


def check_peer_fields(
    *, origin: str, did: str, url: str, witness_url: str, own_origin: str
) -> list[Message]:
    """The problems with a peer's names and addresses (the keys are checked by the caller, who
    can read them)."""
    problems: list[Message] = []
    if not ORIGIN.match(origin):
        problems.append(
            msg("the origin must be 1-255 characters without spaces or '+', e.g. bank.example/log")
        )
    elif origin == own_origin:
        problems.append(msg("a bank cannot be its own peer"))
    if len(did) > MAX_ORIGIN or not DID.match(did):
        problems.append(msg("the DID must look like did:web:bank.example"))
    if len(url) > MAX_URL or not URL.match(url):
        problems.append(msg("the URL must be an http(s) URL, e.g. https://bank.example"))
    if len(witness_url) > MAX_URL or not URL.match(witness_url):
        problems.append(
            msg("the witness URL must be an http(s) URL, e.g. https://bank.example/witness")
        )
    return problems


def joined(codes: Iterable[str]) -> str:
    """Codes as one text (for a flat log record and a column): comma-separated."""
    return ",".join(codes)


def split(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split(",") if code)
