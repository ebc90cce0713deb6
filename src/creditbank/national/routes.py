"""HTTP of the national platform: taking a signed batch (no login: the signature says who sent
it), the public figures, the pilot schools (bank administrators; auditors read) and, at a
regional bank, sending this bank's batch. Thin: parse, build the command, call its handler,
render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from creditbank.db import Database
from creditbank.messages import msg
from creditbank.national import counting, receiving, sending
from creditbank.national.commands import (
    CountResults,
    ListBatches,
    ListSchools,
    ReceiveBatch,
    RegisterSchool,
    SendReferences,
)
from creditbank.national.model import NationalError
from creditbank.national.schemas import (
    BatchRead,
    CountsRead,
    SchoolCreate,
    SchoolRead,
    SendCreate,
    SentRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/national", tags=["national"])
MAX_BATCH_BYTES = 4 << 20


@api.post(
    "/batches",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchRead,
    responses=responses(403, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def receive_batch(request: Request) -> BatchRead:
    """Take a signed batch of references from a regional bank (a trusted peer, signed by its
    log key) or a pilot school (signed by its registered key): refused whole, storing nothing,
    when its signature, sender or any reference is bad (each named by its position); a
    reference already held is not counted again."""
    body = await request.body()
    if len(body) > MAX_BATCH_BYTES:
        raise NationalError(
            "invalid_batch",
            msg("a batch may be at most {n} bytes; send the rest in another", n=MAX_BATCH_BYTES),
        )
    database: Database = request.app.state.database

    def receive() -> BatchRead:  # the unit of work and the handler off the event loop
        with database.unit_of_work() as uow:
            receipt = receiving.receive_batch(ReceiveBatch(body), principal=None, uow=uow)
        return BatchRead.of(receipt)

    return await run_in_threadpool(receive)


@api.get("/counts", response_model=CountsRead, responses=responses(422))
def count_results(
    request: Request,
    uow: Uow,
    kind: Annotated[str | None, Query(max_length=40, description="An item kind.")] = None,
    item: Annotated[
        str | None, Query(max_length=130, description="OWNER/CODE, e.g. SHOU/SH-101.")
    ] = None,
    level: Annotated[
        str | None,
        Query(max_length=140, description="FRAMEWORK:CODE or FRAMEWORK@VERSION:CODE."),
    ] = None,
    year: Annotated[int | None, Query(description="The year results were assessed in.")] = None,
    bank: Annotated[str | None, Query(max_length=255, description="A bank's log origin.")] = None,
) -> CountsRead:
    """Public: how many results the references of all banks hold for the question, in all,
    by bank, by year and by bank and year; a count below the threshold is shown as '<N'."""
    counts = counting.count_results(
        CountResults(kind=kind, item=item, level=level, year=year, bank=bank),
        principal=None,
        uow=uow,
        suppress_below=request.app.state.settings.national_suppress_below,
    )
    return CountsRead.of(counts)


@api.get("/schools", response_model=list[SchoolRead], responses=responses(401, 403))
def list_schools(uow: Uow, principal: Authenticated) -> list[SchoolRead]:
    """The pilot schools registered to send batches (administrators, auditors)."""
    found = receiving.list_schools(ListSchools(), principal=principal, uow=uow)
    return [SchoolRead.of(school) for school in found]


@api.post(
    "/schools",
    status_code=status.HTTP_201_CREATED,
    response_model=SchoolRead,
    responses=responses(401, 403, 409, 422),
)
def register_school(body: SchoolCreate, uow: Uow, principal: Authenticated) -> SchoolRead:
    """Register a pilot school and the signed-note key its batches are signed with."""
    command = RegisterSchool(body.code, body.name, body.origin, body.verifier_key)
    return SchoolRead.of(receiving.register_school(command, principal=principal, uow=uow))


@api.get("/batches", response_model=list[BatchRead], responses=responses(401, 403))
def list_batches(
    uow: Uow,
    principal: Authenticated,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[BatchRead]:
    """The batches received, the newest first (administrators, auditors)."""
    found = receiving.list_batches(ListBatches(limit), principal=principal, uow=uow)
    return [BatchRead.of(batch) for batch in found]


@api.post(
    "/send",
    response_model=SentRead,
    responses=responses(401, 403, 409, 422, 502),
)
def send_references(
    request: Request, body: SendCreate, uow: Uow, principal: Authenticated
) -> SentRead:
    """A regional bank: send the national bank the references to the outcomes deposited since
    the last batch sent there, signed by this bank's log key (a bank administrator)."""
    url = body.url or request.app.state.settings.national_url or ""
    sent = sending.send_references(SendReferences(url), principal=principal, uow=uow)
    return SentRead.of(sent)
