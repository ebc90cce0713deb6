"""The ``issuer_key`` and ``signature`` checks: the verification method resolves to a key of the
issuer that was valid when the proof was made, and the Data Integrity proof or JWS holds."""

from __future__ import annotations

from datetime import datetime

from creditbank.credentials import documents, multikey, proofs, vcjwt
from creditbank.credentials.verifier.model import (
    KNOWN_SCHEMES,
    Check,
    CheckResult,
    Checks,
    JsonObject,
    KeyRecord,
    Resolver,
    Result,
    issuer_id,
)
from creditbank.messages import Message, msg


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
    key: KeyRecord, method: str, signed_at: datetime | None, issuer: str | None, checks: Checks
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


def when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return documents.parse_timestamp(text)
    except ValueError:
        return None


def data_integrity(
    credential: JsonObject, canonical: str, resolver: Resolver, checks: Checks
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
        signed_at = when(proof.get("created"))
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


def jwt(
    token: str, header: JsonObject, credential: JsonObject, resolver: Resolver, checks: Checks
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
    signed_at = when(credential.get("validFrom"))
    if not _key_valid(key, method, signed_at, issuer_id(credential), checks):
        return
    good = vcjwt.verify(token, key.public_key)
    _signature(checks, good=good, valid=msg("the JWS signature is valid"))


def _signature(checks: Checks, *, good: bool, valid: Message) -> None:
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
