"""JSON shapes of institutions, users and tokens (``*Create`` in, ``*Read`` out)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from creditbank.institutions.model import Institution, InstitutionType, Role
from creditbank.institutions.service import IssuedToken, User
from creditbank.institutions.views import StaffUser, TokenListing
from creditbank.web.formats import UtcDateTime


class InstitutionCreate(BaseModel):
    code: str = Field(description="2-32 capital letters, digits, '-' or '_'.", examples=["SHOU"])
    name: str = Field(min_length=1, examples=["上海开放大学"])
    name_en: str = ""
    type: InstitutionType
    region: str = Field(default="", examples=["CN-SH"])
    alliances: list[str] = Field(default_factory=list, description="Alliance codes to join.")


class InstitutionRead(BaseModel):
    code: str
    name: str
    name_en: str
    type: InstitutionType
    region: str
    alliances: list[str]

    @classmethod
    def of(cls, institution: Institution) -> InstitutionRead:
        return cls(
            code=institution.code,
            name=institution.name,
            name_en=institution.name_en,
            type=institution.type,
            region=institution.region,
            alliances=list(institution.alliances),
        )


class UserRead(BaseModel):
    id: int
    email: str
    role: Role
    institution: str | None

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(id=user.id, email=user.email, role=user.role, institution=user.institution)


class TokenRead(BaseModel):
    id: int
    prefix: str
    token: str = Field(description="Shown once; store it now, the bank keeps only a digest.")
    user: UserRead

    @classmethod
    def of(cls, issued: IssuedToken) -> TokenRead:
        return cls(
            id=issued.id, prefix=issued.prefix, token=issued.secret, user=UserRead.of(issued.user)
        )


NEXT_CURSOR = "Pass as ?cursor= for the next page; null at the end."


class InstitutionListRead(BaseModel):
    institutions: list[InstitutionRead]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class StaffUserRead(BaseModel):
    id: int
    email: str
    role: Role
    institution: str | None
    enabled: bool = Field(description="False: the user can neither log in nor use tokens.")
    has_password: bool = Field(description="Whether the user has a web password.")
    created_at: UtcDateTime

    @classmethod
    def of(cls, user: StaffUser) -> StaffUserRead:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            institution=user.institution,
            enabled=user.enabled,
            has_password=user.has_password,
            created_at=user.created_at,
        )


class UserListRead(BaseModel):
    users: list[StaffUserRead]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class TokenListingRead(BaseModel):
    """An API token as listed: never its secret."""

    id: int
    prefix: str
    user: str
    role: Role
    institution: str | None
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None

    @classmethod
    def of(cls, token: TokenListing) -> TokenListingRead:
        return cls(
            id=token.id,
            prefix=token.prefix,
            user=token.user_email,
            role=token.user_role,
            institution=token.institution,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )
