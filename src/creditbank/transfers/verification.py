"""How bank B checks what a peer bank A sent: A's keys and status lists read from A, each
credential verified, each receipt checked against A's accepted checkpoint.

:class:`PeerResolver` answers the credential verifier for one peer: a ``did:web`` of the peer's
host is resolved by fetching its DID document from the peer's public URL (never another host),
a status list only from under the peer's URL; what cannot be fetched is remembered, so that a
refusal says the issuer's key or the status "cannot be had" rather than "does not verify".
Fetching is a dependency (:data:`Fetch`): plain HTTP GET in the app (:func:`http_fetch`),
whatever a test or benchmark passes otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx2

from creditbank.accounts import api as accounts
from creditbank.credentials import api as credentials
from creditbank.messages import msg
from creditbank.peers import api as peers
from creditbank.transfers.model import JsonObject, PackagedOutcome, TransferError

Fetch = Callable[[str], bytes]
"""GET a URL; the body of a 200 answer, else ``OSError``."""
TIMEOUT_SECONDS = 10
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
HTTP_OK = 200
CLOCK_SKEW = timedelta(minutes=2)
"""How far ahead of this bank's clock a peer's may be: a status list the peer signs while it is
read is valid from the start of the peer's current minute, which may be after the moment the
import began here (the peer's clock a little ahead, or a minute turned meanwhile)."""


def http_fetch(url: str) -> bytes:
    """A plain GET (no redirects), refused with ``OSError`` unless it answers 200."""
    try:
        answer = httpx2.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=False)
    except httpx2.HTTPError as error:
        raise OSError(str(error)) from error
    if answer.status_code != HTTP_OK or len(answer.content) > MAX_DOCUMENT_BYTES:
        message = f"{url} answered {answer.status_code}"
        raise OSError(message)
    return answer.content


@dataclass
class PeerResolver:
    """The verifier's view of one peer bank: its DID documents and status lists, fetched once."""

    peer: peers.TrustedPeer
    fetch: Fetch
    documents: dict[str, JsonObject | None] = field(default_factory=dict)
    unobtainable: set[str] = field(default_factory=set)
    """URLs that could not be fetched (or read as JSON)."""
    lists_verified: dict[str, bool] = field(default_factory=dict)
    """Whether each status list verified: a package's credentials share a few lists, each
    verified once."""

    @property
    def base(self) -> str:
        return self.peer.url.rstrip("/")

    @property
    def host(self) -> str:
        return urlsplit(self.peer.url).netloc

    def _document(self, url: str) -> JsonObject | None:
        if url not in self.documents:
            try:
                loaded = json.loads(self.fetch(url))
            except (OSError, ValueError, RecursionError):  # unreachable, not JSON, too deep
                loaded = None
            self.documents[url] = loaded if isinstance(loaded, dict) else None
            if self.documents[url] is None:
                self.unobtainable.add(url)
        return self.documents[url]

    def did_url(self, did: str) -> str | None:
        """Where the peer serves the DID document of ``did`` (None: not a DID of the peer)."""
        try:
            host, path = credentials.did_web_parts(did)
        except credentials.KeyFormatError:
            return None
        if host != self.host:
            return None
        return (
            f"{self.base}/{'/'.join(path)}/did.json"
            if path
            else f"{self.base}/.well-known/did.json"
        )

    def key(self, verification_method: str) -> credentials.KeyRecord | None:
        did = verification_method.split("#", 1)[0]
        url = self.did_url(did)
        document = None if url is None else self._document(url)
        if document is None:
            return None
        for method in document.get("verificationMethod") or []:
            if isinstance(method, dict) and method.get("id") == verification_method:
                try:
                    raw = credentials.decode_public_key(str(method.get("publicKeyMultibase")))
                except credentials.KeyFormatError:
                    return None
                return credentials.KeyRecord(public_key=raw, controller=did)
        return None

    def status_list(self, url: str) -> dict[str, Any] | None:
        if not url.startswith(self.base + "/"):
            return None
        return self._document(url)

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:
        del receipt_url, leaf_index, leaf_hash  # the receipt is checked against the checkpoint
        return None


@dataclass(frozen=True, slots=True)
class CheckedOutcome:
    """An outcome of a package that passed every check, with what B stores of it."""

    packaged: PackagedOutcome
    leaf_hash: str
    leaf_index: int
    credential_id: str
    issuer: str
    item_code: str
    item_kind: str
    item_name: str
    institution: str
    framework: str
    level: str
    credits: Decimal | None
    assessed_on: date
    setting: str | None
    """How it was learned, as the committed record says (None if it says nothing known)."""


def _refuse(code: str, position: int, detail: str) -> TransferError:
    messages = {
        "issuer_key_unobtainable": msg(
            "outcome {position}: the issuer's key cannot be had from the peer bank ({detail})",
            position=position,
            detail=detail,
        ),
        "credential_status_unobtainable": msg(
            "outcome {position}: the credential's status cannot be had from the peer bank "
            "({detail})",
            position=position,
            detail=detail,
        ),
        "transferred_credential_revoked": msg(
            "outcome {position}: the issuer has revoked or suspended this credential",
            position=position,
        ),
        "transferred_credential_invalid": msg(
            "outcome {position}: the credential does not verify ({detail})",
            position=position,
            detail=detail,
        ),
        "transfer_receipt_invalid": msg(
            "outcome {position}: its receipt does not prove it is in the peer's log ({detail})",
            position=position,
            detail=detail,
        ),
    }
    return TransferError(code, messages[code])


def verify_credential(
    resolver: PeerResolver, packaged: PackagedOutcome, position: int, now: datetime
) -> None:
    """Signature, issuer (a DID of the peer), validity and status; refused by what failed."""
    credential = packaged.credential
    issuer = credentials.issuer_id_of(credential) or ""
    if resolver.did_url(issuer) is None:
        raise _refuse(
            "transferred_credential_invalid", position, f"the issuer {issuer} is not the peer's"
        )
    verdict = credentials.verify_with(
        credential,
        resolver=resolver,
        now=now + CLOCK_SKEW,
        lists_verified=resolver.lists_verified,
    )
    failed = {c.check: c for c in verdict.checks if c.result is credentials.Result.FAILED}
    status = verdict.result_of(credentials.Check.STATUS)
    did_unobtainable = [u for u in resolver.unobtainable if u.endswith("/did.json")]
    if credentials.Check.ISSUER_KEY in failed and did_unobtainable:
        raise _refuse("issuer_key_unobtainable", position, did_unobtainable[0])
    if status is not None and status.code in {"revoked", "suspended"}:
        raise _refuse("transferred_credential_revoked", position, status.code)
    if failed:
        first = next(iter(failed.values()))
        raise _refuse("transferred_credential_invalid", position, first.message.render())
    if status is None or status.result is not credentials.Result.PASSED:
        listed = [u for u in resolver.unobtainable if not u.endswith("/did.json")]
        raise _refuse("credential_status_unobtainable", position, ", ".join(listed) or "-")


def _achievement(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = credential.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, dict) else None
    return found if isinstance(found, dict) else {}


def _level(achievement: Mapping[str, Any]) -> tuple[str, str]:
    """The framework and level code of the achievement's own level alignment (not the EQF
    correspondences the crosswalks add)."""
    for alignment in achievement.get("alignment") or []:
        if not isinstance(alignment, dict):
            continue
        url = str(alignment.get("targetUrl", ""))
        code = str(alignment.get("targetCode", ""))
        if "/frameworks/" in url and "#level-" in url and "?version=" in url:
            framework = url.split("/frameworks/", 1)[1].split("?", 1)[0]
            return framework, code or url.rsplit("#level-", 1)[1]
    return "", ""


def _text(record: Mapping[str, object] | None, key: str, fallback: str) -> str:
    """The committed record's ``key`` when the receipt rebuilt the record, else ``fallback``
    (read from the credential, which the record's commitment covers as well)."""
    value = None if record is None else record.get(key)
    return str(value) if isinstance(value, str | int) and str(value) else fallback


def outcome_facts(
    packaged: PackagedOutcome, verdict: credentials.ReceiptVerdict, position: int
) -> CheckedOutcome:
    """What B stores of a verified outcome: the committed record's facts (the credential's
    where the record does not say)."""
    credential = packaged.credential
    record = verdict.record
    achievement = _achievement(credential)
    subject = credential.get("credentialSubject") or {}
    framework, level = _level(achievement)
    earned_text = _text(record, "credits", str(subject.get("creditsEarned") or ""))
    try:
        earned = Decimal(earned_text) if earned_text else None
    except InvalidOperation:
        earned = None
    awarded = _text(record, "assessed_on", str(credential.get("awardedDate", ""))[:10])
    try:
        assessed_on = date.fromisoformat(awarded)
    except ValueError as error:
        raise _refuse("transferred_credential_invalid", position, "no awarded date") from error
    achievement_id = str(achievement.get("id", ""))
    owner = (
        achievement_id.rsplit("/catalog/", 1)[-1].split("/", 1)[0]
        if "/catalog/" in achievement_id
        else ""
    )
    framework = _text(record, "level_framework", framework)
    level = _text(record, "level_code", level)
    if not framework or not level or verdict.leaf_hash is None or verdict.leaf_index is None:
        raise _refuse("transferred_credential_invalid", position, "no level or leaf")
    code = str(achievement.get("humanCode", "")) or achievement_id.rsplit("/", 1)[-1]
    return CheckedOutcome(
        packaged=packaged,
        leaf_hash=verdict.leaf_hash,
        leaf_index=verdict.leaf_index,
        credential_id=str(credential.get("id", ""))[:255],
        issuer=credentials.issuer_id_of(credential) or "",
        item_code=_text(record, "item_code", code),
        item_kind=_item_kind(achievement, record),
        item_name=str(achievement.get("name", ""))[:500],
        institution=_text(record, "institution", owner).upper(),
        framework=framework,
        level=level,
        credits=earned,
        assessed_on=assessed_on,
        setting=_setting(record),
    )


def _setting(record: Mapping[str, object] | None) -> str | None:
    """The record's learning setting, if it is one this bank knows."""
    value = None if record is None else record.get("setting")
    known = {setting.value for setting in accounts.LearningSetting}
    return value if isinstance(value, str) and value in known else None


KINDS_BY_TYPE = {
    "Diploma": "qualification",
    "Course": "course",
    "Certificate": "training_certificate",
    "Certification": "vocational_qualification",
    "Award": "achievement",
    "Competency": "accreditation_unit",
    "ext:TransferredCredit": "transferred_credit",
}
"""The kind of catalogue item an Open Badges ``achievementType`` stands for (the committed
record's ``item_kind``, when the receipt gives it, is exact: an X certificate is a Certificate
too)."""


def _item_kind(achievement: Mapping[str, Any], record: Mapping[str, object] | None) -> str:
    if record is not None and isinstance(record.get("item_kind"), str):
        return str(record["item_kind"])
    return KINDS_BY_TYPE.get(str(achievement.get("achievementType", "")), "achievement")


def check_receipt(
    packaged: PackagedOutcome, *, checkpoint: str, log_key: str, position: int
) -> credentials.ReceiptVerdict:
    """The outcome's receipt against A's checkpoint (its cosignatures were checked when the
    checkpoint was accepted); ``transfer_receipt_invalid`` naming the first failure."""
    verdict = credentials.check_receipt(
        packaged.credential, packaged.receipt, checkpoint, log_key, (), 0
    )
    if not verdict.ok:
        detail = "; ".join(failure.message.render() for failure in verdict.failures) or "-"
        raise _refuse("transfer_receipt_invalid", position, detail)
    return verdict
