"""HTTP for learners' accounts. Thin: authenticate, build the command, call its handler."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from creditbank.accounts import changes, deposits, intake, learners, outcomes, views
from creditbank.accounts.bulk import BatchStatus, render_errors
from creditbank.accounts.commands import (
    DepositOutcome,
    ImportBatch,
    OpenAccount,
    RevokeOutcome,
    ShowBatch,
    ShowDepositTemplate,
    ShowOutcome,
    ShowTranscript,
    SupersedeOutcome,
    VerifyOutcome,
)
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import AccountError, OutcomeStatus
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
from creditbank.file_limits import limits_of
from creditbank.institutions.model import check_institution_code
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import msg
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Today, Uow, cipher_of
from creditbank.web.i18n import translator_for
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["accounts"])
MAX_PROBLEMS_SHOWN = 100


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
    command = OpenAccount(
        id_number=body.id_number, name=body.name, id_type=body.id_type, contact=body.contact
    )
    opened = learners.open_account(command, principal=principal, uow=uow, cipher=cipher_of(request))
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
    command = DepositOutcome(
        institution=body.institution, account_number=body.account_number, facts=body.facts()
    )
    deposited = deposits.deposit_outcome(command, principal=principal, uow=uow, today=today)
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
    record = changes.show_outcome(ShowOutcome(public_id), principal=principal, uow=uow)
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
    command = VerifyOutcome(public_id, reason=body.reason if body else "")
    record = changes.verify_outcome(command, principal=principal, uow=uow)
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
    command = RevokeOutcome(public_id, reason=body.reason)
    record = changes.revoke_outcome(command, principal=principal, uow=uow)
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
    command = SupersedeOutcome(public_id, facts=body.facts(), reason=body.reason)
    corrected = changes.supersede_outcome(command, principal=principal, uow=uow, today=today)
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
    query = ShowTranscript(
        account_number=number,
        institution=institution,
        kind=kind,
        assessed_from=assessed_from,
        assessed_to=assessed_to,
        status=outcome_status,
        cursor=cursor,
        limit=limit,
    )
    page = views.show_transcript(query, principal=principal, uow=uow, now=now)
    return TranscriptRead(
        account_number=number.strip().upper(),
        outcomes=[OutcomeRead.of(o, request.state.language) for o in page.outcomes],
        next_cursor=views.encode_cursor(page.next_cursor),
    )


@api.post(
    "/deposits/batches",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchRead,
    responses=responses(401, 403, 404, 409, 413, 422),
)
def upload_batch(
    request: Request,
    uow: Uow,
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
    filename = file.filename or "upload"
    chosen = file_format or FileFormat.of(filename)
    command = ImportBatch(
        institution=code,
        filename=filename,
        file_format=chosen,
        rows=read_rows(file.file, chosen, limits_of(request.app.state.settings)),  # lazy
    )
    batch = deposits.import_batch(
        command,
        principal=principal,
        uow=uow,
        database=request.app.state.database,
        cipher=cipher_of(request),
        today=today,
    )
    translate = translator_for(request).gettext
    if batch.status is BatchStatus.REJECTED:
        shown = render_errors(batch, translate)[:MAX_PROBLEMS_SHOWN]
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
    "/deposits/template",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                "text/csv": {},
            },
            "description": "The blank file, as an attachment.",
        },
        **responses(401, 403, 404, 422),
    },
)
def deposit_template(
    uow: Uow,
    principal: Authenticated,
    file_format: Annotated[
        FileFormat, Query(alias="format", description="xlsx (the default) or csv.")
    ] = FileFormat.XLSX,
    institution: Annotated[
        str | None,
        Query(description="The depositing institution's code (the caller's own when omitted)."),
    ] = None,
) -> Response:
    """The bulk deposit template of an institution (its registrars, bank administrators): XLSX
    with a Chinese and an English header row, the identity number column formatted as text and
    drop-down lists of the institution's items, their levels and the learning settings; or CSV
    (UTF-8 with a BOM, Chinese headers). Filled in, it is a bulk deposit file. 422
    `invalid-file` for a format other than xlsx or csv."""
    template = intake.show_deposit_template(
        ShowDepositTemplate(file_format, institution), principal=principal, uow=uow
    )
    return Response(
        template.content,
        media_type=template.media_type,
        headers={"Content-Disposition": f'attachment; filename="{template.filename}"'},
    )


@api.get(
    "/deposits/batches/{batch_id}",
    response_model=BatchRead,
    responses=responses(401, 403, 404, 422),
)
def read_batch(batch_id: str, request: Request, uow: Uow, principal: Authenticated) -> BatchRead:
    """A batch's status and report (its institution's registrars, administrators, auditors)."""
    batch = views.show_batch(ShowBatch(batch_id), principal=principal, uow=uow)
    return BatchRead.of(batch, translator_for(request).gettext)
