"""Alliances as this bank keeps them: what an alliance is, its agreement, and the checks on both.

Pure: the standard library, messages and errors only. An alliance is a set of credit banks
(their log origins) under one agreement: its code and names, the frameworks and item kinds it
covers, from and until when. This bank JOINING one is proposed by one bank administrator and
approved by another (four eyes, as a peer bank is), then logged (``alliance.joined``); leaving
takes one administrator with a reason, logged (``alliance.left``): it only ever makes the bank
promise less. An alliance left may be joined again (a new row, a new history).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

MAX_NAME = 200
MAX_REASON = 500
MAX_CODES = 100
MAX_MEMBERS = 200
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
ORIGIN = re.compile(r"^[^\s+,]{1,255}$")
"""A member bank's log origin (no whitespace, no ``+``; no comma: records join them)."""


class AllianceError(DomainError):
    """A request about the bank's alliances that cannot be accepted; nothing was changed."""


class AllianceStatus(StrEnum):
    """Where this bank stands in an alliance: proposed, joined, or left."""

    PROPOSED = "proposed"
    JOINED = "joined"
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class Scope:
    """What the alliance's agreement covers, from ``valid_from`` to ``valid_until`` (inclusive;
    open-ended when None)."""

    frameworks: tuple[str, ...]
    item_kinds: tuple[str, ...]
    valid_from: date
    valid_until: date | None = None

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True, slots=True)
class AllianceEvent:
    """One step: proposed, joined or left; by whom, when, why."""

    kind: AllianceStatus
    actor: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Alliance:
    """An alliance as this bank holds it, with its history."""

    id: int
    code: str
    name: str
    name_en: str
    members: tuple[str, ...]
    """The other member banks' log origins (this bank is a member once joined)."""
    scope: Scope
    status: AllianceStatus
    version: int
    events: tuple[AllianceEvent, ...] = ()


def _codes(values: Iterable[str], what: Message, problems: list[Message]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(found) > MAX_CODES:
        problems.append(msg("at most {count} codes in a list", count=MAX_CODES))
    problems.extend(
        msg("{what} {code} must be 1-64 letters, digits, '_', '.' or '-'", what=what, code=repr(v))
        for v in found
        if not CODE.match(v)
    )
    return found


def check_alliance(
    *,
    code: str,
    name: str,
    name_en: str,
    members: Iterable[str],
    frameworks: Iterable[str],
    item_kinds: Iterable[str],
    valid_from: date,
    valid_until: date | None,
    known_item_kinds: Iterable[str],
    own_origin: str,
) -> tuple[str, str, str, tuple[str, ...], Scope]:
    """The alliance's code, names, members and scope as stored, or an ``invalid_alliance``
    error listing every problem."""
    problems: list[Message] = []
    code = code.strip()
    if not CODE.match(code):
        problems.append(msg("the alliance's code must be 1-64 letters, digits, '_', '.' or '-'"))
    name, name_en = name.strip(), name_en.strip()
    if not name or len(name) > MAX_NAME or len(name_en) > MAX_NAME:
        problems.append(msg("give the alliance's name (at most {n} characters)", n=MAX_NAME))
    origins = tuple(dict.fromkeys(m.strip() for m in members if m.strip()))
    if not origins:
        problems.append(msg("name the other member banks (their log origins)"))
    if len(origins) > MAX_MEMBERS:
        problems.append(msg("at most {count} member banks", count=MAX_MEMBERS))
    problems.extend(
        msg("member {origin} must be a log origin (no spaces, '+' or ',')", origin=repr(o))
        for o in origins
        if not ORIGIN.match(o)
    )
    if own_origin in origins:
        problems.append(msg("this bank is a member by joining: do not name it among the others"))
    scope = Scope(
        frameworks=_codes(frameworks, msg("framework code"), problems),
        item_kinds=_codes(item_kinds, msg("item kind"), problems),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if not scope.frameworks and not scope.item_kinds:
        problems.append(msg("the agreement must cover some frameworks or item kinds"))
    known = set(known_item_kinds)
    problems.extend(
        msg("{kind} is not a kind of catalogue item", kind=repr(kind))
        for kind in scope.item_kinds
        if kind not in known
    )
    if valid_until is not None and valid_until < valid_from:
        problems.append(msg("the agreement ends before it begins"))
    if problems:
        raise AllianceError("invalid_alliance", msg("the alliance cannot be joined"), problems)
    return code, name, name_en, origins, scope


def joined(codes: Iterable[str]) -> str:
    """Codes or origins as one text (for a flat log record and a column): comma-separated."""
    return ",".join(codes)


def split(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split(",") if code)
