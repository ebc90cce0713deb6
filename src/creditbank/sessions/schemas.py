"""JSON shapes of web login (``*Read`` out): the activation code the CLI prints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from creditbank.sessions.service import IssuedCode, IssuedStaffCode
from creditbank.web.formats import UtcDateTime


class ActivationCodeRead(BaseModel):
    account_number: str
    code: str = Field(description="Shown once; the bank keeps only a digest.")
    expires_at: UtcDateTime

    @classmethod
    def of(cls, issued: IssuedCode) -> ActivationCodeRead:
        return cls(
            account_number=issued.account_number, code=issued.code, expires_at=issued.expires_at
        )


class StaffPasswordCodeRead(BaseModel):
    email: str
    code: str = Field(description="Shown once; the bank keeps only a digest.")
    expires_at: UtcDateTime

    @classmethod
    def of(cls, issued: IssuedStaffCode) -> StaffPasswordCodeRead:
        return cls(email=issued.email, code=issued.code, expires_at=issued.expires_at)
