"""JSON shapes of learners' accounts. Personal data goes in bodies only, never in URLs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from creditbank.accounts.model import IdType


class LearnerCreate(BaseModel):
    id_number: str = Field(description="Resident identity number (GB 11643) or passport number.")
    id_type: IdType | None = Field(default=None, description="Inferred when omitted.")
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=200)


class AccountOpenedRead(BaseModel):
    account_number: str
    created: bool = Field(description="False when the learner already had an account.")
