"""HTTP for the ledger: checkpoints, entries, proofs, the log's key, records' receipts.

Public, as a transparency log must be: entries carry no personal data. Thin: parse, call a
handler (:mod:`creditbank.ledger.views`), shape the answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from creditbank.ledger import views
from creditbank.ledger.commands import (
    ListEntries,
    ProveConsistency,
    ProveInclusion,
    ShowCheckpoint,
    ShowLogKey,
    ShowReceipts,
)
from creditbank.ledger.schemas import (
    ConsistencyProofRead,
    EntriesRead,
    EntryRead,
    InclusionProofRead,
    RecordReceiptRead,
    RecordReceiptsRead,
    b64,
)
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["ledger"])
NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"


@api.get(
    "/log/checkpoint",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}, **responses(404)},
)
def checkpoint(uow: Uow) -> PlainTextResponse:
    """The newest checkpoint (C2SP tlog-checkpoint, signed note) with witnesses' cosignatures."""
    text = views.show_checkpoint(ShowCheckpoint(), principal=None, uow=uow)
    return PlainTextResponse(text, media_type=NOTE_MEDIA_TYPE)


@api.get(
    "/log/key",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}, **responses()},
)
def key(uow: Uow) -> PlainTextResponse:
    """The log's verifier key in signed-note form (``name+hash+base64``), one line."""
    verifier_key = views.show_log_key(ShowLogKey(), principal=None, uow=uow)
    return PlainTextResponse(verifier_key + "\n", media_type=NOTE_MEDIA_TYPE)


@api.get("/log/entries", response_model=EntriesRead, responses=responses(404, 422))
def entries(
    uow: Uow,
    start: Annotated[int, Query(ge=0, description="First leaf index.")],
    end: Annotated[int, Query(ge=1, description="One past the last leaf index (at most 1000).")],
) -> EntriesRead:
    """Entries ``start`` to ``end - 1`` of the log, base64, with their leaf indexes."""
    found = views.list_entries(ListEntries(start, end), principal=None, uow=uow)
    return EntriesRead(
        entries=[EntryRead(leaf_index=e.leaf_index, entry=b64(e.body)) for e in found]
    )


@api.get("/log/proof/inclusion", response_model=InclusionProofRead, responses=responses(404, 422))
def inclusion(
    uow: Uow,
    tree_size: Annotated[int, Query(ge=1, description="The size of the tree to prove against.")],
    index: Annotated[int | None, Query(ge=0, description="The leaf index.")] = None,
    leaf_hash: Annotated[str | None, Query(description="Or the leaf hash, base64.")] = None,
) -> InclusionProofRead:
    """RFC 9162 inclusion proof of a leaf (by index or by leaf hash) in a tree of the log."""
    query = ProveInclusion(tree_size, index, leaf_hash)
    proof = views.prove_inclusion(query, principal=None, uow=uow)
    return InclusionProofRead(
        leaf_index=proof.leaf_index,
        tree_size=proof.tree_size,
        hashes=[b64(node) for node in proof.hashes],
    )


@api.get(
    "/log/proof/consistency", response_model=ConsistencyProofRead, responses=responses(404, 422)
)
def consistency(
    uow: Uow,
    first: Annotated[int, Query(ge=0, description="The smaller tree size.")],
    second: Annotated[int, Query(ge=1, description="The larger tree size.")],
) -> ConsistencyProofRead:
    """RFC 9162 consistency proof that the tree of ``second`` entries extends that of ``first``."""
    proof = views.prove_consistency(ProveConsistency(first, second), principal=None, uow=uow)
    return ConsistencyProofRead(first=first, second=second, hashes=[b64(node) for node in proof])


@api.get(
    "/records/{record_id}/receipt", response_model=RecordReceiptsRead, responses=responses(404)
)
def receipt(uow: Uow, record_id: str) -> RecordReceiptsRead:
    """Every log entry of a record (its deposit, verification, ...), each with an inclusion proof
    against the newest checkpoint, which is included."""
    found = views.show_receipts(ShowReceipts(record_id.strip()), principal=None, uow=uow)
    return RecordReceiptsRead(
        record_id=record_id,
        receipts=[
            RecordReceiptRead(
                kind=r.entry.kind,
                leaf_index=r.entry.leaf_index,
                leaf_hash=b64(r.entry.leaf_hash),
                entry=b64(r.entry.body),
                inclusion_proof=InclusionProofRead(
                    leaf_index=r.entry.leaf_index,
                    tree_size=r.checkpoint.tree_size,
                    hashes=[b64(node) for node in r.proof],
                ),
                checkpoint=r.checkpoint.text,
            )
            for r in found
        ],
    )
