"""Handlers of the log's public reads: checkpoints, the key, entries, proofs, receipts.

Public, as a transparency log must be (entries carry no personal data): every handler here
accepts any principal, or none.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.ledger import service
from creditbank.ledger.commands import (
    ListEntries,
    ProveConsistency,
    ProveInclusion,
    ShowCheckpoint,
    ShowLogKey,
    ShowReceipts,
)
from creditbank.ledger.service import LogError, LoggedEntry, RecordReceipt
from creditbank.messages import msg
from creditbank.usecases import handler

Anyone = Principal | LearnerPrincipal | None
SHA256_BYTES = 32


@dataclass(frozen=True, slots=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    hashes: list[bytes]


@handler
def show_checkpoint(query: ShowCheckpoint, *, principal: Anyone, uow: UnitOfWork) -> str:
    """The newest checkpoint's text (signed note and cosignature lines)."""
    del query, principal  # public, and asks nothing
    latest = service.latest_checkpoint(uow)
    if latest is None:
        raise LogError("log_empty", msg("the log has no checkpoint yet: nothing was recorded"))
    return latest.text


@handler
def show_log_key(query: ShowLogKey, *, principal: Anyone, uow: UnitOfWork) -> str:
    del query, principal  # public, and asks nothing
    return service.log_keys(uow).verifier_key


@handler
def list_entries(query: ListEntries, *, principal: Anyone, uow: UnitOfWork) -> list[LoggedEntry]:
    del principal  # public
    return service.entries(uow, start=query.start, end=query.end)


def _leaf_hash(text: str) -> bytes:
    try:
        digest = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != SHA256_BYTES:
        raise LogError(
            "invalid_leaf_hash", msg("leaf_hash must be 32 bytes in base64, not {text}", text=text)
        )
    return digest


@handler
def prove_inclusion(query: ProveInclusion, *, principal: Anyone, uow: UnitOfWork) -> InclusionProof:
    del principal  # public
    if (query.index is None) == (query.leaf_hash is None):
        raise LogError(
            "log_range_invalid", msg("give either index or leaf_hash (one of them, not both)")
        )
    index = query.index
    if index is None:
        index = service.leaf_index_of(uow, _leaf_hash(query.leaf_hash or ""))
    proof = service.inclusion_proof(uow, index=index, tree_size=query.tree_size)
    return InclusionProof(index, query.tree_size, proof)


@handler
def prove_consistency(
    query: ProveConsistency, *, principal: Anyone, uow: UnitOfWork
) -> list[bytes]:
    del principal  # public
    return service.consistency_proof(uow, first=query.first, second=query.second)


@handler
def show_receipts(
    query: ShowReceipts, *, principal: Anyone, uow: UnitOfWork
) -> list[RecordReceipt]:
    del principal  # public
    return service.receipts(uow, query.record_id)
