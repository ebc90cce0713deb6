"""The verifier: every check a credential must pass, each spelled out with its reason.

Pure over plain data: what it needs from outside (the bank's own keys, status
lists and log) comes through a :class:`Resolver`, so the same checks run in the
API, the CLI and the tests, and nothing is fetched from the network.

The checks, in order:

- ``syntax``: JSON (or a compact JWS), the VC 2.0 base context first, the types,
  and for Data Integrity documents JSON-LD in safe mode (no undefined terms).
- ``schema``: Open Badges credentials against the Open Badges 3.0 JSON schema.
- ``issuer_key``: the verification method resolves (``did:key`` by itself, the
  bank's ``did:web`` identities from its register), belongs to the issuer, and
  was valid and not compromised when the proof was made.
- ``signature``: the ``eddsa-rdfc-2022`` proof or the JWS signature.
- ``validity``: ``validFrom`` / ``validUntil`` against now.
- ``status``: the Bitstring Status List entries (revoked / suspended), where the
  list can be had offline (the bank's own).
- ``ledger``: for the bank's own credentials, the deposit's inclusion in its log.

A ``ClrCredential`` is verified, and then each credential inside it on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Protocol

from jsonschema import Draft201909Validator
from jsonschema.exceptions import best_match

from creditbank.credentials import documents, multikey, proofs, statuslist, vcjwt
from creditbank.credentials.contexts import CREDENTIALS_V2
from creditbank.messages import Message, msg

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


class _Checks:
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


@cache
def _ob_schema() -> Draft201909Validator:
    path = resources.files("creditbank.credentials") / "schemas"
    schema = json.loads(
        (path / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8")
    )
    return Draft201909Validator(schema)


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


def _syntax(credential: object, checks: _Checks) -> JsonObject | None:
    if not isinstance(credential, dict):
        checks.failed(Check.SYNTAX, "not_an_object", msg("the credential is not a JSON object"))
        return None
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in {CREDENTIALS_V2, CREDENTIALS_V1}:
        checks.failed(
            Check.SYNTAX,
            "context",
            msg(
                "the first @context must be the VC base context {url}, not {found}",
                url=CREDENTIALS_V2,
                found=json.dumps(first, ensure_ascii=False),
            ),
        )
        return None
    if "VerifiableCredential" not in types_of(credential.get("type")):
        checks.failed(
            Check.SYNTAX, "type", msg("the credential's type does not include VerifiableCredential")
        )
        return None
    return credential


def _syntax_result(checks: _Checks, result: CheckResult) -> None:
    """The syntax check's verdict, listed first (its JSON-LD part runs after the schema)."""
    checks.results.insert(0, result)


WELL_FORMED = CheckResult(
    Check.SYNTAX, Result.PASSED, "ok", msg("well-formed verifiable credential")
)


def _canonical_form(credential: JsonObject, checks: _Checks) -> str | None:
    """The JSON-LD (safe mode) part of the syntax check: the credential's canonical form, which
    the signature check reuses, or None (and the syntax check failed)."""
    try:
        canonical = proofs.canonicalise(proofs.unsecured(credential))
    except proofs.CanonicalisationError as error:
        _syntax_result(
            checks,
            CheckResult(
                Check.SYNTAX,
                Result.FAILED,
                "json_ld",
                msg("the credential is not valid JSON-LD: {detail}", detail=str(error)),
            ),
        )
        return None
    _syntax_result(checks, WELL_FORMED)
    return canonical


def _schema(credential: JsonObject, checks: _Checks) -> None:
    contexts = [c for c in credential.get("@context", []) if isinstance(c, str)]
    types = set(types_of(credential.get("type")))
    is_open_badge = bool(OB_TYPES & types) or (
        any("/spec/ob/" in c for c in contexts) and not (OTHER_OB_FAMILY & types)
    )
    if not is_open_badge:
        checks.skipped(
            Check.SCHEMA,
            "not_open_badges",
            msg("not an Open Badges credential: no schema to check"),
        )
        return
    # The proof is the signature check's business (the schema wants an array of proofs). The
    # OB 3.0 schema allows one credentialStatus, VC 2.0 a set (revocation and suspension): each
    # entry is checked against the schema's CredentialStatus in turn.
    document = proofs.unsecured(credential)
    statuses = document.get("credentialStatus")
    variants = (
        [{**document, "credentialStatus": entry} for entry in statuses]
        if isinstance(statuses, list) and statuses
        else [document]
    )
    errors = [error for variant in variants for error in _ob_schema().iter_errors(variant)]
    if not errors:
        checks.passed(Check.SCHEMA, msg("matches the Open Badges 3.0 JSON schema"))
        return
    first = best_match(errors)
    shown = [first, *[e for e in errors if e is not first][:2]]
    detail = "; ".join(
        f"{'/'.join(str(part) for part in error.absolute_path) or '(document)'}: "
        f"{error.message[:200]}"
        for error in shown
    )
    checks.failed(
        Check.SCHEMA,
        "schema",
        msg("does not match the Open Badges 3.0 JSON schema: {detail}", detail=detail),
    )


def _resolve_key(method: str, resolver: Resolver) -> KeyRecord | CheckResult:  # noqa: PLR0911
    def fail(code: str, message: Message) -> CheckResult:
        return CheckResult(Check.ISSUER_KEY, Result.FAILED, code, message)

    scheme, colon, rest = method.partition(":")
    if not colon:
        return fail(
            "no_scheme",
            msg(
                "the verification method {method} is not a URL or DID (it has no scheme)",
                method=method,
            ),
        )
    if scheme not in KNOWN_SCHEMES:
        return fail(
            "unknown_scheme",
            msg(
                "the verification method {method} has an unknown scheme {scheme}",
                method=method,
                scheme=scheme,
            ),
        )
    if scheme == "did":
        did_method = rest.split(":", 1)[0]
        if did_method == "key":
            try:
                raw = multikey.did_key_public_key(method)
            except multikey.KeyFormatError as error:
                return fail(
                    "malformed_key", msg("the did:key is malformed: {detail}", detail=str(error))
                )
            return KeyRecord(public_key=raw, controller=method.split("#", 1)[0])
        if did_method != "web":
            return fail(
                "unknown_did_method",
                msg(
                    "the DID method {did_method} of {method} is not supported (did:key, did:web)",
                    did_method=did_method,
                    method=method,
                ),
            )
    found = resolver.key(method)
    if found is not None:
        return found
    fragment = method.partition("#")[2]
    if fragment.startswith("z6Mk"):
        try:
            raw = multikey.decode_public_key(fragment)
        except multikey.KeyFormatError as error:
            return fail(
                "malformed_key",
                msg(
                    "the verification method {method} names a malformed key: {detail}",
                    method=method,
                    detail=str(error),
                ),
            )
        return KeyRecord(public_key=raw, controller="", bound=False)
    return fail(
        "unknown_key",
        msg(
            "the key {method} is not known to this bank and cannot be fetched offline",
            method=method,
        ),
    )


def _key_valid(
    key: KeyRecord, method: str, signed_at: datetime | None, issuer: str | None, checks: _Checks
) -> bool:
    if not key.bound:
        checks.failed(
            Check.ISSUER_KEY,
            "unbound_key",
            msg(
                "the key {method} cannot be tied to the issuer offline (only the method's "
                "fragment names a key): who signed is not established",
                method=method,
            ),
        )
        return True
    if issuer is not None and issuer.startswith("did:") and key.controller != issuer:
        checks.failed(
            Check.ISSUER_KEY,
            "not_issuers_key",
            msg(
                "the key {method} belongs to {controller}, not to the issuer {issuer}",
                method=method,
                controller=key.controller,
                issuer=issuer,
            ),
        )
        return False
    if key.registered and signed_at is None:
        checks.failed(
            Check.ISSUER_KEY,
            "no_signing_time",
            msg(
                "the proof by {method} does not say when it was made, so the key's validity "
                "and compromise cannot be checked",
                method=method,
            ),
        )
        return False
    if key.registered and signed_at is not None:
        if key.compromised_from is not None and signed_at >= key.compromised_from:
            checks.failed(
                Check.ISSUER_KEY,
                "compromised",
                msg(
                    "the key {method} is marked compromised from {since}; this was signed {at}",
                    method=method,
                    since=documents.timestamp(key.compromised_from),
                    at=documents.timestamp(signed_at),
                ),
            )
            return False
        if (key.valid_from is not None and signed_at < key.valid_from) or (
            key.valid_until is not None and signed_at >= key.valid_until
        ):
            checks.failed(
                Check.ISSUER_KEY,
                "key_not_valid",
                msg(
                    "the key {method} was not valid when this was signed ({at})",
                    method=method,
                    at=documents.timestamp(signed_at),
                ),
            )
            return False
    if key.registered:
        checks.passed(
            Check.ISSUER_KEY,
            msg(
                "the issuer's key {method} is registered with this bank "
                "and was valid when it signed",
                method=method,
            ),
        )
    else:
        checks.passed(
            Check.ISSUER_KEY, msg("the key {method} is a self-describing did:key", method=method)
        )
    return True


def _when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return documents.parse_timestamp(text)
    except ValueError:
        return None


def _data_integrity(
    credential: JsonObject, canonical: str, resolver: Resolver, checks: _Checks
) -> None:
    try:
        all_proofs = proofs.proofs_of(credential)
    except proofs.ProofError as error:
        checks.failed(
            Check.SIGNATURE, "proof", msg("the proof cannot be read: {detail}", detail=str(error))
        )
        return
    ours = [
        p
        for p in all_proofs
        if p.get("type") == proofs.PROOF_TYPE and p.get("cryptosuite") == proofs.CRYPTOSUITE
    ]
    if not ours:
        checks.failed(
            Check.SIGNATURE,
            "no_proof",
            msg("the credential has no eddsa-rdfc-2022 Data Integrity proof"),
        )
        return
    issuer = issuer_id(credential)
    for proof in ours:
        method = str(proof.get("verificationMethod", ""))
        key = _resolve_key(method, resolver)
        if isinstance(key, CheckResult):
            checks.results.append(key)
            continue
        signed_at = _when(proof.get("created"))
        if not _key_valid(key, method, signed_at, issuer, checks):
            continue
        try:
            good = proofs.verify(credential, proof, key.public_key, document_canonical=canonical)
        except (proofs.ProofError, proofs.CanonicalisationError) as error:
            checks.failed(
                Check.SIGNATURE,
                "proof",
                msg("the proof cannot be read: {detail}", detail=str(error)),
            )
            continue
        _signature(checks, good=good, valid=msg("the eddsa-rdfc-2022 signature is valid"))


def _jwt(
    token: str, header: JsonObject, credential: JsonObject, resolver: Resolver, checks: _Checks
) -> None:
    method = header.get("kid")
    if not isinstance(method, str):
        checks.failed(Check.ISSUER_KEY, "no_kid", msg("the JWT header names no key (kid)"))
        return
    if header.get("alg") not in vcjwt.ACCEPTED_ALGORITHMS:
        checks.failed(
            Check.SIGNATURE,
            "algorithm",
            msg("the JWT algorithm {alg} is not supported (Ed25519/EdDSA)", alg=header.get("alg")),
        )
        return
    key = _resolve_key(method, resolver)
    if isinstance(key, CheckResult):
        checks.results.append(key)
        return
    signed_at = _when(credential.get("validFrom"))
    if not _key_valid(key, method, signed_at, issuer_id(credential), checks):
        return
    good = vcjwt.verify(token, key.public_key)
    _signature(checks, good=good, valid=msg("the JWS signature is valid"))


def _signature(checks: _Checks, *, good: bool, valid: Message) -> None:
    if good:
        checks.passed(Check.SIGNATURE, valid)
    else:
        checks.failed(
            Check.SIGNATURE,
            "bad_signature",
            msg(
                "the signature does not match: the credential was changed after signing, "
                "or signed with another key"
            ),
        )


def _validity(credential: JsonObject, now: datetime, checks: _Checks) -> None:
    starts = credential.get("validFrom", credential.get("issuanceDate"))
    ends = credential.get("validUntil", credential.get("expirationDate"))
    start, end = _when(starts), _when(ends)
    if (starts is not None and start is None) or (ends is not None and end is None):
        checks.failed(
            Check.VALIDITY, "bad_date", msg("a validity date is not a dateTime with a zone")
        )
        return
    if start is not None and start > now:
        checks.failed(
            Check.VALIDITY,
            "not_yet_valid",
            msg("the credential is valid only from {start}", start=documents.timestamp(start)),
        )
        return
    if end is not None and end <= now:
        checks.failed(
            Check.VALIDITY,
            "expired",
            msg("the credential expired on {end}", end=documents.timestamp(end)),
        )
        return
    checks.passed(Check.VALIDITY, msg("within its validity dates"))


def _status(
    credential: JsonObject,
    resolver: Resolver,
    now: datetime,
    checks: _Checks,
    lists_verified: dict[str, bool],
) -> None:
    entries = credential.get("credentialStatus")
    if entries is None:
        checks.skipped(Check.STATUS, "no_status", msg("the credential has no status list entry"))
        return
    listed = entries if isinstance(entries, list) else [entries]
    checked = 0
    for entry in listed:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        url = str(entry.get("statusListCredential", ""))
        purpose = str(entry.get("statusPurpose", ""))
        try:
            index = int(str(entry.get("statusListIndex")))
        except ValueError:
            checks.failed(Check.STATUS, "bad_entry", msg("a statusListIndex is not a number"))
            return
        list_credential = resolver.status_list(url)
        if list_credential is None:
            continue
        if url not in lists_verified:  # a CLR's credentials share their lists
            lists_verified[url] = verify(
                list_credential, resolver=resolver, now=now, with_status=False
            ).verified
        subject = list_credential.get("credentialSubject", {})
        if not lists_verified[url] or subject.get("statusPurpose") != purpose:
            checks.failed(
                Check.STATUS,
                "bad_list",
                msg("the status list {url} does not verify", url=url),
            )
            return
        try:
            is_set = statuslist.get_bit(statuslist.decode(str(subject.get("encodedList"))), index)
        except statuslist.StatusListError as error:
            checks.failed(
                Check.STATUS,
                "bad_list",
                msg("the status list cannot be read: {detail}", detail=str(error)),
            )
            return
        checked += 1
        if is_set and purpose == statuslist.REVOCATION:
            checks.failed(Check.STATUS, "revoked", msg("the issuer has revoked this credential"))
            return
        if is_set and purpose == statuslist.SUSPENSION:
            checks.failed(
                Check.STATUS, "suspended", msg("the issuer has suspended this credential")
            )
            return
    if checked:
        checks.passed(Check.STATUS, msg("neither revoked nor suspended"))
    else:
        checks.skipped(
            Check.STATUS,
            "not_offline",
            msg("the status list is not this bank's and cannot be fetched offline"),
        )


def _ledger(credential: JsonObject, resolver: Resolver, checks: _Checks) -> None:
    receipt = documents.receipt_in(credential)
    if receipt is None:
        checks.skipped(Check.LEDGER, "no_receipt", msg("the credential links to no ledger receipt"))
        return
    included = resolver.included(*receipt)
    if included is None:
        checks.skipped(Check.LEDGER, "not_ours", msg("the receipt is not in this bank's log"))
    elif included:
        checks.passed(
            Check.LEDGER,
            msg(
                "the record is entry {index} of the bank's log, included in its signed tree",
                index=receipt[1],
            ),
        )
    else:
        checks.failed(
            Check.LEDGER,
            "not_included",
            msg(
                "the bank's log has no entry {index} with that hash for this record",
                index=receipt[1],
            ),
        )


def parse(data: str | bytes | Mapping[str, Any]) -> tuple[str, object, str | None, JsonObject]:
    """(format, credential, token, JWS header) of raw input: JSON-LD or a compact JWS."""
    if isinstance(data, Mapping):
        return "data_integrity", dict(data), None, {}
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text = text.strip()
    if vcjwt.looks_like_jwt(text) and not text.startswith("{"):
        header, credential = vcjwt.read(text)
        return "jwt", credential, text, header
    return "data_integrity", json.loads(text), None, {}


def verify(
    data: str | bytes | Mapping[str, Any],
    *,
    resolver: Resolver,
    now: datetime,
    with_status: bool = True,
    lists_verified: dict[str, bool] | None = None,
) -> Verdict:
    """Every check of a credential given as JSON text, a JSON object or a compact JWS.

    ``lists_verified`` remembers which status lists verified, across the calls that share it
    (a CLR's credentials)."""
    lists_verified = {} if lists_verified is None else lists_verified
    checks = _Checks()
    try:
        form, raw, token, header = parse(data)
    except (ValueError, RecursionError, vcjwt.JwtError) as error:
        checks.failed(
            Check.SYNTAX,
            "not_json",
            msg("neither JSON nor a compact JWT: {detail}", detail=str(error)[:200]),
        )
        return Verdict(verified=False, format="unknown", checks=checks.results)
    if form == "jwt" and header.get("typ") not in {None, vcjwt.MEDIA_TYPE, "JWT"}:
        checks.failed(
            Check.SYNTAX, "typ", msg("the JWT type {typ} is not vc+jwt", typ=header.get("typ"))
        )
        return Verdict(verified=False, format=form, checks=checks.results)
    credential = _syntax(raw, checks)
    if credential is None:
        return Verdict(
            verified=False,
            format=form,
            checks=checks.results,
            credential=raw if isinstance(raw, dict) else None,
        )
    _schema(credential, checks)
    if token is not None:
        _syntax_result(checks, WELL_FORMED)
        _jwt(token, header, credential, resolver, checks)
    elif (canonical := _canonical_form(credential, checks)) is not None:
        _data_integrity(credential, canonical, resolver, checks)
    else:
        checks.skipped(
            Check.SIGNATURE,
            "not_canonical",
            msg("the signature cannot be checked: the document is not valid JSON-LD"),
        )
    _validity(credential, now, checks)
    if with_status:
        _status(credential, resolver, now, checks, lists_verified)
        _ledger(credential, resolver, checks)
    parts: list[Verdict] = []
    if "ClrCredential" in types_of(credential.get("type")):
        inner = credential.get("credentialSubject", {}).get("verifiableCredential") or []
        parts = [
            verify(
                part,
                resolver=resolver,
                now=now,
                with_status=with_status,
                lists_verified=lists_verified,
            )
            for part in inner
            if isinstance(part, (dict, str))
        ]
    verified = (
        not checks.failed_any()
        and any(r.check is Check.SIGNATURE and r.result is Result.PASSED for r in checks.results)
        and all(part.verified for part in parts)
    )
    return Verdict(
        verified=verified, format=form, checks=checks.results, credential=credential, parts=parts
    )
