"""JSON shapes of peer banks (``*Create`` in, ``*Read`` out) and of the public trust list."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from creditbank.ledger.schemas import ReceiptRead, b64
from creditbank.peers.model import (
    AcceptedCheckpoint,
    Agreement,
    Fork,
    Peer,
    PeerEvent,
    PeerStatus,
    TrustedPeer,
)
from creditbank.peers.trust import PeerChange
from creditbank.peers.views import PeerDetail, SeenCheckpoint, TrustList
from creditbank.web.formats import UtcDateTime

MAX_CODES = 100


class AgreementRead(BaseModel):
    frameworks: list[str] = Field(description="Framework codes whose levels are recognised.")
    item_kinds: list[str] = Field(description="Kinds of catalogue item recognised.")
    institutions: list[str] = Field(description="The peer's institutions whose outcomes count.")
    valid_from: date
    valid_until: date | None

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementRead:
        return cls(
            frameworks=list(agreement.frameworks),
            item_kinds=list(agreement.item_kinds),
            institutions=list(agreement.institutions),
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
        )


class PeerCreate(BaseModel):
    origin: str = Field(
        max_length=255, description="The peer's log origin.", examples=["bank-a.example/log"]
    )
    log_key: str = Field(max_length=400, description="Its log's signed-note verifier key.")
    did: str = Field(max_length=255, examples=["did:web:bank-a.example"])
    url: str = Field(
        max_length=500, description="Its public URL.", examples=["https://bank-a.example"]
    )
    witness_url: str = Field(max_length=500, examples=["https://bank-a.example/witness"])
    witness_key: str = Field(max_length=400, description="Its witness's cosignature verifier key.")
    frameworks: list[str] = Field(default_factory=list, max_length=MAX_CODES)
    item_kinds: list[str] = Field(default_factory=list, max_length=MAX_CODES)
    institutions: list[str] = Field(default_factory=list, max_length=MAX_CODES)
    valid_from: date
    valid_until: date | None = None


class PeerRemove(BaseModel):
    reason: str = Field(max_length=500, description="Why the peer is taken off the trust list.")


class PeerEventRead(BaseModel):
    kind: PeerStatus
    actor: str
    at: UtcDateTime
    reason: str

    @classmethod
    def of(cls, event: PeerEvent) -> PeerEventRead:
        return cls(kind=event.kind, actor=event.actor, at=event.at, reason=event.reason)


class TrustedPeerRead(BaseModel):
    origin: str
    log_key: str
    did: str
    url: str
    witness_url: str
    witness_key: str
    agreement: AgreementRead

    @classmethod
    def of(cls, peer: TrustedPeer) -> TrustedPeerRead:
        return cls(
            origin=peer.origin,
            log_key=peer.log_key,
            did=peer.did,
            url=peer.url,
            witness_url=peer.witness_url,
            witness_key=peer.witness_key,
            agreement=AgreementRead.of(peer.agreement),
        )


class PeerRead(TrustedPeerRead):
    id: int
    status: PeerStatus
    version: int
    events: list[PeerEventRead]
    latest_size: int | None = Field(description="The largest tree of its log seen.")
    checkpoints_seen: int
    forks: int
    receipt: ReceiptRead | None = None

    @classmethod
    def of_peer(cls, peer: Peer, change: PeerChange | None = None) -> PeerRead:
        base = TrustedPeerRead.of(peer.peer)
        return cls(
            **base.model_dump(),
            id=peer.peer.id,
            status=peer.peer.status,
            version=peer.version,
            events=[PeerEventRead.of(e) for e in peer.events],
            latest_size=peer.latest_size,
            checkpoints_seen=peer.checkpoints_seen,
            forks=peer.forks,
            receipt=ReceiptRead.of(change.receipt) if change else None,
        )

    @classmethod
    def of_change(cls, change: PeerChange) -> PeerRead:
        return cls.of_peer(change.peer, change)


class SeenCheckpointRead(BaseModel):
    size: int
    root_hash: str
    source: str
    seen_at: UtcDateTime
    note: str

    @classmethod
    def of(cls, seen: SeenCheckpoint) -> SeenCheckpointRead:
        return cls(
            size=seen.size,
            root_hash=b64(seen.root_hash),
            source=seen.source,
            seen_at=seen.seen_at,
            note=seen.note,
        )


class ForkRead(BaseModel):
    id: int
    origin: str
    reason: str
    seen_checkpoint: str
    new_checkpoint: str
    found_at: UtcDateTime

    @classmethod
    def of(cls, fork: Fork) -> ForkRead:
        return cls(
            id=fork.id,
            origin=fork.evidence.origin,
            reason=fork.evidence.reason,
            seen_checkpoint=fork.evidence.seen,
            new_checkpoint=fork.evidence.new,
            found_at=fork.found_at,
        )


class PeerDetailRead(PeerRead):
    checkpoints: list[SeenCheckpointRead]
    fork_evidence: list[ForkRead]

    @classmethod
    def of_detail(cls, detail: PeerDetail) -> PeerDetailRead:
        return cls(
            **PeerRead.of_peer(detail.peer).model_dump(),
            checkpoints=[SeenCheckpointRead.of(c) for c in detail.checkpoints],
            fork_evidence=[ForkRead.of(f) for f in detail.forks],
        )


class TrustListRead(BaseModel):
    origin: str = Field(description="This bank's log origin.")
    log_key: str = Field(description="This bank's log verifier key.")
    url: str
    witness_url: str = Field(description="This bank's witness (C2SP tlog-witness).")
    witness_key: str = Field(description="Its witness's cosignature verifier key.")
    on: date = Field(description="The day the list holds for.")
    peers: list[TrustedPeerRead]

    @classmethod
    def of(cls, trust: TrustList) -> TrustListRead:
        return cls(
            origin=trust.origin,
            log_key=trust.log_key,
            url=trust.url,
            witness_url=trust.witness_url,
            witness_key=trust.witness_key,
            on=trust.on,
            peers=[TrustedPeerRead.of(p) for p in trust.peers],
        )


class CheckpointCreate(BaseModel):
    note: str = Field(
        max_length=64 * 1024,
        description="The peer's checkpoint: its signed note with the witnesses' cosignatures.",
    )


class AcceptedCheckpointRead(BaseModel):
    origin: str
    size: int
    root_hash: str
    cosignatures: int = Field(description="Valid cosignatures of witnesses this bank trusts.")

    @classmethod
    def of(cls, accepted: AcceptedCheckpoint) -> AcceptedCheckpointRead:
        return cls(
            origin=accepted.origin,
            size=accepted.size,
            root_hash=b64(accepted.root_hash),
            cosignatures=accepted.cosignatures,
        )
