"""The national platform's rules: what a reference and a batch of references are, how a batch
is signed, and what is asked of the figures (small counts are suppressed by
``creditbank.suppression``). Pure: the standard library, messages, errors.

A regional bank (a trusted peer) or a pilot school (registered at the national bank with a
signing key) sends a *batch*: JSON naming its sender (a log origin), the time it was made and
its references, signed as a C2SP signed note over the digest of the batch (its canonical JSON
without the ``signature`` member). A *reference* names one outcome without holding it: the log
(``origin``) and the leaf (index and hash) that commit to it, the item (owner, code, kind), the
level (framework, version, code), the credits and the year it was assessed. Nothing personal:
no learner, no account, no record id.

A batch is refused whole when anything in it is bad; :func:`read_batch` names every bad
reference by its position (``reference 3: ...``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

BATCH_FORMAT = "creditbank-national-batch/1"
"""The ``format`` member of a batch."""
SIGNED_NOTE_HEADER = "creditbank national batch v1"
"""The first line of the signed note that signs a batch."""
MAX_REFERENCES = 5000
"""The most references one batch may hold (a regional bank sends the rest in the next)."""
MAX_PROBLEMS = 50
"""The most bad references a refusal names one by one (then how many more)."""
MAX_CREDITS = Decimal(1000)
FIRST_YEAR = 1949
LAST_YEAR = 2100
HASH_SIZE = 32
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
"""An institution, item, framework or level code (as the catalogue and frameworks hold them)."""
ORIGIN = re.compile(r"^[^\s+]{1,255}$")
"""A log origin, as a signed-note key name may be: no whitespace, no ``+``."""
ITEM_KINDS = frozenset(
    {
        "qualification",
        "course",
        "x_certificate",
        "vocational_qualification",
        "training_certificate",
        "achievement",
        "accreditation_unit",
        "transferred_credit",
    }
)
"""The catalogue's item kinds (``catalog.model.ItemKind``; a test keeps the two the same)."""


class NationalError(DomainError):
    """A request to the national platform that cannot be accepted; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One outcome as the national platform knows it: where it is committed and what it is."""

    origin: str
    leaf_index: int
    leaf_hash: str
    """Base64 of the 32-byte leaf hash."""
    item_owner: str
    item_code: str
    item_kind: str
    level_framework: str
    level_version: int
    level_code: str
    credits: Decimal | None
    year: int

    def as_json(self) -> dict[str, object]:
        """The reference as a batch holds it."""
        return {
            "origin": self.origin,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash,
            "item": {"owner": self.item_owner, "code": self.item_code, "kind": self.item_kind},
            "level": {
                "framework": self.level_framework,
                "version": self.level_version,
                "code": self.level_code,
            },
            "credits": None if self.credits is None else str(self.credits),
            "year": self.year,
        }


WITHDRAWAL_EVENTS = frozenset({"revoked", "superseded"})


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An outcome referred to before that no longer counts: its deposit's leaf (``origin`` +
    ``leaf_hash``), why (``revoked`` or ``superseded``) and the leaf of that event."""

    origin: str
    leaf_hash: str
    event: str
    event_leaf_index: int
    event_leaf_hash: str

    def as_json(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "leaf_hash": self.leaf_hash,
            "event": self.event,
            "event_leaf_index": self.event_leaf_index,
            "event_leaf_hash": self.event_leaf_hash,
        }


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch as read: its sender, when it was made, its references and its signature."""

    sender: str
    sent_at: str
    references: tuple[Reference, ...]
    signature: str
    digest: str
    """Hex SHA-256 of the batch's canonical JSON (what the signature signs)."""


def canonical(batch: Mapping[str, Any]) -> bytes:
    """The bytes a sender signs: the batch's JSON with sorted keys and no spaces, without its
    ``signature`` member (sender and national bank compute it the same way)."""
    unsigned = {key: value for key, value in batch.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(batch: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(batch)).hexdigest()


def signed_text(batch: Mapping[str, Any]) -> str:
    """The text of the signed note that signs ``batch``."""
    return f"{SIGNED_NOTE_HEADER}\n{digest_of(batch)}\n"


def make_batch(
    *,
    sender: str,
    sent_at: str,
    references: Sequence[Reference],
    withdrawals: Sequence[Withdrawal] = (),
) -> dict[str, Any]:
    """An unsigned batch (the caller adds ``signature``: a signed note of :func:`signed_text`)."""
    return {
        "format": BATCH_FORMAT,
        "sender": sender,
        "sent_at": sent_at,
        "references": [reference.as_json() for reference in references],
        "withdrawals": [withdrawal.as_json() for withdrawal in withdrawals],
    }


def _code(value: object, name: str, problems: list[Message]) -> str:
    if isinstance(value, str) and CODE.match(value):
        return value
    problems.append(msg("{name} must be a code (letters, digits, '.', '-', '_')", name=name))
    return ""


def _leaf_hash(value: object, problems: list[Message]) -> str:
    if isinstance(value, str):
        try:
            if len(base64.b64decode(value, validate=True)) == HASH_SIZE:
                return value
        except (binascii.Error, ValueError):
            pass
    problems.append(msg("leaf_hash must be the base64 of a 32-byte hash"))
    return ""


def _whole(value: object, name: str, low: int, high: int, problems: list[Message]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    problems.append(
        msg("{name} must be a whole number from {low} to {high}", name=name, low=low, high=high)
    )
    return low


def _credits(value: object, problems: list[Message]) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not Decimal(0) <= amount <= MAX_CREDITS:
        problems.append(
            msg("credits must be null or a decimal text from 0 to {most}", most=MAX_CREDITS)
        )
        return None
    if amount.as_tuple().exponent < -1:  # type: ignore[operator]
        problems.append(msg("credits must have at most one decimal place"))
        return None
    return amount.quantize(Decimal("0.1"))


def read_reference(raw: object, *, sender: str) -> tuple[Reference | None, list[Message]]:
    """One reference of a batch from ``sender``, or the problems found in it (all of them)."""
    problems: list[Message] = []
    if not isinstance(raw, Mapping):
        return None, [msg("a reference must be an object")]
    known = {"origin", "leaf_index", "leaf_hash", "item", "level", "credits", "year"}
    unknown = sorted(set(raw) - known)
    if unknown:
        problems.append(msg("unknown members: {names}", names=", ".join(map(str, unknown))))
    origin = raw.get("origin")
    if origin != sender:
        problems.append(
            msg("its origin must be the sender's log, {sender}", sender=sender)
            if isinstance(origin, str)
            else msg("origin must be text")
        )
    leaf_index = _whole(raw.get("leaf_index"), "leaf_index", 0, 2**53 - 1, problems)
    leaf_hash = _leaf_hash(raw.get("leaf_hash"), problems)
    item = raw.get("item")
    level = raw.get("level")
    if not isinstance(item, Mapping):
        problems.append(msg("item must be an object with owner, code and kind"))
        item = {}
    if not isinstance(level, Mapping):
        problems.append(msg("level must be an object with framework, version and code"))
        level = {}
    owner = _code(item.get("owner"), "item.owner", problems)
    code = _code(item.get("code"), "item.code", problems)
    kind = item.get("kind")
    if kind not in ITEM_KINDS:
        problems.append(
            msg("item.kind must be one of {kinds}", kinds=", ".join(sorted(ITEM_KINDS)))
        )
    framework = _code(level.get("framework"), "level.framework", problems)
    version = _whole(level.get("version"), "level.version", 1, 1_000_000, problems)
    level_code = _code(level.get("code"), "level.code", problems)
    amount = _credits(raw.get("credits"), problems)
    year = _whole(raw.get("year"), "year", FIRST_YEAR, LAST_YEAR, problems)
    if problems:
        return None, problems
    return (
        Reference(
            origin=sender,
            leaf_index=leaf_index,
            leaf_hash=leaf_hash,
            item_owner=owner,
            item_code=code,
            item_kind=str(kind),
            level_framework=framework,
            level_version=version,
            level_code=level_code,
            credits=amount,
            year=year,
        ),
        [],
    )


def _refused(problems: Sequence[Message]) -> NationalError:
    return NationalError(
        "invalid_batch", msg("the batch is refused, nothing of it is kept"), problems
    )


def parse_batch(body: bytes) -> Mapping[str, Any]:
    """The batch's JSON object, or a refusal naming what is wrong with its shape."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        raise _refused([msg("the batch must be a JSON object")]) from None
    if not isinstance(document, dict):
        raise _refused([msg("the batch must be a JSON object")])
    problems: list[Message] = []
    if document.get("format") != BATCH_FORMAT:
        problems.append(msg("format must be {format}", format=BATCH_FORMAT))
    sender = document.get("sender")
    if not isinstance(sender, str) or not ORIGIN.match(sender):
        problems.append(msg("sender must be the sender's log origin"))
    if not isinstance(document.get("sent_at"), str) or len(document["sent_at"]) > 40:  # noqa: PLR2004
        problems.append(msg("sent_at must be the time the batch was made (RFC 3339)"))
    if not isinstance(document.get("signature"), str) or not document["signature"]:
        problems.append(msg("signature must be a signed note over the batch's digest"))
    references = document.get("references")
    withdrawals = document.get("withdrawals", [])
    if not isinstance(references, list) or not isinstance(withdrawals, list):
        problems.append(msg("references and withdrawals must be lists"))
    elif not references and not withdrawals:
        problems.append(msg("a batch must hold references or withdrawals"))
    elif len(references) + len(withdrawals) > MAX_REFERENCES:
        problems.append(
            msg(
                "a batch holds at most {most} references, not {count}",
                most=MAX_REFERENCES,
                count=len(references) + len(withdrawals),
            )
        )
    if problems:
        raise _refused(problems)
    return document


def read_references(document: Mapping[str, Any]) -> tuple[Reference, ...]:
    """Every reference of a (well-shaped, authenticated) batch, or a refusal naming each bad
    one by its position (from 1) and each leaf given twice."""
    sender = str(document["sender"])
    problems: list[Message] = []
    bad = 0
    found: list[Reference] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(document.get("references", []), start=1):
        reference, wrong = read_reference(raw, sender=sender)
        if reference is not None and reference.leaf_hash in seen:
            wrong = [msg("the same leaf as reference {first}", first=seen[reference.leaf_hash])]
        if wrong:
            bad += 1
            if bad <= MAX_PROBLEMS:
                problems.extend(
                    msg("reference {position}: {problem}", position=position, problem=p)
                    for p in wrong
                )
            continue
        assert reference is not None  # noqa: S101 - no problems: read
        seen[reference.leaf_hash] = position
        found.append(reference)
    if bad > MAX_PROBLEMS:
        problems.append(msg("and {count} more bad references", count=bad - MAX_PROBLEMS))
    if problems:
        raise _refused(problems)
    return tuple(found)


def read_withdrawal(raw: object, *, sender: str) -> tuple[Withdrawal | None, list[Message]]:
    """One withdrawal of a batch from ``sender``, or the problems found in it."""
    if not isinstance(raw, Mapping):
        return None, [msg("a withdrawal must be an object")]
    problems: list[Message] = []
    unknown = sorted(
        set(raw) - {"origin", "leaf_hash", "event", "event_leaf_index", "event_leaf_hash"}
    )
    if unknown:
        problems.append(msg("unknown members: {names}", names=", ".join(map(str, unknown))))
    if raw.get("origin") != sender:
        problems.append(msg("its origin must be the sender's log, {sender}", sender=sender))
    leaf_hash = _leaf_hash(raw.get("leaf_hash"), problems)
    event = raw.get("event")
    if event not in WITHDRAWAL_EVENTS:
        problems.append(msg("event must be revoked or superseded"))
    index = _whole(raw.get("event_leaf_index"), "event_leaf_index", 0, 2**53 - 1, problems)
    event_hash = _leaf_hash(raw.get("event_leaf_hash"), problems)
    if problems:
        return None, problems
    return Withdrawal(sender, leaf_hash, str(event), index, event_hash), []


def read_withdrawals(document: Mapping[str, Any]) -> tuple[Withdrawal, ...]:
    """Every withdrawal of a (well-shaped, authenticated) batch, or a refusal naming each bad
    one by its position (from 1)."""
    sender = str(document["sender"])
    problems: list[Message] = []
    found: list[Withdrawal] = []
    for position, raw in enumerate(document.get("withdrawals", []), start=1):
        withdrawal, wrong = read_withdrawal(raw, sender=sender)
        problems.extend(
            msg("withdrawal {position}: {problem}", position=position, problem=p) for p in wrong
        )
        if withdrawal is not None:
            found.append(withdrawal)
    if problems:
        raise _refused(problems[:MAX_PROBLEMS])
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Question:
    """What is asked of the figures: each filter None when not asked."""

    item_kind: str | None = None
    item_owner: str | None = None
    item_code: str | None = None
    level_framework: str | None = None
    level_version: int | None = None
    level_code: str | None = None
    year: int | None = None
    bank: str | None = None


def ask(
    *,
    kind: str | None = None,
    item: str | None = None,
    level: str | None = None,
    year: int | None = None,
    bank: str | None = None,
) -> Question:
    """A :class:`Question` from the query's text: ``item`` = ``OWNER/CODE``, ``level`` =
    ``FRAMEWORK:CODE`` or ``FRAMEWORK@VERSION:CODE``; a refusal names each bad filter."""
    problems: list[Message] = []
    owner = code = framework = level_code = None
    version: int | None = None
    if kind is not None and kind not in ITEM_KINDS:
        problems.append(msg("kind must be one of {kinds}", kinds=", ".join(sorted(ITEM_KINDS))))
    if item is not None:
        owner, slash, code = item.partition("/")
        if not slash or not CODE.match(owner) or not CODE.match(code):
            problems.append(msg("item must be OWNER/CODE, e.g. SHOU/SH-101"))
    if level is not None:
        left, colon, level_code = level.partition(":")
        framework, at, version_text = left.partition("@")
        if at:
            version = int(version_text) if version_text.isdigit() else None
        if (
            not colon
            or not CODE.match(framework)
            or not CODE.match(level_code)
            or (at and version is None)
        ):
            problems.append(msg("level must be FRAMEWORK:CODE or FRAMEWORK@VERSION:CODE"))
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(msg("year must be from {low} to {high}", low=FIRST_YEAR, high=LAST_YEAR))
    if bank is not None and not ORIGIN.match(bank):
        problems.append(msg("bank must be a log origin"))
    if problems:
        raise NationalError("invalid_question", msg("the question cannot be answered"), problems)
    return Question(
        item_kind=kind,
        item_owner=owner or None,
        item_code=code or None,
        level_framework=framework or None,
        level_version=version,
        level_code=level_code or None,
        year=year,
        bank=bank,
    )
