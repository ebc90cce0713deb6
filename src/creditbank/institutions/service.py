"""Use cases for institutions, staff users and API tokens. Given a unit of work; never commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import records
from creditbank.institutions.model import (
    Institution,
    InstitutionError,
    InstitutionType,
    Role,
    check_institution_code,
    check_password,
    check_user,
)
from creditbank.institutions.tables import (
    AllianceMemberRow,
    AllianceRow,
    ApiTokenRow,
    InstitutionRow,
    UserRow,
)
from creditbank.messages import msg

TOKEN_PREFIX = "cb_"  # noqa: S105 - a public marker that makes tokens recognisable, not a secret
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    institution: str | None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new API token. ``secret`` is shown once and never stored."""

    id: int
    prefix: str
    secret: str
    user: User


def _institution_row(session: Session, code: str) -> InstitutionRow:
    row = session.scalar(select(InstitutionRow).where(InstitutionRow.code == code.strip().upper()))
    if row is None:
        raise InstitutionError(
            "institution_not_found",
            msg("there is no institution {code}", code=code.strip().upper()),
        )
    return row


def _to_institution(session: Session, row: InstitutionRow) -> Institution:
    alliances = session.scalars(
        select(AllianceRow.code)
        .join(AllianceMemberRow, AllianceMemberRow.alliance_id == AllianceRow.id)
        .where(AllianceMemberRow.institution_id == row.id)
        .order_by(AllianceRow.code)
    )
    return Institution(
        code=row.code,
        name=row.name,
        name_en=row.name_en,
        type=InstitutionType(row.type),
        region=row.region,
        alliances=tuple(alliances),
        version=row.version,
    )


def add_institution(
    *,
    uow: UnitOfWork,
    code: str,
    name: str,
    type: InstitutionType,  # noqa: A002 - the domain's word
    region: str = "",
    name_en: str = "",
    alliances: Sequence[str] = (),
) -> Institution:
    """Open an institutional account; join the named alliances (created on first use)."""
    session = uow.session
    code = check_institution_code(code)
    if not name.strip():
        raise InstitutionError("invalid_institution", msg("an institution needs a name"))
    if session.scalar(select(InstitutionRow.id).where(InstitutionRow.code == code)) is not None:
        raise InstitutionError(
            "institution_exists", msg("institution {code} exists already", code=code)
        )
    row = InstitutionRow(
        code=code,
        name=name.strip(),
        name_en=name_en.strip(),
        type=type.value,
        region=region.strip(),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    _join_alliances(session, row.id, alliances)
    records.log_institution(uow, row, at=row.created_at)
    return _to_institution(session, row)


def _join_alliances(session: Session, institution_id: int, alliances: Sequence[str]) -> None:
    """Make the institution a member of ``alliances`` (each created on first use)."""
    for alliance_code in sorted({check_institution_code(a) for a in alliances}):
        alliance = session.scalar(select(AllianceRow).where(AllianceRow.code == alliance_code))
        if alliance is None:
            alliance = AllianceRow(code=alliance_code)
            session.add(alliance)
            session.flush()
        session.add(AllianceMemberRow(alliance_id=alliance.id, institution_id=institution_id))
    session.flush()


def edit_institution(
    *,
    uow: UnitOfWork,
    code: str,
    version: int,
    name: str,
    name_en: str,
    region: str,
    alliances: Sequence[str],
) -> tuple[Institution, list[str]]:
    """Change an institution's names, region and alliances, if it is still at ``version`` (the
    version the editor saw). The institution's row is locked before its version is read, so of
    two edits made on the same version one wins and the other is refused
    (``institution_changed``). The institution as it is now, and the names of the fields that
    changed."""
    session = uow.session
    if not name.strip():
        raise InstitutionError("invalid_institution", msg("an institution needs a name"))
    normal = code.strip().upper()
    row = session.scalar(
        for_update(session, select(InstitutionRow).where(InstitutionRow.code == normal))
    )
    if row is None:
        raise InstitutionError(
            "institution_not_found", msg("there is no institution {code}", code=normal)
        )
    wanted = sorted({check_institution_code(a) for a in alliances})
    before = _to_institution(session, row)
    changed = [
        field
        for field, old, new in (
            ("name", before.name, name.strip()),
            ("name_en", before.name_en, name_en.strip()),
            ("region", before.region, region.strip()),
            ("alliances", list(before.alliances), wanted),
        )
        if old != new
    ]
    if row.version != version:
        raise InstitutionError(
            "institution_changed",
            msg(
                "institution {code} was changed by someone else meanwhile; "
                "look at it again and make your change on what it is now",
                code=row.code,
            ),
        )
    row.name, row.name_en, row.region = name.strip(), name_en.strip(), region.strip()
    row.version = version + 1
    session.execute(delete(AllianceMemberRow).where(AllianceMemberRow.institution_id == row.id))
    _join_alliances(session, row.id, wanted)
    records.log_institution(uow, row)
    return _to_institution(session, row), changed


def get_institution(*, uow: UnitOfWork, code: str) -> Institution:
    return _to_institution(uow.session, _institution_row(uow.session, code))


def list_institutions(*, uow: UnitOfWork) -> list[Institution]:
    """Every institution, by code (without alliances: for choosing one from a list)."""
    rows = uow.session.scalars(select(InstitutionRow).order_by(InstitutionRow.code))
    return [
        Institution(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            type=InstitutionType(row.type),
            region=row.region,
            alliances=(),
        )
        for row in rows
    ]


def institution_id(*, uow: UnitOfWork, code: str) -> int:
    """The row id of institution ``code`` (for other areas' foreign keys)."""
    found = uow.session.scalar(
        select(InstitutionRow.id).where(InstitutionRow.code == code.strip().upper())
    )
    if found is None:
        raise InstitutionError(
            "institution_not_found",
            msg("there is no institution {code}", code=code.strip().upper()),
        )
    return found


def add_user(
    *,
    uow: UnitOfWork,
    email: str,
    role: Role,
    institution: str | None = None,
    password: str | None = None,
) -> User:
    """Add a staff user; with ``password`` they can log in to the web, else only use tokens."""
    session = uow.session
    email = check_user(email=email, role=role, institution=institution)
    if password is not None:
        check_password(password)
    institution_row = _institution_row(session, institution) if institution else None
    if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
        raise InstitutionError("user_exists", msg("user {email} exists already", email=email))
    row = UserRow(
        email=email,
        role=role.value,
        institution_id=institution_row.id if institution_row else None,
        password_hash=_hasher.hash(password) if password is not None else None,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return User(row.id, email, role, institution_row.code if institution_row else None)


def _user(session: Session, row: UserRow) -> User:
    institution = session.get(InstitutionRow, row.institution_id) if row.institution_id else None
    return User(
        row.id,
        row.email,
        Role(row.role),
        institution.code if institution else None,
        enabled=row.disabled_at is None,
    )


def _user_row(session: Session, email: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if row is None:
        raise InstitutionError(
            "user_not_found", msg("there is no user {email}", email=email.strip().lower())
        )
    return row


def get_user(*, uow: UnitOfWork, email: str) -> User:
    """Staff user ``email``, or ``user_not_found``."""
    return _user(uow.session, _user_row(uow.session, email))


def set_user_enabled(*, uow: UnitOfWork, email: str, enabled: bool, now: datetime) -> bool:
    """Disable (or enable again) staff user ``email``: a disabled user's password, sessions and
    tokens do not work. Whether this changed anything: the user's row is locked before its
    state is read, so of two admins disabling the same user at once, one does it and the other
    finds it done."""
    session = uow.session
    normal = email.strip().lower()
    row = session.scalar(for_update(session, select(UserRow).where(UserRow.email == normal)))
    if row is None:
        raise InstitutionError("user_not_found", msg("there is no user {email}", email=normal))
    if (row.disabled_at is None) == enabled:
        return False
    row.disabled_at = None if enabled else now
    session.flush()
    return True


def set_staff_password(*, uow: UnitOfWork, user_id: int, password: str) -> None:
    """Give staff user ``user_id`` a new web password (they chose it with a password-set code)."""
    check_password(password)
    row = uow.session.get(UserRow, user_id)
    if row is None:
        raise InstitutionError("user_not_found", msg("there is no such user"))
    row.password_hash = _hasher.hash(password)
    uow.session.flush()


def create_token(*, uow: UnitOfWork, email: str) -> IssuedToken:
    """A new API token for ``email``, scoped to that user's institution and role."""
    session = uow.session
    row = _user_row(session, email)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiTokenRow(
        user_id=row.id,
        prefix=secret[:10],
        digest=_digest(secret),
        created_at=datetime.now(UTC),
        revoked_at=None,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token.id, token.prefix, secret, _user(session, row))


def user_institution(*, uow: UnitOfWork, email: str) -> str | None:
    """The institution of staff user ``email`` (None for bank-wide roles)."""
    return principal_for(uow=uow, email=email).institution


def _token_row(session: Session, token_id: int) -> ApiTokenRow:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise InstitutionError(
            "token_not_found", msg("there is no token {token_id}", token_id=token_id)
        )
    return row


def token_institution(*, uow: UnitOfWork, token_id: int) -> str | None:
    """The institution of the user whom token ``token_id`` acts for."""
    row = _token_row(uow.session, token_id)
    return _user(uow.session, uow.session.get_one(UserRow, row.user_id)).institution


def revoke_token(*, uow: UnitOfWork, token_id: int) -> bool:
    """Revoke token ``token_id``; whether this revoked it (False: it was revoked already; the
    token's row is locked before its state is read, so two revocations at once revoke it once)."""
    session = uow.session
    row = session.scalar(for_update(session, select(ApiTokenRow).where(ApiTokenRow.id == token_id)))
    if row is None:
        raise InstitutionError(
            "token_not_found", msg("there is no token {token_id}", token_id=token_id)
        )
    if row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    session.flush()
    return True


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_for(*, uow: UnitOfWork, email: str) -> Principal:
    """The principal staff user ``email`` acts as (for the console, which has no token)."""
    row = uow.session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if row is None:
        raise InstitutionError(
            "user_not_found", msg("there is no user {email}", email=email.strip().lower())
        )
    user = _user(uow.session, row)
    return Principal(user.id, user.email, user.role, user.institution)


def authenticate_token(*, uow: UnitOfWork, secret: str) -> Principal | None:
    """The principal a bearer token stands for, or None when it is unknown or revoked."""
    found = uow.session.execute(
        select(UserRow.id, UserRow.email, UserRow.role, InstitutionRow.code)
        .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
        .outerjoin(InstitutionRow, InstitutionRow.id == UserRow.institution_id)
        .where(
            ApiTokenRow.digest == _digest(secret),
            ApiTokenRow.revoked_at.is_(None),
            UserRow.disabled_at.is_(None),
        )
    ).one_or_none()
    if found is None:
        return None
    return Principal(found.id, found.email, Role(found.role), found.code)


@cache
def _decoy_hash() -> str:
    """A hash to verify against when there is no user, so that a login takes as long either way."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_staff_password(*, uow: UnitOfWork, email: str, password: str) -> Principal | None:
    """The principal of the user with ``email`` and ``password``, or None (unknown user, no web
    password, or a wrong one: the same answer, after the same argon2 work)."""
    row = uow.session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        _hasher.verify(stored or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None or row.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(stored):
        row.password_hash = _hasher.hash(password)
    user = _user(uow.session, row)
    return Principal(user.id, user.email, user.role, user.institution)


def staff_principal(*, uow: UnitOfWork, user_id: int) -> Principal | None:
    """The principal of user ``user_id`` as they are now (role and institution), if they exist
    and are not disabled."""
    row = uow.session.get(UserRow, user_id)
    if row is None or row.disabled_at is not None:
        return None
    user = _user(uow.session, row)
    return Principal(user.id, user.email, user.role, user.institution)


def users_by_id(*, uow: UnitOfWork, user_ids: Collection[int]) -> dict[int, User]:
    """The users with these ids (e.g. to say who appears in an audit trail)."""
    if not user_ids:
        return {}
    rows = uow.session.execute(
        select(UserRow, InstitutionRow.code)
        .outerjoin(InstitutionRow, InstitutionRow.id == UserRow.institution_id)
        .where(UserRow.id.in_(set(user_ids)))
    ).all()
    return {row.id: User(row.id, row.email, Role(row.role), code) for row, code in rows}
