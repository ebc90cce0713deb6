"""What other business areas may use of verifiable credentials: functions and plain data."""

from __future__ import annotations

from creditbank.credentials import verifier as _verifier
from creditbank.credentials.issuing import Issued, issue, issue_clr
from creditbank.credentials.multikey import KeyFormatError, decode_public_key, did_web_parts
from creditbank.credentials.receipts import outcome_receipt
from creditbank.credentials.resolver import FOREIGN_RESOLVERS, verify
from creditbank.credentials.sharing import shared_verdicts
from creditbank.credentials.signing import CredentialError, public_url
from creditbank.credentials.verifier import Check, KeyRecord, LogProof, Resolver, Result, Verdict
from creditbank.credentials.verifier import issuer_id as issuer_id_of
from creditbank.credentials.verifier.receipt import ReceiptFailure, ReceiptVerdict, check_receipt

verify_with = _verifier.verify
"""Every check of a credential, answered by the given :class:`Resolver` (e.g. one that reads a
peer bank's DID documents and status lists)."""

__all__ = [
    "FOREIGN_RESOLVERS",
    "Check",
    "CredentialError",
    "Issued",
    "KeyFormatError",
    "KeyRecord",
    "LogProof",
    "ReceiptFailure",
    "ReceiptVerdict",
    "Resolver",
    "Result",
    "Verdict",
    "check_receipt",
    "decode_public_key",
    "did_web_parts",
    "issue",
    "issue_clr",
    "issuer_id_of",
    "outcome_receipt",
    "public_url",
    "shared_verdicts",
    "verify",
    "verify_with",
]
