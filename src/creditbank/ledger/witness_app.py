"""The witness over HTTP: ``POST /add-checkpoint`` exactly as https://c2sp.org/tlog-witness says.

A thin shell over :class:`~creditbank.ledger.witness.Witness`: the request body goes to
``add_checkpoint`` (in a worker thread, since it writes and flushes a file), its cosignature
lines come back as ``200``; a refusal becomes its status with the reason as plain text, except
``409``, whose body is the size of the tree the witness last cosigned, as ``text/x.tlog.size``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from creditbank.ledger.witness import Witness, WitnessRefusal

SIZE_MEDIA_TYPE = "text/x.tlog.size"


def make_witness_app(witness: Witness) -> FastAPI:
    """An ASGI application serving ``witness`` at ``POST /add-checkpoint``."""
    app = FastAPI(title="creditbank witness", openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        try:
            cosignatures = await run_in_threadpool(witness.add_checkpoint, body)
        except WitnessRefusal as refusal:
            if refusal.known_size is not None:
                # Set verbatim: Starlette would append "; charset=utf-8" to a text/ media type.
                return Response(
                    f"{refusal.known_size}\n",
                    status_code=refusal.status,
                    headers={"Content-Type": SIZE_MEDIA_TYPE},
                )
            return PlainTextResponse(refusal.reason + "\n", status_code=refusal.status)
        return PlainTextResponse(cosignatures)

    return app
