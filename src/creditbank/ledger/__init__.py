"""The ledger: an RFC 9162 Merkle log of every fact of record, signed checkpoints, proofs and
witnesses."""
