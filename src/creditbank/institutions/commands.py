"""The use cases of institutions, staff and tokens, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.institutions.model import InstitutionType, Role


@dataclass(frozen=True, slots=True)
class AddInstitution:
    """Open an institutional account; join the named alliances (created on first use)."""

    code: str
    name: str
    type: InstitutionType
    region: str = ""
    name_en: str = ""
    alliances: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShowInstitution:
    """One institution's account."""

    code: str


@dataclass(frozen=True, slots=True)
class AddUser:
    """Add a staff user; with a password they can log in to the web, else only use tokens."""

    email: str
    role: Role
    institution: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class CreateToken:
    """A new API token for a staff user, scoped to the user's institution and role."""

    email: str


@dataclass(frozen=True, slots=True)
class RevokeToken:
    """Revoke an API token; requests with it are refused from then on."""

    token_id: int
