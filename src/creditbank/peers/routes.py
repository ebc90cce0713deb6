"""HTTP for peer banks: the trust list (bank administrators; auditors read), the public trust
list, this bank's witness of its peers' logs (C2SP tlog-witness), and the problem answer of a
fork (which keeps the evidence once the refused unit of work is rolled back). Thin: parse,
build the command, call its handler, render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from creditbank.db import Database
from creditbank.ledger.witness import WitnessRefusal
from creditbank.ledger.witness_app import SIZE_MEDIA_TYPE
from creditbank.peers import api as peers
from creditbank.peers import trust, views, witnessing
from creditbank.peers.commands import (
    AcceptCheckpoint,
    AddPeer,
    ApprovePeer,
    ListForks,
    ListPeers,
    RemovePeer,
    ShowPeer,
    ShowTrustList,
    WitnessCheckpoint,
)
from creditbank.peers.model import PeerStatus
from creditbank.peers.schemas import (
    AcceptedCheckpointRead,
    CheckpointCreate,
    ForkRead,
    PeerCreate,
    PeerDetailRead,
    PeerRead,
    PeerRemove,
    TrustListRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.i18n import translator_for
from creditbank.web.problems import problem_response, responses

api = APIRouter(prefix="/api/v1", tags=["peers"])
witness = APIRouter(tags=["peers"])
MAX_WITNESS_REQUEST = 1 << 20


@api.get("/peers", response_model=list[PeerRead], responses=responses(401, 403, 422))
def list_peers(
    uow: Uow,
    principal: Authenticated,
    status_: Annotated[
        PeerStatus | None, Query(alias="status", description="proposed, approved or removed.")
    ] = None,
) -> list[PeerRead]:
    """The trust list: peer banks with their agreements and history (administrators, auditors)."""
    found = views.list_peers(ListPeers(status_), principal=principal, uow=uow)
    return [PeerRead.of_peer(peer) for peer in found]


@api.post(
    "/peers",
    status_code=status.HTTP_201_CREATED,
    response_model=PeerRead,
    responses=responses(401, 403, 409, 422),
)
def add_peer(body: PeerCreate, uow: Uow, principal: Authenticated) -> PeerRead:
    """Propose a peer bank (a bank administrator); trusted once ANOTHER one approves it."""
    command = AddPeer(
        origin=body.origin,
        log_key=body.log_key,
        did=body.did,
        url=body.url,
        witness_url=body.witness_url,
        witness_key=body.witness_key,
        frameworks=tuple(body.frameworks),
        item_kinds=tuple(body.item_kinds),
        institutions=tuple(body.institutions),
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return PeerRead.of_change(trust.add_peer(command, principal=principal, uow=uow))


@api.get("/peers/forks", response_model=list[ForkRead], responses=responses(401, 403))
def list_forks(uow: Uow, principal: Authenticated) -> list[ForkRead]:
    """Evidence of forks found in peers' logs: both checkpoints of each, the newest first."""
    return [ForkRead.of(f) for f in views.list_forks(ListForks(), principal=principal, uow=uow)]


@api.get("/peers/{peer_id}", response_model=PeerDetailRead, responses=responses(401, 403, 404, 422))
def show_peer(peer_id: int, uow: Uow, principal: Authenticated) -> PeerDetailRead:
    """A peer bank with its history, the newest checkpoints of its log seen and its forks."""
    detail = views.show_peer(ShowPeer(str(peer_id)), principal=principal, uow=uow)
    return PeerDetailRead.of_detail(detail)


@api.post(
    "/peers/{peer_id}/approve",
    response_model=PeerRead,
    responses=responses(401, 403, 404, 409, 422),
)
def approve_peer(peer_id: int, uow: Uow, principal: Authenticated) -> PeerRead:
    """Approve a proposed peer: a bank administrator other than its proposer (four eyes)."""
    change = trust.approve_peer(ApprovePeer(str(peer_id)), principal=principal, uow=uow)
    return PeerRead.of_change(change)


@api.post(
    "/peers/{peer_id}/remove",
    response_model=PeerRead,
    responses=responses(401, 403, 404, 409, 422),
)
def remove_peer(peer_id: int, body: PeerRemove, uow: Uow, principal: Authenticated) -> PeerRead:
    """Take a peer off the trust list, with a reason (one bank administrator)."""
    command = RemovePeer(str(peer_id), body.reason)
    return PeerRead.of_change(trust.remove_peer(command, principal=principal, uow=uow))


@api.post(
    "/peers/{peer_id}/checkpoints",
    response_model=AcceptedCheckpointRead,
    responses=responses(401, 403, 404, 409, 422, 502),
)
def accept_checkpoint(
    peer_id: int, body: CheckpointCreate, uow: Uow, principal: Authenticated
) -> AcceptedCheckpointRead:
    """Check a peer's cosigned checkpoint now: at least k cosignatures of witnesses this bank
    trusts, consistent with every checkpoint of the peer seen (proofs fetched from its log);
    a fork is refused with both checkpoints (409) and its evidence kept."""
    command = AcceptCheckpoint(str(peer_id), body.note)
    accepted = witnessing.accept_peer_checkpoint(command, principal=principal, uow=uow)
    return AcceptedCheckpointRead.of(accepted)


@api.get("/trust-list", response_model=TrustListRead, responses=responses())
def trust_list(uow: Uow) -> TrustListRead:
    """Public: this bank's log and witness, and the peer banks it trusts today."""
    return TrustListRead.of(views.show_trust_list(ShowTrustList(), principal=None, uow=uow))


def _database(request: Request) -> Database:
    found: Database = request.app.state.database
    return found


def _size(note: str) -> int:
    lines = note.split("\n")
    return int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else -1


def _refused(refusal: WitnessRefusal) -> Response:
    if refusal.known_size is not None:
        return Response(
            f"{refusal.known_size}\n",
            status_code=refusal.status,
            headers={"Content-Type": SIZE_MEDIA_TYPE},
        )
    return PlainTextResponse(refusal.reason + "\n", status_code=refusal.status)


def _forked(database: Database, fork: peers.CheckpointFork) -> Response:
    """Keep the evidence (the refused unit of work was rolled back); answer as the protocol
    says: 409 with the size seen for the same tree with another root, else 422."""
    peers.keep_fork(database, fork)
    seen = _size(fork.evidence.seen)
    if seen == _size(fork.evidence.new):
        return Response(f"{seen}\n", status_code=409, headers={"Content-Type": SIZE_MEDIA_TYPE})
    return PlainTextResponse(fork.evidence.reason + "\n", status_code=422)


@witness.post("/witness/add-checkpoint", include_in_schema=False)
async def add_checkpoint(request: Request) -> Response:
    """This bank's witness (https://c2sp.org/tlog-witness) for its approved peers' logs: it
    cosigns a checkpoint signed by the peer's log key that grows append-only from the largest
    one seen; a fork is refused and its evidence kept. Not in the OpenAPI document: the C2SP
    protocol defines it (plain-text answers, ``text/x.tlog.size`` for 409), as for
    ``creditbank witness serve``."""
    body = await request.body()
    if len(body) > MAX_WITNESS_REQUEST:
        return PlainTextResponse("the request is too large\n", status_code=400)
    database = _database(request)

    def witness() -> Response:  # in a worker thread: it reads and writes the database
        try:
            with database.unit_of_work() as uow:
                command = WitnessCheckpoint(body)
                lines = witnessing.witness_checkpoint(command, principal=None, uow=uow)
        except WitnessRefusal as refusal:
            return _refused(refusal)
        except peers.CheckpointFork as fork:
            return _forked(database, fork)
        return PlainTextResponse(lines)

    return await run_in_threadpool(witness)


async def fork_refused(request: Request, error: Exception) -> Response:
    """The problem answer of a :class:`~creditbank.peers.api.CheckpointFork` anywhere in the API:
    its evidence is kept (a unit of work of its own: the refused one was rolled back), then
    the problem (409, both checkpoints as ``seen_checkpoint`` and ``new_checkpoint``)."""
    assert isinstance(error, peers.CheckpointFork)  # noqa: S101 - registered for this type only
    await run_in_threadpool(peers.keep_fork, _database(request), error)
    translate = translator_for(request).gettext
    return problem_response(
        request,
        "checkpoint-fork",
        error.message.render(translate),
        extensions=error.extensions,
    )
