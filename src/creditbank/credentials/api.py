"""What other business areas may use of verifiable credentials."""

from __future__ import annotations

from creditbank.credentials.service import (
    CredentialError,
    issue,
    issue_clr,
    verify,
)

__all__ = ["CredentialError", "issue", "issue_clr", "verify"]
