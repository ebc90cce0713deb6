"""HTTP shapes of verifiable credentials: keys, verdicts, status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from creditbank.credentials import verifier
from creditbank.credentials.signing import SigningKey
from creditbank.web.formats import UtcDateTime
from creditbank.web.i18n import translations


class SigningKeyRead(BaseModel):
    owner: str = Field(description="The institution's code, or `bank`.")
    name: str = Field(description="The key's name, the fragment of its verification method id.")
    did: str
    verification_method: str
    public_key_multibase: str
    valid_from: UtcDateTime
    valid_until: UtcDateTime | None
    compromised_from: UtcDateTime | None = Field(
        description="From this moment on, what the key signed fails verification."
    )

    @classmethod
    def of(cls, key: SigningKey) -> SigningKeyRead:
        return cls(
            owner=key.owner,
            name=key.name,
            did=key.did,
            verification_method=key.verification_method,
            public_key_multibase=key.public_key,
            valid_from=key.valid_from,
            valid_until=key.valid_until,
            compromised_from=key.compromised_from,
        )


class SigningKeyCreate(BaseModel):
    valid_from: datetime | None = Field(default=None, description="Default: now.")
    valid_until: datetime | None = None
    did_method: Literal["web", "key"] = Field(
        default="web", description="`web`: did:web under the bank's host; `key`: a did:key."
    )


class CompromiseCreate(BaseModel):
    since: datetime = Field(description="From when the key must no longer be trusted.")


class StatusChangeCreate(BaseModel):
    purpose: Literal["revocation", "suspension"]
    value: bool = Field(default=True, description="True sets the status; false lifts a suspension.")
    reason: str = Field(min_length=1, max_length=1000)


class CheckRead(BaseModel):
    check: str = Field(
        description="syntax, schema, issuer_key, signature, validity, status, ledger"
    )
    result: str = Field(description="passed, failed or skipped (not applicable, or not offline)")
    code: str = Field(description="A stable word for the reason (e.g. expired, revoked).")
    message: str


class VerdictRead(BaseModel):
    verified: bool
    format: str = Field(description="data_integrity or jwt")
    credential_id: str | None
    issuer: str | None
    types: list[str]
    checks: list[CheckRead]
    credentials: list[VerdictRead] = Field(
        default_factory=list, description="For a CLR: the verdict of each credential inside."
    )

    @classmethod
    def of(cls, verdict: verifier.Verdict, language: str) -> VerdictRead:
        gettext = translations(language).gettext
        credential = verdict.credential or {}
        return cls(
            verified=verdict.verified,
            format=verdict.format,
            credential_id=credential.get("id") if isinstance(credential.get("id"), str) else None,
            issuer=verifier.issuer_id(credential),
            types=verifier.types_of(credential.get("type")),
            checks=[
                CheckRead(
                    check=c.check.value,
                    result=c.result.value,
                    code=c.code,
                    message=c.message.render(gettext),
                )
                for c in verdict.checks
            ],
            credentials=[cls.of(part, language) for part in verdict.parts],
        )


JsonDocument = dict[str, Any]
