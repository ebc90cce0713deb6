"""What a credential states of the record its receipt commits to, read from the credential.

Pure. :data:`STATED` names the fields of a v2 ``outcome.deposited`` record that a verifier
takes from the credential itself (never from the receipt), and how each is read: the issuing
institution from the issuer's URL, the item from the achievement's id and ``humanCode``, the
level from the alignment the achievement is awarded at, the credits, the score, the day it
was assessed, and the learner (the identity hash the record names them by). A credential that
cannot state them names why (:class:`ReceiptError`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from creditbank.credentials import documents
from creditbank.ledger.model import RecordValue
from creditbank.messages import Message, msg

SCORE = "#score"
BAD_SALT = msg("its salt must be 32 lower-case hexadecimal digits")
_ONE_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9])?")
_DAY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T00:00:00Z")


class ReceiptError(ValueError):
    """A receipt that cannot be read, or a credential that contradicts it; says why."""

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def malformed(detail: Message) -> ReceiptError:
    return ReceiptError(
        "malformed_receipt",
        msg("the credential's ledger receipt is malformed: {detail}", detail=detail),
    )


def subject_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        raise mismatch(msg("the credential has no subject"))
    return subject


def achievement_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    achievement = subject_of(credential).get("achievement")
    if not isinstance(achievement, dict):
        raise mismatch(msg("the credential names no achievement"))
    return achievement


def mismatch(detail: Message) -> ReceiptError:
    return ReceiptError(
        "credential_mismatch",
        msg("the credential cannot be the record the bank committed to: {detail}", detail=detail),
    )


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise mismatch(msg("its {field} is not text", field=what))
    return value


def _item(credential: Mapping[str, Any]) -> tuple[str, str]:
    """(owner, code) from the achievement's id ``{base}/catalog/{owner}/{code}``."""
    achievement = achievement_of(credential)
    path = urlsplit(_text(achievement.get("id"), "achievement.id")).path.split("/")
    if len(path) < 3 or path[-3] != "catalog":  # noqa: PLR2004 - catalog, owner, code
        raise mismatch(msg("its achievement id is not a catalogue item's URL"))
    owner, code = path[-2], path[-1]
    if achievement.get("humanCode") != code:
        raise mismatch(msg("its achievement's humanCode is not the code its id names"))
    return owner, code


def _level(credential: Mapping[str, Any]) -> tuple[str, str, str]:
    """(framework, version, level code) of the level the achievement is awarded at."""
    levels = [
        alignment
        for alignment in achievement_of(credential).get("alignment") or []
        if isinstance(alignment, dict) and alignment.get("targetType") == documents.FRAMEWORK_LEVEL
    ]
    if len(levels) != 1:
        raise mismatch(msg("it must name exactly one level it is awarded at"))
    (level,) = levels
    url = urlsplit(_text(level.get("targetUrl"), "alignment.targetUrl"))
    path = url.path.split("/")
    versions = parse_qs(url.query).get("version", [])
    code = _text(level.get("targetCode"), "alignment.targetCode")
    if len(path) < 2 or path[-2] != "frameworks" or len(versions) != 1:  # noqa: PLR2004
        raise mismatch(msg("its level's URL is not a framework version's"))
    if url.fragment != f"level-{code}":
        raise mismatch(msg("its level's URL names another level than its code"))
    return path[-1], versions[0], code


def _number_text(value: object) -> str:
    """A JSON number as the record's text of one decimal (``3`` is ``3.0``); anything else is
    kept as text that no record holds, so that it mismatches."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return json.dumps(value)
    text = repr(value)
    found = _ONE_DECIMAL.fullmatch(text)
    if found is None:
        return text
    return text if found.group(2) else text + ".0"


def _credits(credential: Mapping[str, Any]) -> RecordValue:
    subject = subject_of(credential)
    return None if "creditsEarned" not in subject else _number_text(subject["creditsEarned"])


def _score(credential: Mapping[str, Any]) -> RecordValue:
    scores = [
        result.get("value")
        for result in subject_of(credential).get("result") or []
        if isinstance(result, dict) and str(result.get("resultDescription", "")).endswith(SCORE)
    ]
    if not scores:
        return None
    if len(scores) > 1:
        raise mismatch(msg("it states more than one score"))
    return _text(scores[0], "result.value")


def _assessed_on(credential: Mapping[str, Any]) -> RecordValue:
    awarded = _DAY.fullmatch(str(credential.get("awardedDate", "")))
    ended = _DAY.fullmatch(str(subject_of(credential).get("activityEndDate", "")))
    if awarded is None or ended is None or awarded.group(1) != ended.group(1):
        raise mismatch(msg("its awardedDate and activityEndDate must be the same day at 00:00Z"))
    return awarded.group(1)


def institution_of(credential: Mapping[str, Any]) -> RecordValue:
    issuer = credential.get("issuer")
    url = issuer.get("url") if isinstance(issuer, dict) else None
    path = urlsplit(_text(url, "issuer.url")).path.split("/")
    if len(path) < 2 or path[-2] != "institutions" or not path[-1]:  # noqa: PLR2004
        raise mismatch(msg("its issuer's URL is not an institution's"))
    return path[-1]


def identity_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    found = [
        item
        for item in subject_of(credential).get("identifier") or []
        if isinstance(item, dict) and item.get("type") == "IdentityObject"
    ]
    if len(found) != 1 or found[0].get("hashed") is not True:
        raise mismatch(msg("it must name its learner by exactly one hashed identity"))
    return found[0]


def _framework_version(credential: Mapping[str, Any]) -> RecordValue:
    version = _level(credential)[1]
    if not version.isascii() or not version.isdigit() or version != str(int(version)):
        raise mismatch(msg("its level's framework version is not a whole number"))
    return int(version)


def learner_of(credential: Mapping[str, Any]) -> str:
    """The learner's identity hash the credential states (the account number's, salted with the
    outcome's public id: the record's ``learner``)."""
    return _text(identity_of(credential).get("identityHash"), "identifier.identityHash")


def transfer_sources_of(credential: Mapping[str, Any]) -> str | None:
    """The public ids of the outcomes transferred credit came from, as the credential's
    ``TransferSource`` evidence names them (``.../records/{id}/receipt``), space-separated;
    None when it names none."""
    found = []
    for item in credential.get("evidence") or []:
        if isinstance(item, dict) and item.get("genre") == documents.TRANSFER_SOURCE_GENRE:
            path = urlsplit(str(item.get("id", ""))).path.split("/")
            found.append(path[-2] if len(path) >= 2 else "")  # noqa: PLR2004 - id, "receipt"
    return " ".join(found) if found else None


Stated = Callable[[Mapping[str, Any]], RecordValue]

STATED: dict[str, Stated] = {
    "institution": institution_of,
    "item_owner": lambda credential: _item(credential)[0],
    "item_code": lambda credential: _item(credential)[1],
    "level_framework": lambda credential: _level(credential)[0],
    "level_framework_version": _framework_version,
    "level_code": lambda credential: _level(credential)[2],
    "credits": _credits,
    "score": _score,
    "assessed_on": _assessed_on,
    "learner": learner_of,
}
"""The fields of a v2 ``outcome.deposited`` record that a verifier takes from the credential
itself, and how; the receipt's ``record`` holds the others and never one of these."""
