"""HTTP for verifiable credentials: DID documents, status lists, export, verify, keys, status.

Thin: authenticate where needed, check the policy, call the service. DID documents,
status lists and the verifier are public: anyone may check a credential.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from creditbank.access.policy import Action, require
from creditbank.accounts import api as accounts
from creditbank.credentials import service
from creditbank.credentials.schemas import (
    CompromiseCreate,
    SigningKeyCreate,
    SigningKeyRead,
    StatusChangeCreate,
    VerdictRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Uow
from creditbank.web.limits import BodyTooLarge
from creditbank.web.problems import responses

api = APIRouter(tags=["credentials"])
JSON_LD = "application/ld+json"
VC_JSON = "application/vc+ld+json"
MAX_CREDENTIAL_BYTES = 5 * 1024 * 1024


def _json(document: dict[str, Any], media_type: str = JSON_LD) -> JSONResponse:
    return JSONResponse(document, media_type=media_type)


class JsonLdResponse(JSONResponse):
    """A JSON-LD document (so documented in the OpenAPI document)."""

    media_type = JSON_LD


class CredentialResponse(JSONResponse):
    """A verifiable credential as JSON-LD (so documented in the OpenAPI document)."""

    media_type = VC_JSON


JWT_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/vc+jwt": {"schema": {"type": "string"}}}}
}


@api.get("/.well-known/did.json", response_class=JsonLdResponse, responses=responses(404))
def bank_did_document(uow: Uow) -> JSONResponse:
    """The bank's DID document (did:web of its host): the keys that sign CLRs and status lists."""
    return _json(service.did_document(uow=uow, owner=service.BANK))


@api.get("/institutions/{code}/did.json", response_class=JsonLdResponse, responses=responses(404))
def institution_did_document(code: str, uow: Uow) -> JSONResponse:
    """An institution's DID document (``did:web:HOST:institutions:CODE``): its signing keys."""
    return _json(service.did_document(uow=uow, owner=code))


@api.get(
    "/api/v1/credentials/status/{list_id}/{purpose}",
    response_class=CredentialResponse,
    responses=responses(404),
)
def status_list(list_id: int, purpose: str, uow: Uow, now: Now) -> JSONResponse:
    """A signed Bitstring Status List credential (purpose ``revocation`` or ``suspension``)."""
    return _json(
        service.status_list_credential(uow=uow, list_id=list_id, purpose=purpose, now=now),
        VC_JSON,
    )


@api.get(
    "/api/v1/outcomes/{outcome_id}/credential",
    response_model=None,
    response_class=CredentialResponse,
    responses={**JWT_ANSWER, **responses(401, 403, 404, 409, 422)},
)
def export_credential(
    outcome_id: str,
    uow: Uow,
    principal: Authenticated,
    now: Now,
    fmt: Annotated[str, Query(alias="format", description="ob3 (JSON-LD) or jwt.")] = "ob3",
) -> JSONResponse | PlainTextResponse:
    """An outcome as a signed Open Badges 3.0 credential (the issuer's registrars, bank
    administrators): ``ob3`` with a Data Integrity proof, or ``jwt`` (VC-JOSE)."""
    require(principal, Action.EXPORT_CREDENTIAL, accounts.issuer_of(uow=uow, public_id=outcome_id))
    issued = service.issue(uow=uow, outcome_id=outcome_id, fmt=fmt, now=now)
    if issued.jwt is not None:
        return PlainTextResponse(issued.jwt, media_type="application/vc+jwt")
    return _json(issued.document or {}, VC_JSON)


@api.get(
    "/api/v1/learners/{number}/clr",
    response_class=CredentialResponse,
    responses=responses(401, 403, 404, 409, 422),
)
def export_clr(
    number: str,
    uow: Uow,
    principal: Authenticated,
    now: Now,
    outcomes: Annotated[
        str | None, Query(description="Comma-separated outcome ids (default: all standing).")
    ] = None,
) -> JSONResponse:
    """A learner's record as a CLR 2.0 ``ClrCredential`` signed by the bank (bank
    administrators; learners download theirs from their pages)."""
    require(principal, Action.EXPORT_CREDENTIAL, None)
    chosen = [o.strip() for o in (outcomes or "").split(",") if o.strip()] or None
    return _json(
        service.issue_clr(uow=uow, account_number=number, outcome_ids=chosen, now=now), VC_JSON
    )


@api.post("/api/v1/verify", response_model=VerdictRead, responses=responses(413, 422))
async def verify(request: Request, uow: Uow, now: Now) -> VerdictRead | JSONResponse:
    """Verify a credential: JSON-LD with a Data Integrity proof, or a compact JWT (as the body,
    any content type). Every check is spelled out; anyone may ask."""
    body = await request.body()
    if len(body) > MAX_CREDENTIAL_BYTES:
        raise BodyTooLarge(MAX_CREDENTIAL_BYTES)
    # the checks are CPU work and database reads: off the event loop
    verdict = await run_in_threadpool(service.verify, uow=uow, data=body, now=now)
    return VerdictRead.of(verdict, request.state.language)


@api.post("/api/v1/credentials/{credential_id}/status", responses=responses(401, 403, 404, 422))
def change_status(
    credential_id: str, body: StatusChangeCreate, uow: Uow, principal: Authenticated, now: Now
) -> dict[str, str]:
    """Suspend or revoke a credential, or lift a suspension (the issuer's registrars, bank
    administrators). The status lists show it at once."""
    require(
        principal,
        Action.CHANGE_CREDENTIAL_STATUS,
        service.credential_owner(uow=uow, credential_id=credential_id),
    )
    service.change_status(
        uow=uow,
        credential_id=credential_id,
        purpose=body.purpose,
        value=body.value,
        reason=body.reason,
        by_user=principal.user_id,
        now=now,
    )
    return {"credential": credential_id, "purpose": body.purpose, "set": str(body.value).lower()}


@api.get(
    "/api/v1/institutions/{code}/keys",
    response_model=list[SigningKeyRead],
    responses=responses(401, 403, 404),
)
def list_keys(code: str, uow: Uow, principal: Authenticated) -> list[SigningKeyRead]:
    """An institution's signing keys (``bank`` for the bank's own)."""
    require(principal, Action.MANAGE_KEYS, service.policy_owner(code))
    return [SigningKeyRead.of(key) for key in service.list_keys(uow=uow, owner=code)]


@api.post(
    "/api/v1/institutions/{code}/keys",
    response_model=SigningKeyRead,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def generate_key(
    code: str, body: SigningKeyCreate, uow: Uow, principal: Authenticated, now: Now
) -> SigningKeyRead:
    """Register a new Ed25519 signing key (made by the bank; the private key is kept sealed)."""
    require(principal, Action.MANAGE_KEYS, service.policy_owner(code))
    return SigningKeyRead.of(
        service.generate_key(
            uow=uow,
            owner=code,
            now=now,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            did_method=body.did_method,
        )
    )


@api.post(
    "/api/v1/institutions/{code}/keys/rotate",
    response_model=SigningKeyRead,
    status_code=201,
    responses=responses(401, 403, 404, 409),
)
def rotate_key(code: str, uow: Uow, principal: Authenticated, now: Now) -> SigningKeyRead:
    """A new key from now on; the current keys end now (what they signed stays valid)."""
    require(principal, Action.MANAGE_KEYS, service.policy_owner(code))
    return SigningKeyRead.of(service.rotate_key(uow=uow, owner=code, now=now))


@api.post(
    "/api/v1/institutions/{code}/keys/{name}/compromised",
    response_model=SigningKeyRead,
    responses=responses(401, 403, 404, 422),
)
def mark_compromised(
    code: str, name: str, body: CompromiseCreate, uow: Uow, principal: Authenticated, now: Now
) -> SigningKeyRead:
    """Mark a key compromised from ``since``: what it signed from then on fails verification."""
    require(principal, Action.MANAGE_KEYS, service.policy_owner(code))
    return SigningKeyRead.of(
        service.mark_compromised(uow=uow, owner=code, name=name, since=body.since, now=now)
    )
