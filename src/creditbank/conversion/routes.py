"""HTTP for programmes, conversion rules, progress and conversions. Thin: authenticate, check
the policy, call the service."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from creditbank.access.policy import Action, require, require_consented
from creditbank.consents import api as consents
from creditbank.conversion import service
from creditbank.conversion.model import RuleStatus
from creditbank.conversion.schemas import (
    ConversionCreate,
    ConversionDecline,
    ConversionRead,
    ProgrammeCreate,
    ProgrammeRead,
    ProgressRead,
    RuleCreate,
    RuleDecision,
    RuleRead,
    RuleRetirement,
)
from creditbank.institutions.model import check_institution_code
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Today, Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["conversion"])


@api.post(
    "/programmes",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeRead,
    responses=responses(401, 403, 404, 422),
)
def create_programme(body: ProgrammeCreate, uow: Uow, principal: Authenticated) -> ProgrammeRead:
    """Define a programme credits can be converted into: its components, requirements and caps
    (the institution's registrars, bank administrators)."""
    require(principal, Action.CREATE_PROGRAMME, check_institution_code(body.institution))
    return ProgrammeRead.of(service.create_programme(uow=uow, spec=body.spec(), by=principal.email))


@api.get("/programmes", response_model=list[ProgrammeRead], responses=responses(401, 404))
def list_programmes(
    uow: Uow, _principal: Authenticated, institution: str | None = None
) -> list[ProgrammeRead]:
    """Programmes, optionally of one institution."""
    return [ProgrammeRead.of(p) for p in service.list_programmes(uow=uow, institution=institution)]


@api.get("/programmes/{code}", response_model=ProgrammeRead, responses=responses(401, 404))
def read_programme(code: str, uow: Uow, _principal: Authenticated) -> ProgrammeRead:
    return ProgrammeRead.of(service.get_programme(uow=uow, code=code))


@api.post(
    "/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def draft_rule(body: RuleCreate, uow: Uow, principal: Authenticated) -> RuleRead:
    """Draft a conversion rule, or a new version of one (the institution's registrars, bank
    administrators). An open draft of the same code is withdrawn in its favour."""
    institution = check_institution_code(body.institution)
    require(principal, Action.DRAFT_RULE, institution)
    return RuleRead.of(
        service.draft_rule(
            uow=uow, institution=institution, draft=body.draft(), user_id=principal.user_id
        )
    )


@api.get("/rules", response_model=list[RuleRead], responses=responses(401, 404, 422))
def list_rules(
    uow: Uow,
    principal: Authenticated,
    institution: str | None = None,
    status: RuleStatus | None = None,
    programme: str | None = None,
) -> list[RuleRead]:
    """Rule versions, filtered by drafting institution, status and programme."""
    require(principal, Action.READ_RULES, institution)
    found = service.list_rules(uow=uow, institution=institution, status=status, programme=programme)
    return [RuleRead.of(rule) for rule in found]


@api.get("/rules/{rule_id}", response_model=RuleRead, responses=responses(401, 404))
def read_rule(rule_id: int, uow: Uow, _principal: Authenticated) -> RuleRead:
    return RuleRead.of(service.get_rule(uow=uow, rule_id=rule_id))


@api.post(
    "/rules/{rule_id}/submit",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409),
)
def submit_rule(rule_id: int, uow: Uow, principal: Authenticated) -> RuleRead:
    """Send a draft to the bank for approval (the drafting institution's registrars)."""
    require(principal, Action.DRAFT_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    return RuleRead.of(service.submit_rule(uow=uow, rule_id=rule_id, user_id=principal.user_id))


@api.post(
    "/rules/{rule_id}/approve",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def approve_rule(
    rule_id: int, uow: Uow, principal: Authenticated, body: RuleDecision | None = None
) -> RuleRead:
    """Approve a submitted version (bank administrators other than its author); logged."""
    require(principal, Action.APPROVE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    return RuleRead.of(
        service.approve_rule(
            uow=uow, rule_id=rule_id, user_id=principal.user_id, reason=body.reason if body else ""
        )
    )


@api.post(
    "/rules/{rule_id}/reject",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def reject_rule(rule_id: int, body: RuleDecision, uow: Uow, principal: Authenticated) -> RuleRead:
    """Reject a submitted version with a reason (bank administrators other than its author)."""
    require(principal, Action.APPROVE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    return RuleRead.of(
        service.reject_rule(uow=uow, rule_id=rule_id, user_id=principal.user_id, reason=body.reason)
    )


@api.post(
    "/rules/{rule_id}/retire",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def retire_rule(rule_id: int, body: RuleRetirement, uow: Uow, principal: Authenticated) -> RuleRead:
    """Retire an approved version from a date (its institution's registrars, bank
    administrators); logged."""
    require(principal, Action.RETIRE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    return RuleRead.of(
        service.retire_rule(
            uow=uow,
            rule_id=rule_id,
            user_id=principal.user_id,
            effective_on=body.effective_on,
            reason=body.reason,
        )
    )


@api.get(
    "/accounts/{number}/progress",
    response_model=ProgressRead,
    responses=responses(401, 403, 404, 422),
)
def read_progress(
    number: str,
    request: Request,
    uow: Uow,
    today: Today,
    now: Now,
    principal: Authenticated,
    programme: Annotated[str, Query(description="The programme's code.")],
    on: Annotated[date | None, Query(description="The date to audit on (today).")] = None,
) -> ProgressRead:
    """A learner's progress toward a programme: what counts, what approved rules could add (a
    what-if that applies nothing), what is missing, and the best plan with the reason for each
    choice (bank administrators, auditors; the programme's staff with the learner's consent)."""
    owner = service.programme_owner(uow=uow, code=programme)
    consenting = consents.consenting_institutions(uow=uow, account_number=number, now=now)
    require_consented(principal, Action.READ_PROGRESS, owner, consenting=consenting)
    found = service.progress(uow=uow, account_number=number, programme=programme, on=on or today)
    return ProgressRead.of(found, request.state.language)


@api.post(
    "/conversions",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversionRead,
    responses={
        200: {"model": ConversionRead, "description": "A dry run: the proposal, not stored."},
        **responses(401, 403, 404, 409, 422),
    },
)
def request_conversion(
    body: ConversionCreate,
    request: Request,
    response: Response,
    uow: Uow,
    today: Today,
    now: Now,
    principal: Authenticated,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=255,
            description="Send the same key to retry safely: the first answer is returned.",
        ),
    ] = None,
    dry_run: Annotated[bool, Query(description="Propose without storing anything.")] = False,
) -> ConversionRead | JSONResponse:
    """Request a conversion toward a programme for a learner (the programme's registrars with the
    learner's consent, bank administrators): the engine's best plan under the approved rules in
    force on the request date, stored as pending (201) for the programme's institution to
    confirm or decline; 409 when nothing is left to convert or a source is in use."""
    owner = service.programme_owner(uow=uow, code=body.programme)
    consenting = consents.consenting_institutions(
        uow=uow, account_number=body.account_number, now=now
    )
    require_consented(principal, Action.REQUEST_CONVERSION, owner, consenting=consenting)
    scope = f"user:{principal.user_id}"
    fingerprint = service.fingerprint(
        request.url.path,
        str(dry_run),
        json.dumps(body.model_dump(mode="json"), sort_keys=True),
    )
    if idempotency_key is not None:
        known = service.remembered(
            uow=uow, scope=scope, key=idempotency_key, fingerprint=fingerprint
        )
        if known is not None:
            return JSONResponse(known[1], status_code=known[0])
    conversion = service.request_conversion(
        uow=uow,
        account_number=body.account_number,
        programme=body.programme,
        on=body.on or today,
        requested_by=principal.email,
        dry_run=dry_run,
    )
    answer = ConversionRead.of(conversion, request.state.language)
    if dry_run:
        response.status_code = status.HTTP_200_OK
    if idempotency_key is not None:
        service.remember(
            uow=uow,
            scope=scope,
            key=idempotency_key,
            fingerprint=fingerprint,
            status_code=response.status_code or status.HTTP_201_CREATED,
            response=answer.model_dump(mode="json"),
        )
    return answer


@api.get(
    "/conversions/{public_id}", response_model=ConversionRead, responses=responses(401, 403, 404)
)
def read_conversion(
    public_id: str, request: Request, uow: Uow, principal: Authenticated
) -> ConversionRead:
    """A conversion with its grants, the reason for each, and its history."""
    require(
        principal,
        Action.READ_CONVERSION,
        service.conversion_owner(uow=uow, public_id=public_id),
    )
    return ConversionRead.of(
        service.get_conversion(uow=uow, public_id=public_id), request.state.language
    )


@api.post(
    "/conversions/{public_id}/confirm",
    response_model=ConversionRead,
    responses=responses(401, 403, 404, 409),
)
def confirm_conversion(
    public_id: str, request: Request, uow: Uow, principal: Authenticated
) -> ConversionRead:
    """Confirm a pending conversion (the programme's registrars, bank administrators): each
    grant becomes an outcome of transferred credit in the learner's account; logged."""
    require(
        principal,
        Action.DECIDE_CONVERSION,
        service.conversion_owner(uow=uow, public_id=public_id),
    )
    return ConversionRead.of(
        service.confirm_conversion(uow=uow, public_id=public_id, by=principal.email),
        request.state.language,
    )


@api.post(
    "/conversions/{public_id}/decline",
    response_model=ConversionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def decline_conversion(
    public_id: str,
    body: ConversionDecline,
    request: Request,
    uow: Uow,
    principal: Authenticated,
) -> ConversionRead:
    """Decline a pending conversion with a reason; its sources are free again."""
    require(
        principal,
        Action.DECIDE_CONVERSION,
        service.conversion_owner(uow=uow, public_id=public_id),
    )
    return ConversionRead.of(
        service.decline_conversion(
            uow=uow, public_id=public_id, by=principal.email, reason=body.reason
        ),
        request.state.language,
    )


@api.post(
    "/conversions/{public_id}/reverse",
    response_model=ConversionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def reverse_conversion(
    public_id: str,
    body: ConversionDecline,
    request: Request,
    uow: Uow,
    principal: Authenticated,
) -> ConversionRead:
    """Reverse a confirmed conversion after review, with a reason: its transferred credit is
    revoked and its sources are free again; logged."""
    require(
        principal,
        Action.DECIDE_CONVERSION,
        service.conversion_owner(uow=uow, public_id=public_id),
    )
    return ConversionRead.of(
        service.reverse_conversion(
            uow=uow,
            public_id=public_id,
            by=principal.email,
            user_id=principal.user_id,
            reason=body.reason,
        ),
        request.state.language,
    )


@api.get(
    "/accounts/{number}/conversions",
    response_model=list[ConversionRead],
    responses=responses(401, 403, 404, 422),
)
def list_conversions(
    number: str, request: Request, uow: Uow, principal: Authenticated
) -> list[ConversionRead]:
    """A learner's conversion requests, newest first (bank administrators, auditors)."""
    require(principal, Action.READ_CONVERSION, None)
    return [
        ConversionRead.of(c, request.state.language)
        for c in service.list_conversions(uow=uow, account_number=number)
    ]
