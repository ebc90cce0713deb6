"""The checks of a credential's text: ``syntax`` (JSON, contexts, types, JSON-LD in safe mode)
and ``schema`` (Open Badges 3.0 JSON schema)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from jsonschema import Draft201909Validator
from jsonschema.exceptions import best_match

from creditbank.credentials import proofs
from creditbank.credentials.contexts import CREDENTIALS_V2
from creditbank.credentials.verifier.model import (
    CREDENTIALS_V1,
    OB_TYPES,
    OTHER_OB_FAMILY,
    Check,
    CheckResult,
    Checks,
    JsonObject,
    Result,
    types_of,
)
from creditbank.messages import msg


@cache
def _ob_schema() -> Draft201909Validator:
    path = resources.files("creditbank.credentials") / "schemas"
    schema = json.loads(
        (path / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8")
    )
    return Draft201909Validator(schema)


def syntax(credential: object, checks: Checks) -> JsonObject | None:
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


def syntax_result(checks: Checks, result: CheckResult) -> None:
    """The syntax check's verdict, listed first (its JSON-LD part runs after the schema)."""
    checks.results.insert(0, result)


WELL_FORMED = CheckResult(
    Check.SYNTAX, Result.PASSED, "ok", msg("well-formed verifiable credential")
)


def canonical_form(credential: JsonObject, checks: Checks) -> str | None:
    """The JSON-LD (safe mode) part of the syntax check: the credential's canonical form, which
    the signature check reuses, or None (and the syntax check failed)."""
    try:
        canonical = proofs.canonicalise(proofs.unsecured(credential))
    except proofs.CanonicalisationError as error:
        syntax_result(
            checks,
            CheckResult(
                Check.SYNTAX,
                Result.FAILED,
                "json_ld",
                msg("the credential is not valid JSON-LD: {detail}", detail=str(error)),
            ),
        )
        return None
    syntax_result(checks, WELL_FORMED)
    return canonical


def schema(credential: JsonObject, checks: Checks) -> None:
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
