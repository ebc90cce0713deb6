"""HTTP for programmes, conversion rules, progress and conversions. Thin: authenticate, build
the command, call its handler (which checks the policy), render."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from creditbank.conversion import idempotency, programmes, requests, rules, views
from creditbank.conversion.commands import (
    ApproveRule,
    ConfirmConversion,
    DeclineConversion,
    DefineProgramme,
    DraftRule,
    ListConversions,
    ListProgrammes,
    ListRules,
    RejectRule,
    RequestConversion,
    RetireRule,
    ReverseConversion,
    ShowConversion,
    ShowProgramme,
    ShowProgress,
    ShowRule,
    SubmitRule,
)
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
    command = DefineProgramme(body.spec())
    return ProgrammeRead.of(programmes.define_programme(command, principal=principal, uow=uow))


@api.get("/programmes", response_model=list[ProgrammeRead], responses=responses(401, 404))
def list_programmes(
    uow: Uow, principal: Authenticated, institution: str | None = None
) -> list[ProgrammeRead]:
    """Programmes, optionally of one institution."""
    found = views.list_programmes(ListProgrammes(institution), principal=principal, uow=uow)
    return [ProgrammeRead.of(p) for p in found]


@api.get("/programmes/{code}", response_model=ProgrammeRead, responses=responses(401, 404))
def read_programme(code: str, uow: Uow, principal: Authenticated) -> ProgrammeRead:
    return ProgrammeRead.of(views.show_programme(ShowProgramme(code), principal=principal, uow=uow))


@api.post(
    "/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def draft_rule(body: RuleCreate, uow: Uow, principal: Authenticated) -> RuleRead:
    """Draft a conversion rule, or a new version of one (the institution's registrars, bank
    administrators). An open draft of the same code is withdrawn in its favour."""
    command = DraftRule(body.institution, body.draft())
    return RuleRead.of(rules.draft_rule(command, principal=principal, uow=uow))


@api.get("/rules", response_model=list[RuleRead], responses=responses(401, 404, 422))
def list_rules(
    uow: Uow,
    principal: Authenticated,
    institution: str | None = None,
    status: RuleStatus | None = None,
    programme: str | None = None,
) -> list[RuleRead]:
    """Rule versions, filtered by drafting institution, status and programme."""
    query = ListRules(institution=institution, status=status, programme=programme)
    return [RuleRead.of(rule) for rule in views.list_rules(query, principal=principal, uow=uow)]


@api.get("/rules/{rule_id}", response_model=RuleRead, responses=responses(401, 404))
def read_rule(rule_id: int, uow: Uow, principal: Authenticated) -> RuleRead:
    return RuleRead.of(views.show_rule(ShowRule(rule_id), principal=principal, uow=uow))


@api.post(
    "/rules/{rule_id}/submit",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409),
)
def submit_rule(rule_id: int, uow: Uow, principal: Authenticated) -> RuleRead:
    """Send a draft to the bank for approval (the drafting institution's registrars)."""
    return RuleRead.of(rules.submit_rule(SubmitRule(rule_id), principal=principal, uow=uow))


@api.post(
    "/rules/{rule_id}/approve",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def approve_rule(
    rule_id: int, uow: Uow, principal: Authenticated, body: RuleDecision | None = None
) -> RuleRead:
    """Approve a submitted version (bank administrators other than its author); logged."""
    command = ApproveRule(rule_id, body.reason if body else "")
    return RuleRead.of(rules.approve_rule(command, principal=principal, uow=uow))


@api.post(
    "/rules/{rule_id}/reject",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def reject_rule(rule_id: int, body: RuleDecision, uow: Uow, principal: Authenticated) -> RuleRead:
    """Reject a submitted version with a reason (bank administrators other than its author)."""
    command = RejectRule(rule_id, body.reason)
    return RuleRead.of(rules.reject_rule(command, principal=principal, uow=uow))


@api.post(
    "/rules/{rule_id}/retire",
    response_model=RuleRead,
    responses=responses(401, 403, 404, 409, 422),
)
def retire_rule(rule_id: int, body: RuleRetirement, uow: Uow, principal: Authenticated) -> RuleRead:
    """Retire an approved version from a date (its institution's registrars, bank
    administrators); logged."""
    command = RetireRule(rule_id, body.effective_on, body.reason)
    return RuleRead.of(rules.retire_rule(command, principal=principal, uow=uow))


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
    query = ShowProgress(number, programme, on or today)
    found = views.show_progress(query, principal=principal, uow=uow, now=now)
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
    fingerprint = idempotency.fingerprint(
        request.url.path,
        str(dry_run),
        json.dumps(body.model_dump(mode="json"), sort_keys=True),
    )
    command = RequestConversion(
        account_number=body.account_number,
        programme=body.programme,
        on=body.on or today,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    conversion = requests.request_conversion(command, principal=principal, uow=uow, now=now)
    if isinstance(conversion, requests.Replay):
        return JSONResponse(conversion.body, status_code=conversion.status_code)
    answer = ConversionRead.of(conversion, request.state.language)
    if dry_run:
        response.status_code = status.HTTP_200_OK
    if idempotency_key is not None:
        idempotency.remember(
            uow=uow,
            scope=requests.idempotency_scope(principal),
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
    found = views.show_conversion(ShowConversion(public_id), principal=principal, uow=uow)
    return ConversionRead.of(found, request.state.language)


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
    command = ConfirmConversion(public_id)
    return ConversionRead.of(
        requests.confirm_conversion(command, principal=principal, uow=uow),
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
    command = DeclineConversion(public_id, body.reason)
    return ConversionRead.of(
        requests.decline_conversion(command, principal=principal, uow=uow),
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
    command = ReverseConversion(public_id, body.reason)
    return ConversionRead.of(
        requests.reverse_conversion(command, principal=principal, uow=uow),
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
    found = views.list_conversions(ListConversions(number), principal=principal, uow=uow)
    return [ConversionRead.of(c, request.state.language) for c in found]
