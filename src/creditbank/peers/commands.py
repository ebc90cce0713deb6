"""The use cases of peer banks, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.peers.model import PeerStatus


@dataclass(frozen=True, slots=True)
class AddPeer:
    """Propose a peer bank for the trust list (another bank administrator approves it)."""

    origin: str
    log_key: str
    did: str
    url: str
    witness_url: str
    witness_key: str
    frameworks: tuple[str, ...]
    item_kinds: tuple[str, ...]
    institutions: tuple[str, ...]
    valid_from: date
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class ApprovePeer:
    """Approve a proposed peer (a bank administrator other than the one who proposed it).
    ``peer``: its id, or its origin."""

    peer: str


@dataclass(frozen=True, slots=True)
class RemovePeer:
    """Take a peer (proposed or approved) off the trust list, with a reason."""

    peer: str
    reason: str


@dataclass(frozen=True, slots=True)
class ListPeers:
    """The trust list: every peer, or those of one status."""

    status: PeerStatus | None = None


@dataclass(frozen=True, slots=True)
class ShowPeer:
    """One peer with its history, the checkpoints seen and the forks found."""

    peer: str


@dataclass(frozen=True, slots=True)
class ListForks:
    """The evidence of forks found in peers' logs, the newest first."""


@dataclass(frozen=True, slots=True)
class ShowTrustList:
    """The bank's public trust list: itself (log, witness) and its approved peers in force."""


@dataclass(frozen=True, slots=True)
class WitnessCheckpoint:
    """A tlog-witness ``add-checkpoint`` request for a peer's log (the request's body)."""

    body: bytes


@dataclass(frozen=True, slots=True)
class AcceptCheckpoint:
    """Check a peer's cosigned checkpoint now (k cosignatures, consistent with all seen) and
    remember it as seen: how an administrator follows a peer's log by hand."""

    peer: str
    note: str
