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
- ``ledger``: a self-contained receipt (:mod:`.receipt`) recomputed from the credential and
  proven against a signed checkpoint of its log, where the resolver can prove it (the bank's
  own log); a receipt of before, the deposit's inclusion in the bank's log.

A ``ClrCredential`` is verified, and then each credential inside it on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from creditbank.credentials import vcjwt
from creditbank.credentials.verifier.document import (
    WELL_FORMED,
    canonical_form,
    schema,
    syntax,
    syntax_result,
)
from creditbank.credentials.verifier.model import (
    Check,
    CheckResult,
    Checks,
    JsonObject,
    KeyRecord,
    LogProof,
    LogProofs,
    Offline,
    Resolver,
    Result,
    Verdict,
    issuer_id,
    types_of,
)
from creditbank.credentials.verifier.signature import data_integrity, jwt
from creditbank.credentials.verifier.standing import ledger, status, validity
from creditbank.messages import msg


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
    checks = Checks()
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
    credential = syntax(raw, checks)
    if credential is None:
        return Verdict(
            verified=False,
            format=form,
            checks=checks.results,
            credential=raw if isinstance(raw, dict) else None,
        )
    schema(credential, checks)
    if token is not None:
        syntax_result(checks, WELL_FORMED)
        jwt(token, header, credential, resolver, checks)
    elif (canonical := canonical_form(credential, checks)) is not None:
        data_integrity(credential, canonical, resolver, checks)
    else:
        checks.skipped(
            Check.SIGNATURE,
            "not_canonical",
            msg("the signature cannot be checked: the document is not valid JSON-LD"),
        )
    validity(credential, now, checks)
    if with_status:

        def verifies(document: JsonObject) -> bool:
            return verify(document, resolver=resolver, now=now, with_status=False).verified

        status(credential, resolver, checks, lists_verified, verifies)
        ledger(credential, resolver, checks)
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


__all__ = [
    "Check",
    "CheckResult",
    "KeyRecord",
    "LogProof",
    "LogProofs",
    "Offline",
    "Resolver",
    "Result",
    "Verdict",
    "issuer_id",
    "parse",
    "types_of",
    "verify",
]
