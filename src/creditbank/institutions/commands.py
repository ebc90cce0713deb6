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


@dataclass(frozen=True, slots=True)
class EditInstitution:
    """Change an institution's names, region and alliances. ``version``: the version the change
    was made on (as shown with the institution); refused if it changed meanwhile."""

    code: str
    version: int
    name: str
    name_en: str = ""
    region: str = ""
    alliances: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DisableUser:
    """Disable a staff user: their password, web sessions and API tokens stop working."""

    email: str


@dataclass(frozen=True, slots=True)
class EnableUser:
    """Let a disabled staff user log in and use their tokens again."""

    email: str


PAGE_SIZE = 50
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class ListInstitutions:
    """Institutions by code, a page at a time: those whose code or names contain ``search``
    (any case), in ``region`` when given. ``cursor``: from the previous page."""

    search: str = ""
    region: str = ""
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ListUsers:
    """Staff users by id, a page at a time: of ``institution``, with ``role``, enabled or not."""

    institution: str | None = None
    role: Role | None = None
    enabled: bool | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ListTokens:
    """API tokens (never their secrets), the newest first: of ``institution``'s users, or all."""

    institution: str | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ListAdminActions:
    """The audit of administrators' actions, the latest first; about ``institution`` if given."""

    institution: str | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ShowConsole:
    """The operator console's landing page: how many institutions, users and tokens, and the
    latest administrators' actions."""

    recent: int = 10


@dataclass(frozen=True, slots=True)
class ShowConsoleRights:
    """What the viewer may change in the console (auditors read it without forms)."""
