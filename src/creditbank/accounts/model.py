"""Learners' identity documents and account numbers. A pure core.

- Resident identity numbers follow GB 11643-1999: 17 digits (region, birth
  date, sequence) and a check character computed with ISO 7064 MOD 11-2.
- A foreigner may use a passport number instead.
- Account numbers are public, stable, random (not guessable in sequence) and
  carry a Luhn check digit so that a mistyped number is caught.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from operator import mul

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RESIDENT = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
ACCOUNT_PREFIX = "CB"
_ACCOUNT = re.compile(r"^CB\d{12}$", re.ASCII)
# Luhn: every second digit from the right is doubled, and a two-digit result counts as its sum.
_LUHN_DOUBLED = {str(digit): sum(divmod(2 * digit, 10)) for digit in range(10)}


class AccountError(DomainError):
    """A learner or account request that cannot be accepted."""


class IdType(StrEnum):
    RESIDENT = "resident_id"
    PASSPORT = "passport"


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A validated identity document number, in canonical form (upper case, no spaces)."""

    type: IdType
    number: str

    @property
    def index_key(self) -> str:
        """What the HMAC lookup index is computed over."""
        return f"{self.type.value}:{self.number}"


def resident_check_character(first_17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    if len(first_17) != len(_WEIGHTS):
        message = "17 digits are needed"
        raise ValueError(message)
    return _CHECK[sum(map(mul, map(int, first_17), _WEIGHTS)) % 11]


def parse_id_number(text: str, id_type: IdType | None = None) -> IdNumber:
    """Validate an identity number; without a type, 18-character resident numbers are assumed
    when the text looks like one, and a passport number otherwise.

    Error messages never repeat the number itself (it is personal data).
    """
    number = "".join(text.split()).upper()
    resident = _RESIDENT.match(number) is not None
    if id_type is None:
        id_type = IdType.RESIDENT if resident else IdType.PASSPORT
    if id_type is IdType.RESIDENT:
        if not resident:
            raise AccountError(
                "invalid_id_number",
                msg("a resident identity number has 17 digits and a check digit or X"),
            )
        if resident_check_character(number[:17]) != number[17]:
            raise AccountError(
                "invalid_id_number", msg("the identity number's check digit is wrong")
            )
        try:
            born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError as error:
            raise AccountError(
                "invalid_id_number", msg("the identity number holds no valid date of birth")
            ) from error
        if born.year < 1900:  # noqa: PLR2004 - GB 11643 birth dates are in the 1900s or later
            raise AccountError(
                "invalid_id_number", msg("the identity number holds no valid date of birth")
            )
    elif not _PASSPORT.match(number):
        raise AccountError(
            "invalid_id_number", msg("a passport number has 5 to 20 letters and digits")
        )
    return IdNumber(id_type, number)


def birth_date_of(id_number: IdNumber) -> date | None:
    """The date of birth a resident identity number carries."""
    if id_number.type is not IdType.RESIDENT:
        return None
    n = id_number.number
    return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for ``digits``."""
    doubled = sum(map(_LUHN_DOUBLED.__getitem__, digits[-1::-2]))
    return str((10 - (doubled + sum(map(int, digits[-2::-2]))) % 10) % 10)


def new_account_number() -> str:
    """A fresh random account number: CB, 11 random digits, a Luhn check digit."""
    body = f"{secrets.randbelow(10**11):011d}"
    return f"{ACCOUNT_PREFIX}{body}{luhn_digit(body)}"


def check_account_number(text: str) -> str:
    number = text.strip().upper()
    if not _ACCOUNT.match(number) or luhn_digit(number[2:-1]) != number[-1]:
        raise AccountError(
            "invalid_account_number",
            msg("{number} is not an account number (CB and 12 digits)", number=repr(text)),
        )
    return number


# --- learning outcomes ---------------------------------------------------------


class LearningSetting(StrEnum):
    FORMAL = "formal"
    NON_FORMAL = "non-formal"
    INFORMAL = "informal"


class OutcomeStatus(StrEnum):
    """Where an outcome stands. Derived from its events; never stored on the outcome itself."""

    DEPOSITED = "deposited"
    VERIFIED = "verified"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


# An event's kind is the status it gives the outcome. When an outcome has several events, the
# first kind in this order that it has decides its status; with none, it is ``deposited``.
STATUS_PRECEDENCE = (OutcomeStatus.REVOKED, OutcomeStatus.SUPERSEDED, OutcomeStatus.VERIFIED)
EVENT_KINDS = frozenset(STATUS_PRECEDENCE)


def stands(status: OutcomeStatus) -> bool:
    """Whether an outcome in ``status`` still counts, its credits included: not revoked and not
    replaced by a correction (which counts in its place)."""
    return status in {OutcomeStatus.DEPOSITED, OutcomeStatus.VERIFIED}


MAX_REASON = 500


def derive_status(kinds: Iterable[OutcomeStatus]) -> OutcomeStatus:
    """The status an outcome with events of ``kinds`` has: revoked > superseded > verified."""
    present = set(kinds)
    return next((kind for kind in STATUS_PRECEDENCE if kind in present), OutcomeStatus.DEPOSITED)


# What each event needs the outcome's status to be: a verification finds it as deposited; a
# revocation or a correction finds it standing (deposited or verified). Nothing follows a
# revocation or a supersession: a revoked outcome stays revoked, and a superseded one is
# corrected again through the outcome that replaced it.
_ALLOWED_FROM = {
    OutcomeStatus.VERIFIED: frozenset({OutcomeStatus.DEPOSITED}),
    OutcomeStatus.REVOKED: frozenset({OutcomeStatus.DEPOSITED, OutcomeStatus.VERIFIED}),
    OutcomeStatus.SUPERSEDED: frozenset({OutcomeStatus.DEPOSITED, OutcomeStatus.VERIFIED}),
}


def check_event(outcome_id: str, current: OutcomeStatus, kind: OutcomeStatus) -> None:
    """Raise ``outcome_status_conflict`` (naming the current status) unless ``kind`` may follow."""
    if current in _ALLOWED_FROM[kind]:
        return
    messages = {
        OutcomeStatus.VERIFIED: msg(
            "outcome {id} is {status}; only a deposited outcome can be verified",
            id=outcome_id,
            status=current.value,
        ),
        OutcomeStatus.REVOKED: msg(
            "outcome {id} is {status} already; it cannot be revoked",
            id=outcome_id,
            status=current.value,
        ),
        OutcomeStatus.SUPERSEDED: msg(
            "outcome {id} is {status}; only a deposited or verified outcome can be corrected",
            id=outcome_id,
            status=current.value,
        ),
    }
    raise AccountError(
        "outcome_status_conflict", messages[kind], extensions={"outcome_status": current.value}
    )


def check_reason(reason: str, *, required: bool) -> str:
    """``reason`` with its spaces tidied, once it fits (1-500 characters when required)."""
    tidy = " ".join(reason.split())
    if (required and not tidy) or len(tidy) > MAX_REASON:
        raise AccountError(
            "invalid_reason",
            msg("give a reason of 1 to {count} characters", count=MAX_REASON)
            if required
            else msg("a reason has at most {count} characters", count=MAX_REASON),
        )
    return tidy


@dataclass(frozen=True, slots=True)
class Transfer:
    """What an outcome of transferred credit records: credits toward a programme, granted by a
    conversion under a rule version, from source outcomes. It is never the programme's
    qualification, certificate or course as if earned: the learner holds the credits, and what
    they count toward."""

    conversion: str
    """The public id of the conversion that granted it."""
    programme: str
    programme_name: str
    programme_name_en: str
    component: str | None
    """The programme component exempted; None for elective credits (of ``category``)."""
    component_name: str | None
    category: str
    rule: str
    rule_version: int
    sources: tuple[str, ...]
    """The public ids of the outcomes the credit was transferred from."""

    def as_json(self) -> dict[str, object]:
        """The stored (and logged) form."""
        return {
            "conversion": self.conversion,
            "programme": self.programme,
            "programme_name": self.programme_name,
            "programme_name_en": self.programme_name_en,
            "component": self.component,
            "component_name": self.component_name,
            "category": self.category,
            "rule": self.rule,
            "rule_version": self.rule_version,
            "sources": list(self.sources),
        }

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Transfer:
        """The transfer stored as :meth:`as_json`."""
        sources = data.get("sources")
        component = data.get("component")
        component_name = data.get("component_name")
        return cls(
            conversion=str(data["conversion"]),
            programme=str(data["programme"]),
            programme_name=str(data.get("programme_name", "")),
            programme_name_en=str(data.get("programme_name_en", "")),
            component=None if component is None else str(component),
            component_name=None if component_name is None else str(component_name),
            category=str(data.get("category", "")),
            rule=str(data["rule"]),
            rule_version=int(str(data["rule_version"])),
            sources=tuple(str(s) for s in sources) if isinstance(sources, list) else (),
        )

    def programme_label(self, language: str) -> str:
        """The programme's name in ``language`` (the Chinese name when it has no English one)."""
        name = self.programme_name_en if language == "en" and self.programme_name_en else ""
        return f"{name or self.programme_name} ({self.programme})"

    def describe(self, amount: Decimal | None, language: str = "zh") -> Message:
        """One sentence: how many credits toward what, under which rule, from which outcomes."""
        toward = self.programme_label(language)
        sources = ", ".join(self.sources)
        if self.component is not None:
            return msg(
                "{credits} credits transferred toward programme {programme}: component "
                "{component} exempted, under rule {rule} version {version}, from outcomes "
                "{sources}",
                credits=amount if amount is not None else "0",
                programme=toward,
                component=f"{self.component_name or self.component} ({self.component})",
                rule=self.rule,
                version=self.rule_version,
                sources=sources,
            )
        return msg(
            "{credits} elective credits (category {category}) transferred toward programme "
            "{programme}, under rule {rule} version {version}, from outcomes {sources}",
            credits=amount if amount is not None else "0",
            category=self.category,
            programme=toward,
            rule=self.rule,
            version=self.rule_version,
            sources=sources,
        )


def name_digest(name: str) -> bytes:
    """What two spellings of one person's name share: SHA-256 of the name after Unicode NFKC
    normalisation, case folding and collapsing white space (full-width letters and spaces,
    "LI Si" and "Li  Si" give the same). Compared in constant time, held only in memory."""
    folded = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return hashlib.sha256(folded.encode()).digest()


NAME_MISMATCH = msg(
    "an account cannot be opened for this identity number with this name; "
    "check both against the identity document, or ask the bank office"
)
"""Said when an identity number has an account under another name: nothing of the account."""


MAX_NAME = 200
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
EARLIEST_ASSESSMENT = date(1950, 1, 1)
MAX_SCORE = 100


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """What an institution states about one learning outcome, before the bank checks it."""

    record_id: str
    item_code: str
    level: str
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: LearningSetting
    evidence_sha256: str | None = None


CREDITS_STEP = Decimal("0.1")
SCORE_STEP = Decimal("0.01")


def normalised(facts: OutcomeFacts) -> OutcomeFacts:
    """``facts`` at the precision they are stored in (credits 0.1, scores 0.01)."""
    return replace(
        facts,
        credits=None if facts.credits is None else facts.credits.quantize(CREDITS_STEP),
        score=None if facts.score is None else facts.score.quantize(SCORE_STEP),
    )


def check_outcome(
    facts: OutcomeFacts, *, item_credits: Decimal | None, today: date
) -> list[tuple[str, Message]]:
    """Every problem with ``facts`` that needs no database, with the field it is about."""
    problems: list[tuple[str, Message]] = []
    if not RECORD_ID.match(facts.record_id):
        problems.append(
            (
                "record_id",
                msg(
                    "record_id must be 1-100 letters, digits or . _ : / - "
                    "(the institution's own id)"
                ),
            )
        )
    if facts.credits is not None:
        if facts.credits < 0:
            problems.append(("credits", msg("credits cannot be negative")))
        elif item_credits is not None and facts.credits > item_credits:
            problems.append(
                (
                    "credits",
                    msg(
                        "credits {credits} exceed the {available} the item carries",
                        credits=str(facts.credits),
                        available=str(item_credits),
                    ),
                )
            )
    if facts.score is not None and not 0 <= facts.score <= MAX_SCORE:
        problems.append(("score", msg("score must be between 0 and {max}", max=MAX_SCORE)))
    if facts.assessed_on > today:
        problems.append(
            (
                "assessed_on",
                msg("assessed_on {date} is in the future", date=facts.assessed_on.isoformat()),
            )
        )
    elif facts.assessed_on < EARLIEST_ASSESSMENT:
        problems.append(
            (
                "assessed_on",
                msg(
                    "assessed_on {date} is before {earliest}",
                    date=facts.assessed_on.isoformat(),
                    earliest=EARLIEST_ASSESSMENT.isoformat(),
                ),
            )
        )
    if facts.evidence_sha256 is not None and not SHA256_HEX.match(facts.evidence_sha256):
        problems.append(
            (
                "evidence_sha256",
                msg("evidence_sha256 must be 64 lower-case hexadecimal characters"),
            )
        )
    return problems


# --- rows of a bulk file ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row of a bulk file: where, and why (never the value itself)."""

    line: int
    column: str
    message: Message
