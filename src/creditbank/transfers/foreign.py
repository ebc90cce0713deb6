"""The bank's public verifier, asked about a credential a trusted peer bank issued.

A credential of this bank is verified from its own database (credentials' ``BankResolver``). One
whose issuer is a ``did:web`` on the host of an approved peer in force is verified as a transfer
import verifies it (:class:`~creditbank.transfers.verification.PeerResolver`: the peer's DID
documents and status lists, fetched from the peer's URL only), and its self-contained receipt is
checked against the peer's newest checkpoint: fetched from the peer with the inclusion proof of
the credential's leaf, signed by the peer's log key and cosigned by at least the required number
of the witnesses this bank trusts for that peer (never the peer's own). The composition root wires
:func:`peer_resolver` as a resolver of other banks' credentials; nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from creditbank.credentials import api as credentials
from creditbank.db import UnitOfWork
from creditbank.peers import api as peers
from creditbank.transfers.verification import Fetch, PeerResolver, http_fetch


@dataclass
class PeerCredentialResolver(PeerResolver):
    """A :class:`PeerResolver` that also proves a leaf of the peer's log, from the peer."""

    witness_keys: tuple[str, ...] = ()
    required: int = 1
    checkpoint: str | None = None
    """The peer's newest checkpoint, fetched once for all the credentials of one verification
    (a CLR's share it)."""

    def log_proof(self, origin: str, leaf_index: int) -> credentials.LogProof | None:
        """The inclusion proof of leaf ``leaf_index`` against the peer's newest checkpoint (as
        the peer serves them); None if ``origin`` is not the peer's log or the peer cannot say."""
        if origin != self.peer.origin:
            return None
        try:
            if self.checkpoint is None:
                self.checkpoint = self.fetch(f"{self.base}/api/v1/log/checkpoint").decode()
            checkpoint = self.checkpoint
            size = int(checkpoint.split("\n")[1])
            proof = json.loads(
                self.fetch(
                    f"{self.base}/api/v1/log/proof/inclusion?tree_size={size}&index={leaf_index}"
                )
            )
        except (OSError, ValueError, IndexError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(proof, dict):
            return None
        return credentials.LogProof(
            receipt=proof,
            checkpoint=checkpoint,
            log_key=self.peer.log_key,
            witness_keys=self.witness_keys,
            k=self.required,
        )


def peer_resolver(
    uow: UnitOfWork, issuer: str, now: datetime, fetch: Fetch = http_fetch
) -> PeerCredentialResolver | None:
    """The resolver for a credential issued by ``issuer`` (its DID) when that is a ``did:web``
    of an approved peer in force; None otherwise (this bank's own, or nobody it trusts)."""
    del now  # the verifier judges validity at its own moment
    try:
        host, _ = credentials.did_web_parts(issuer)
    except credentials.KeyFormatError:
        return None
    peer = peers.trusted_peer_at(uow=uow, host=host)
    if peer is None:
        return None
    return PeerCredentialResolver(
        peer=peer,
        fetch=fetch,
        witness_keys=peers.witness_keys_for(uow=uow, peer=peer),
        required=peers.cosignatures_required(uow=uow),
    )
