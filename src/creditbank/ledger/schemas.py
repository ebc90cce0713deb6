"""The ledger's JSON shapes: proofs, entries, receipts (hashes in standard base64)."""

from __future__ import annotations

import base64

from pydantic import BaseModel, Field

from creditbank.ledger.model import Receipt


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class ReceiptRead(BaseModel):
    """Where a record stands in the ledger: its leaf index and its leaf hash."""

    kind: str = Field(description="What the entry records, e.g. outcome.deposited.")
    leaf_index: int = Field(description="The entry's index in the log (from 0).")
    leaf_hash: str = Field(description="SHA-256(0x00 || entry), base64 (RFC 9162 2.1.1).")

    @classmethod
    def of(cls, receipt: Receipt | None) -> ReceiptRead | None:
        if receipt is None:
            return None
        return cls(
            kind=receipt.kind.value, leaf_index=receipt.leaf_index, leaf_hash=b64(receipt.leaf_hash)
        )


class InclusionProofRead(BaseModel):
    leaf_index: int
    tree_size: int
    hashes: list[str] = Field(description="The RFC 9162 inclusion proof, base64 hashes.")


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    hashes: list[str] = Field(description="The RFC 9162 consistency proof, base64 hashes.")


class EntryRead(BaseModel):
    leaf_index: int
    entry: str = Field(description="The entry's bytes (canonical JSON), base64.")


class EntriesRead(BaseModel):
    entries: list[EntryRead]


class RecordReceiptRead(BaseModel):
    """An entry of a record, its inclusion proof, and the checkpoint the proof is against."""

    kind: str
    leaf_index: int
    leaf_hash: str
    entry: str = Field(description="The entry's bytes (canonical JSON), base64.")
    inclusion_proof: InclusionProofRead
    checkpoint: str = Field(description="The signed checkpoint note, with cosignatures.")


class RecordReceiptsRead(BaseModel):
    record_id: str
    receipts: list[RecordReceiptRead]
