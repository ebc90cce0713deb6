"""Self-contained receipts of outcomes' credentials, made from the bank's log and records.

The bank's side of :mod:`creditbank.credentials.verifier.receipt`: the receipt a credential
carries (the deposit's entry fields, salt, and the committed record's fields the credential
does not state), the inclusion proof that travels beside it, and what the bank's own verifier
checks it against (its newest checkpoint, its log key, its witnesses). Given a unit of work;
never commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from creditbank.accounts import api as accounts
from creditbank.credentials.signing import CredentialError
from creditbank.credentials.verifier.model import LogProof
from creditbank.credentials.verifier.receipt import EmbeddedReceipt, entry_of
from creditbank.credentials.verifier.stated import STATED
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.ledger.merkle import leaf_hash
from creditbank.ledger.model import RecordValue, canonical_value
from creditbank.messages import msg

log = logging.getLogger(__name__)

ENTRY_FIELDS = ("v", "kind", "id", "issuer", "time")


def embedded_receipt(*, uow: UnitOfWork, outcome_id: str, url: str) -> EmbeddedReceipt | None:
    """The receipt a credential of outcome ``outcome_id`` carries: None when its deposit is
    not a record of schema 2 in the log, or its salt was erased with the learner's data."""
    entry = ledger.salted_entry(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=outcome_id
    )
    if entry is None or entry.salt is None:
        return None
    body = json.loads(entry.body)
    record = accounts.deposited_record(uow=uow, public_id=outcome_id)
    if record is None or body.get("v") != record.get("schema"):
        return None
    values: dict[str, RecordValue] = {
        name: canonical_value(value) for name, value in record.items() if name not in STATED
    }
    return EmbeddedReceipt(
        url=url,
        log=ledger.log_origin(uow=uow),
        leaf_index=entry.leaf_index,
        leaf_hash=ledger.b64(entry.leaf_hash),
        entry={name: body[name] for name in ENTRY_FIELDS},
        salt=entry.salt,
        record=values,
    )


def rebuilds(credential: Mapping[str, Any], receipt: EmbeddedReceipt) -> bool:
    """Whether a verifier rebuilds the logged entry from ``credential`` and ``receipt`` (the
    issuer checks before signing, so that it never signs a receipt that cannot verify)."""
    try:
        return ledger.b64(leaf_hash(entry_of(credential, receipt))) == receipt.leaf_hash
    except ValueError as error:
        log.warning("a credential's receipt cannot be rebuilt: %s", error)
        return False


def outcome_receipt(
    *, uow: UnitOfWork, outcome_id: str, tree_size: int | None = None
) -> dict[str, Any]:
    """The inclusion proof of outcome ``outcome_id``'s deposit, beside its credential:
    ``{"leaf_index", "tree_size", "hashes"}`` (base64), against the tree of ``tree_size``
    entries (default: the newest checkpoint's), as ``GET /api/v1/log/proof/inclusion``."""
    entry = ledger.salted_entry(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=outcome_id
    )
    if entry is None:
        raise CredentialError(
            "outcome_not_logged", msg("outcome {id} is not in the log", id=outcome_id)
        )
    if tree_size is None:
        checkpoint = ledger.latest_checkpoint(uow)
        tree_size = 0 if checkpoint is None else checkpoint.tree_size
    if tree_size <= entry.leaf_index:
        raise CredentialError(
            "outcome_not_logged",
            msg(
                "outcome {id} is not in the log's tree of {size} entries",
                id=outcome_id,
                size=tree_size,
            ),
        )
    return _inclusion(uow, entry.leaf_index, tree_size)


def _inclusion(uow: UnitOfWork, leaf_index: int, tree_size: int) -> dict[str, Any]:
    """``{"leaf_index", "tree_size", "hashes"}``: the proof of the leaf in the tree of that size
    (no hashes for a leaf outside it: the check then names it not included)."""
    hashes = (
        ledger.leaf_inclusion_proof(uow=uow, leaf_index=leaf_index, tree_size=tree_size)
        if 0 <= leaf_index < tree_size
        else []
    )
    return {
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "hashes": [ledger.b64(node) for node in hashes],
    }


def own_log_proof(*, uow: UnitOfWork, origin: str, leaf_index: int) -> LogProof | None:
    """The proof of leaf ``leaf_index`` of this bank's log against its newest checkpoint; None
    when ``origin`` is another log (or this one is empty). The bank's own verifier requires no
    cosignature of its own log (``k`` 0: its witnesses' are counted where present)."""
    if origin != ledger.log_origin(uow=uow):
        return None
    checkpoint = ledger.latest_checkpoint(uow)
    if checkpoint is None:
        return None
    return LogProof(
        receipt=_inclusion(uow, leaf_index, checkpoint.tree_size),
        checkpoint=checkpoint.text,
        log_key=ledger.log_verifier_key(uow=uow),
        witness_keys=ledger.witness_verifier_keys(uow=uow),
        k=0,
    )
