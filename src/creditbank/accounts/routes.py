"""HTTP for learners' accounts. Thin: authenticate, check the policy, call the service."""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from creditbank.access.policy import Action, readable_issuer, require
from creditbank.accounts import bulk, lifecycle, outcomes, service
from creditbank.accounts.bulk import BatchStatus
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import AccountError, OutcomeStatus, parse_id_number
from creditbank.accounts.schemas import (
    AccountOpenedRead,
    BatchRead,
    LearnerCreate,
    OutcomeCorrection,
    OutcomeCreate,
    OutcomeDepositedRead,
    OutcomeDetailRead,
    OutcomeRead,
    RevocationCreate,
    TranscriptRead,
    VerificationCreate,
)
from creditbank.catalog.api import ItemKind
from creditbank.consents import api as consents
from creditbank.file_limits import limits_of
from creditbank.institutions.model import check_institution_code
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import msg
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Today, Uow
from creditbank.web.i18n import translator_for
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["accounts"])
MAX_PROBLEMS_SHOWN = 100


def cipher_of(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


@api.post(
    "/learners",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountOpenedRead,
    responses={
        200: {
            "model": AccountOpenedRead,
            "description": "The learner had an account already, under the name sent.",
        },
        **responses(401, 403, 404, 409, 422),
    },
)
def open_account(
    body: LearnerCreate, request: Request, response: Response, uow: Uow, principal: Authenticated
) -> AccountOpenedRead:
    """Open a learner's personal learning account: 201; or 200 with the account the identity
    number has already, when the name sent is the holder's (compared after Unicode NFKC
    normalisation, case folding and collapsing spaces); else 409 `account-exists`, which
    discloses nothing of that account."""
    require(principal, Action.OPEN_ACCOUNT, principal.institution)
    opened = service.open_account(
        uow=uow,
        cipher=cipher_of(request),
        id_number=parse_id_number(body.id_number, body.id_type),
        name=body.name,
        contact=body.contact,
        opened_by=principal.institution,
    )
    if not opened.created:
        response.status_code = status.HTTP_200_OK
    return AccountOpenedRead(account_number=opened.number, created=opened.created)


@api.post(
    "/outcomes",
    status_code=status.HTTP_201_CREATED,
    response_model=OutcomeDepositedRead,
    responses={
        200: {
            "model": OutcomeDepositedRead,
            "description": "The same record was deposited before.",
        },
        **responses(401, 403, 404, 409, 422),
    },
)
def deposit_outcome(
    body: OutcomeCreate,
    request: Request,
    response: Response,
    uow: Uow,
    today: Today,
    principal: Authenticated,
) -> OutcomeDepositedRead:
    """Deposit one learning outcome (the issuing institution's registrars): 201, or 200 if known."""
    require(principal, Action.DEPOSIT, check_institution_code(body.institution))
    deposited = outcomes.deposit_outcome(
        uow=uow,
        institution=body.institution,
        account_number=body.account_number,
        facts=body.facts(),
        today=today,
    )
    if not deposited.created:
        response.status_code = status.HTTP_200_OK
    return OutcomeDepositedRead(
        **OutcomeRead.of(deposited.outcome, request.state.language).model_dump(),
        receipt=ReceiptRead.of(deposited.receipt),
    )


@api.get(
    "/outcomes/{public_id}",
    response_model=OutcomeDetailRead,
    responses=responses(401, 403, 404),
)
def read_outcome(
    public_id: str, request: Request, uow: Uow, principal: Authenticated
) -> OutcomeDetailRead:
    """One outcome with its status and history, and links to what it replaced or was replaced
    by (the issuer's staff, bank administrators, auditors). Superseded and revoked outcomes stay
    readable."""
    require(principal, Action.READ_OUTCOMES, lifecycle.issuer_of(uow=uow, public_id=public_id))
    record = lifecycle.get_outcome(uow=uow, public_id=public_id)
    return OutcomeDetailRead.of_record(record, request.state.language)


@api.post(
    "/outcomes/{public_id}/verification",
    response_model=OutcomeDetailRead,
    responses=responses(401, 403, 404, 409, 422),
)
def verify_outcome(
    public_id: str,
    request: Request,
    uow: Uow,
    principal: Authenticated,
    body: VerificationCreate | None = None,
) -> OutcomeDetailRead:
    """Record that the outcome was verified (the issuer's assessors and accreditation officers,
    bank administrators); 409 unless it is `deposited`."""
    require(principal, Action.VERIFY_OUTCOME, lifecycle.issuer_of(uow=uow, public_id=public_id))
    record = lifecycle.verify_outcome(
        uow=uow, public_id=public_id, user_id=principal.user_id, reason=body.reason if body else ""
    )
    return OutcomeDetailRead.of_record(record, request.state.language)


@api.post(
    "/outcomes/{public_id}/revocation",
    response_model=OutcomeDetailRead,
    responses=responses(401, 403, 404, 409, 422),
)
def revoke_outcome(
    public_id: str, body: RevocationCreate, request: Request, uow: Uow, principal: Authenticated
) -> OutcomeDetailRead:
    """Revoke an outcome, with a reason (the issuer's registrars, bank administrators); 409 when
    it is revoked or superseded already."""
    require(principal, Action.REVOKE_OUTCOME, lifecycle.issuer_of(uow=uow, public_id=public_id))
    record = lifecycle.revoke_outcome(
        uow=uow, public_id=public_id, user_id=principal.user_id, reason=body.reason
    )
    return OutcomeDetailRead.of_record(record, request.state.language)


@api.post(
    "/outcomes/{public_id}/supersession",
    status_code=status.HTTP_201_CREATED,
    response_model=OutcomeDetailRead,
    responses={
        200: {"model": OutcomeDetailRead, "description": "The same correction was sent before."},
        **responses(401, 403, 404, 409, 422),
    },
)
def supersede_outcome(
    public_id: str,
    body: OutcomeCorrection,
    request: Request,
    response: Response,
    uow: Uow,
    today: Today,
    principal: Authenticated,
) -> OutcomeDetailRead:
    """Correct an outcome (the issuer's registrars, bank administrators): the corrected facts are
    deposited as a new outcome under a record_id of their own (201), and the old one is marked
    superseded by it; 200 when the same correction was sent before; 409 when the outcome is
    revoked or superseded already."""
    require(principal, Action.SUPERSEDE_OUTCOME, lifecycle.issuer_of(uow=uow, public_id=public_id))
    corrected = lifecycle.supersede_outcome(
        uow=uow,
        public_id=public_id,
        facts=body.facts(),
        reason=body.reason,
        user_id=principal.user_id,
        today=today,
    )
    if not corrected.created:
        response.status_code = status.HTTP_200_OK
    return OutcomeDetailRead.of_record(corrected.record, request.state.language)


@api.get(
    "/accounts/{number}/outcomes",
    response_model=TranscriptRead,
    responses=responses(401, 403, 404, 422),
)
def read_transcript(
    number: str,
    request: Request,
    uow: Uow,
    now: Now,
    principal: Authenticated,
    kind: Annotated[ItemKind | None, Query()] = None,
    institution: Annotated[str | None, Query(description="Issuing institution code.")] = None,
    assessed_from: Annotated[date | None, Query(alias="from")] = None,
    assessed_to: Annotated[date | None, Query(alias="to")] = None,
    outcome_status: Annotated[OutcomeStatus | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(description="From the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=outcomes.MAX_PAGE)] = 100,
) -> TranscriptRead:
    """A learner's outcomes. Staff of an institution see the outcomes their institution issued,
    and all of them while the learner consents; bank administrators and auditors see all."""
    asked = check_institution_code(institution) if institution else None
    consenting = consents.consenting_institutions(uow=uow, account_number=number, now=now)
    page = outcomes.transcript(
        uow=uow,
        account_number=number,
        issued_by=readable_issuer(principal, asked, consenting=consenting),
        kind=kind,
        assessed_from=assessed_from,
        assessed_to=assessed_to,
        status=outcome_status,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return TranscriptRead(
        account_number=number.strip().upper(),
        outcomes=[OutcomeRead.of(o, request.state.language) for o in page.outcomes],
        next_cursor=encode_cursor(page.next_cursor),
    )


def encode_cursor(position: int | None) -> str | None:
    if position is None:
        return None
    return base64.urlsafe_b64encode(f"o:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The position an opaque cursor stands for; a bad cursor is a clear 422."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, position = text.partition(":")
        if prefix != "o" or not position.isdigit():
            raise ValueError(text)  # noqa: TRY301 - one message for every malformed cursor
        return int(position)
    except (ValueError, UnicodeDecodeError) as error:
        raise AccountError(
            "invalid_cursor", msg("the cursor is not one this API gave out")
        ) from error


@api.post(
    "/deposits/batches",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchRead,
    responses=responses(401, 403, 404, 409, 413, 422),
)
def upload_batch(
    request: Request,
    today: Today,
    principal: Authenticated,
    institution: Annotated[str, Form(description="The depositing institution's code.")],
    file: Annotated[UploadFile, File(description="CSV, XLSX or JSON Lines; see the README.")],
    file_format: Annotated[FileFormat | None, Form(alias="format")] = None,
) -> BatchRead:
    """Deposit a whole file, all or nothing. 201 with the batch when every row was good;
    422 `batch-rejected` (with `batch`, the URL of the full report) when any row was not;
    a file that cannot be read within the limits (not UTF-8, a line or field too long, deep
    JSON, NUL, a workbook unpacking too large...) is refused whole, no batch kept: 413
    `file-too-large` or 422 `invalid-file`, naming the line (row) and the reason."""
    code = check_institution_code(institution)
    require(principal, Action.DEPOSIT, code)
    filename = file.filename or "upload"
    chosen = file_format or FileFormat.of(filename)
    batch = bulk.import_batch(
        database=request.app.state.database,
        cipher=cipher_of(request),
        institution=code,
        submitted_by=principal.email,
        filename=filename,
        file_format=chosen,
        rows=read_rows(file.file, chosen, limits_of(request.app.state.settings)),
        today=today,
    )
    translate = translator_for(request).gettext
    if batch.status is BatchStatus.REJECTED:
        shown = bulk.render_errors(batch, translate)[:MAX_PROBLEMS_SHOWN]
        raise AccountError(
            "batch_rejected",
            msg(
                "{bad} problems in {rows} rows; nothing was deposited",
                bad=batch.error_count,
                rows=batch.rows,
            ),
            [
                msg("line {line}, {column}: {reason}", line=line, column=column, reason=reason)
                for line, column, reason in shown
            ],
            extensions={"batch": f"/api/v1/deposits/batches/{batch.id}", "batch_id": batch.id},
        )
    return BatchRead.of(batch, translate)


@api.get(
    "/deposits/batches/{batch_id}",
    response_model=BatchRead,
    responses=responses(401, 403, 404, 422),
)
def read_batch(batch_id: str, request: Request, uow: Uow, principal: Authenticated) -> BatchRead:
    """A batch's status and report (its institution's registrars, administrators, auditors)."""
    batch = bulk.get_batch(uow=uow, batch_id=batch_id)
    require(principal, Action.READ_BATCH, batch.institution)
    return BatchRead.of(batch, translator_for(request).gettext)
