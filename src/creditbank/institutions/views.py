"""What the operator console and the API's lists show of institutions, staff users, API tokens
and the administrators' audit: bank administrators and auditors read them all.

Lists come a page at a time, with an opaque cursor for the next page (as the API's other lists).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.db import UnitOfWork
from creditbank.institutions import audit
from creditbank.institutions.audit import AdminAction
from creditbank.institutions.commands import (
    MAX_PAGE,
    ListAdminActions,
    ListInstitutions,
    ListTokens,
    ListUsers,
    ShowConsole,
    ShowConsoleRights,
)
from creditbank.institutions.model import (
    Institution,
    InstitutionError,
    InstitutionType,
    Role,
    check_institution_code,
)
from creditbank.institutions.tables import (
    AllianceMemberRow,
    AllianceRow,
    ApiTokenRow,
    InstitutionRow,
    UserRow,
)
from creditbank.messages import msg
from creditbank.usecases import handler

_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[_Item]):
    """One page of a list; ``next_cursor`` asks for the next (None: this is the last)."""

    items: list[_Item]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A staff user as the console lists them (never their password)."""

    id: int
    email: str
    role: Role
    institution: str | None
    enabled: bool
    has_password: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenListing:
    """An API token as the console lists it: its prefix, never its secret."""

    id: int
    prefix: str
    user_email: str
    user_role: Role
    institution: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class ConsoleSummary:
    """The console's landing page."""

    institutions: int
    users: int
    disabled_users: int
    active_tokens: int
    recent: list[AdminAction]


@dataclass(frozen=True, slots=True)
class ConsoleRights:
    """What a viewer of the console may change there."""

    add_institutions: bool
    edit_institutions: bool
    manage_staff: bool


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def encode_cursor(kind: str, position: str | int) -> str:
    """An opaque cursor: the list's ``kind`` letter and the last position of a page."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> str | None:
    """The position a cursor of list ``kind`` stands for; a cursor this API did not give out
    (or gave out for another list) is a clear 422."""
    if cursor is None or not cursor.strip():
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    prefix, _, position = text.partition(":")
    if prefix != kind or not position:
        raise InstitutionError("invalid_cursor", msg("the cursor is not one this API gave out"))
    return position


def _numeric_cursor(kind: str, cursor: str | None) -> int | None:
    position = decode_cursor(kind, cursor)
    if position is None:
        return None
    if not position.isdigit():
        raise InstitutionError("invalid_cursor", msg("the cursor is not one this API gave out"))
    return int(position)


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InstitutionError(
            "invalid_cursor",
            msg("a page holds between 1 and {count} entries", count=MAX_PAGE),
        )
    return limit


def _alliances_of(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(AllianceMemberRow.institution_id, AllianceRow.code)
        .join(AllianceRow, AllianceRow.id == AllianceMemberRow.alliance_id)
        .where(AllianceMemberRow.institution_id.in_(set(ids)))
        .order_by(AllianceRow.code)
    )
    for institution_id, code in rows:
        found.setdefault(institution_id, []).append(code)
    return {key: tuple(codes) for key, codes in found.items()}


def _contains(column: InstrumentedAttribute[str], text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


@handler
def list_institutions(
    query: ListInstitutions, *, principal: Principal, uow: UnitOfWork
) -> Page[Institution]:
    """Bank administrators and auditors list every institution."""
    require(principal, Action.READ_INSTITUTION, None)
    limit = _limit(query.limit)
    after = decode_cursor("i", query.cursor)
    statement = select(InstitutionRow).order_by(InstitutionRow.code).limit(limit + 1)
    search = query.search.strip()
    if search:
        statement = statement.where(
            or_(
                _contains(InstitutionRow.code, search),
                _contains(InstitutionRow.name, search),
                _contains(InstitutionRow.name_en, search),
            )
        )
    if query.region.strip():
        statement = statement.where(InstitutionRow.region == query.region.strip())
    if after is not None:
        statement = statement.where(InstitutionRow.code > after)
    rows = list(uow.session.scalars(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    alliances = _alliances_of(uow.session, [row.id for row in rows])
    items = [
        Institution(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            type=InstitutionType(row.type),
            region=row.region,
            alliances=alliances.get(row.id, ()),
            version=row.version,
        )
        for row in rows
    ]
    return Page(items, encode_cursor("i", rows[-1].code) if more else None)


@handler
def list_users(query: ListUsers, *, principal: Principal, uow: UnitOfWork) -> Page[StaffUser]:
    """Bank administrators and auditors list the staff users of the bank and its institutions."""
    require(principal, Action.READ_STAFF, None)
    limit = _limit(query.limit)
    after = _numeric_cursor("u", query.cursor)
    statement = (
        select(UserRow, InstitutionRow.code)
        .outerjoin(InstitutionRow, InstitutionRow.id == UserRow.institution_id)
        .order_by(UserRow.id)
        .limit(limit + 1)
    )
    if query.institution is not None:
        statement = statement.where(
            InstitutionRow.code == check_institution_code(query.institution)
        )
    if query.role is not None:
        statement = statement.where(UserRow.role == query.role.value)
    if query.enabled is not None:
        statement = statement.where(
            UserRow.disabled_at.is_(None) if query.enabled else UserRow.disabled_at.is_not(None)
        )
    if after is not None:
        statement = statement.where(UserRow.id > after)
    rows = uow.session.execute(statement).all()
    more = len(rows) > limit
    items = [
        StaffUser(
            id=row.id,
            email=row.email,
            role=Role(row.role),
            institution=code,
            enabled=row.disabled_at is None,
            has_password=row.password_hash is not None,
            created_at=_utc(row.created_at),
        )
        for row, code in rows[:limit]
    ]
    return Page(items, encode_cursor("u", items[-1].id) if more else None)


@handler
def list_tokens(query: ListTokens, *, principal: Principal, uow: UnitOfWork) -> Page[TokenListing]:
    """Bank administrators and auditors list API tokens: who they act for, whether they are
    revoked; never their secrets (the bank keeps only digests)."""
    require(principal, Action.READ_STAFF, None)
    limit = _limit(query.limit)
    before = _numeric_cursor("t", query.cursor)
    statement = (
        select(ApiTokenRow, UserRow, InstitutionRow.code)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .outerjoin(InstitutionRow, InstitutionRow.id == UserRow.institution_id)
        .order_by(ApiTokenRow.id.desc())
        .limit(limit + 1)
    )
    if query.institution:
        statement = statement.where(
            InstitutionRow.code == check_institution_code(query.institution)
        )
    if before is not None:
        statement = statement.where(ApiTokenRow.id < before)
    rows = uow.session.execute(statement).all()
    more = len(rows) > limit
    items = [
        TokenListing(
            id=token.id,
            prefix=token.prefix,
            user_email=user.email,
            user_role=Role(user.role),
            institution=code,
            created_at=_utc(token.created_at),
            revoked_at=_utc(token.revoked_at) if token.revoked_at else None,
        )
        for token, user, code in rows[:limit]
    ]
    return Page(items, encode_cursor("t", items[-1].id) if more else None)


@handler
def list_admin_actions(
    query: ListAdminActions, *, principal: Principal, uow: UnitOfWork
) -> Page[AdminAction]:
    """Bank administrators and auditors read the audit of administrators' actions."""
    require(principal, Action.READ_STAFF, None)
    limit = _limit(query.limit)
    before = _numeric_cursor("a", query.cursor)
    institution = check_institution_code(query.institution) if query.institution else None
    found = audit.list_actions(uow=uow, institution=institution, before=before, limit=limit + 1)
    more = len(found) > limit
    items = found[:limit]
    return Page(items, encode_cursor("a", items[-1].id) if more else None)


@handler
def show_console(query: ShowConsole, *, principal: Principal, uow: UnitOfWork) -> ConsoleSummary:
    """Bank administrators and auditors open the console."""
    require(principal, Action.READ_STAFF, None)
    session = uow.session
    return ConsoleSummary(
        institutions=session.scalar(select(func.count()).select_from(InstitutionRow)) or 0,
        users=session.scalar(select(func.count()).select_from(UserRow)) or 0,
        disabled_users=session.scalar(
            select(func.count()).select_from(UserRow).where(UserRow.disabled_at.is_not(None))
        )
        or 0,
        active_tokens=session.scalar(
            select(func.count())
            .select_from(ApiTokenRow)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.revoked_at.is_(None), UserRow.disabled_at.is_(None))
        )
        or 0,
        recent=audit.list_actions(uow=uow, limit=max(query.recent, 1)),
    )


@handler
def show_console_rights(
    query: ShowConsoleRights, *, principal: Principal, uow: UnitOfWork
) -> ConsoleRights:
    """Bank administrators and auditors open the console; what each may change there."""
    del query, uow
    require(principal, Action.READ_STAFF, None)
    return ConsoleRights(
        add_institutions=allowed(principal, Action.CREATE_INSTITUTION, None),
        edit_institutions=allowed(principal, Action.EDIT_INSTITUTION, None),
        manage_staff=allowed(principal, Action.MANAGE_STAFF, None),
    )
