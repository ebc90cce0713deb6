"""HTTP for verifiable credentials: DID documents, status lists, export, verify, keys, status.

Thin: authenticate where needed, build the command, call its handler. DID documents,
status lists and the verifier are public: anyone may check a credential.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from creditbank.credentials import exports, keys, status, views
from creditbank.credentials.commands import (
    ChangeCredentialStatus,
    ExportCredential,
    ExportRecord,
    GenerateKey,
    ListKeys,
    MarkKeyCompromised,
    RotateKey,
    ShowDidDocument,
    ShowStatusList,
    VerifyCredential,
)
from creditbank.credentials.schemas import (
    CompromiseCreate,
    SigningKeyCreate,
    SigningKeyRead,
    StatusChangeCreate,
    VerdictRead,
)
from creditbank.credentials.signing import BANK
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
    return _json(views.show_did_document(ShowDidDocument(BANK), principal=None, uow=uow))


@api.get("/institutions/{code}/did.json", response_class=JsonLdResponse, responses=responses(404))
def institution_did_document(code: str, uow: Uow) -> JSONResponse:
    """An institution's DID document (``did:web:HOST:institutions:CODE``): its signing keys."""
    return _json(views.show_did_document(ShowDidDocument(code), principal=None, uow=uow))


@api.get(
    "/api/v1/credentials/status/{list_id}/{purpose}",
    response_class=CredentialResponse,
    responses=responses(404),
)
def status_list(list_id: int, purpose: str, uow: Uow, now: Now) -> JSONResponse:
    """A signed Bitstring Status List credential (purpose ``revocation`` or ``suspension``)."""
    query = ShowStatusList(list_id, purpose)
    return _json(views.show_status_list(query, principal=None, uow=uow, now=now), VC_JSON)


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
    command = ExportCredential(outcome_id, fmt)
    issued = exports.export_credential(command, principal=principal, uow=uow, now=now)
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
    chosen = tuple(o.strip() for o in (outcomes or "").split(",") if o.strip()) or None
    command = ExportRecord(number, chosen)
    return _json(exports.export_record(command, principal=principal, uow=uow, now=now), VC_JSON)


@api.post("/api/v1/verify", response_model=VerdictRead, responses=responses(413, 422))
async def verify(request: Request, uow: Uow, now: Now) -> VerdictRead | JSONResponse:
    """Verify a credential: JSON-LD with a Data Integrity proof, or a compact JWT (as the body,
    any content type). Every check is spelled out; anyone may ask."""
    body = await request.body()
    if len(body) > MAX_CREDENTIAL_BYTES:
        raise BodyTooLarge(MAX_CREDENTIAL_BYTES)
    # the checks are CPU work and database reads: off the event loop
    verdict = await run_in_threadpool(
        views.verify_credential, VerifyCredential(body), principal=None, uow=uow, now=now
    )
    return VerdictRead.of(verdict, request.state.language)


@api.post("/api/v1/credentials/{credential_id}/status", responses=responses(401, 403, 404, 422))
def change_status(
    credential_id: str, body: StatusChangeCreate, uow: Uow, principal: Authenticated, now: Now
) -> dict[str, str]:
    """Suspend or revoke a credential, or lift a suspension (the issuer's registrars, bank
    administrators). The status lists show it at once."""
    command = ChangeCredentialStatus(credential_id, body.purpose, body.value, body.reason)
    status.change_credential_status(command, principal=principal, uow=uow, now=now)
    return {"credential": credential_id, "purpose": body.purpose, "set": str(body.value).lower()}


@api.get(
    "/api/v1/institutions/{code}/keys",
    response_model=list[SigningKeyRead],
    responses=responses(401, 403, 404),
)
def list_keys(code: str, uow: Uow, principal: Authenticated) -> list[SigningKeyRead]:
    """An institution's signing keys (``bank`` for the bank's own)."""
    found = keys.list_keys(ListKeys(code), principal=principal, uow=uow)
    return [SigningKeyRead.of(key) for key in found]


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
    command = GenerateKey(code, body.valid_from, body.valid_until, body.did_method)
    return SigningKeyRead.of(keys.generate_key(command, principal=principal, uow=uow, now=now))


@api.post(
    "/api/v1/institutions/{code}/keys/rotate",
    response_model=SigningKeyRead,
    status_code=201,
    responses=responses(401, 403, 404, 409),
)
def rotate_key(code: str, uow: Uow, principal: Authenticated, now: Now) -> SigningKeyRead:
    """A new key from now on; the current keys end now (what they signed stays valid)."""
    key = keys.rotate_key(RotateKey(code), principal=principal, uow=uow, now=now)
    return SigningKeyRead.of(key)


@api.post(
    "/api/v1/institutions/{code}/keys/{name}/compromised",
    response_model=SigningKeyRead,
    responses=responses(401, 403, 404, 422),
)
def mark_compromised(
    code: str, name: str, body: CompromiseCreate, uow: Uow, principal: Authenticated, now: Now
) -> SigningKeyRead:
    """Mark a key compromised from ``since``: what it signed from then on fails verification."""
    command = MarkKeyCompromised(code, name, body.since)
    key = keys.mark_key_compromised(command, principal=principal, uow=uow, now=now)
    return SigningKeyRead.of(key)
