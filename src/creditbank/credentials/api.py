"""What other business areas may use of verifiable credentials: functions and plain data."""

from __future__ import annotations

from creditbank.credentials.issuing import Issued, issue, issue_clr
from creditbank.credentials.resolver import verify
from creditbank.credentials.sharing import shared_verdicts
from creditbank.credentials.signing import CredentialError
from creditbank.credentials.verifier import Verdict

__all__ = [
    "CredentialError",
    "Issued",
    "Verdict",
    "issue",
    "issue_clr",
    "shared_verdicts",
    "verify",
]
