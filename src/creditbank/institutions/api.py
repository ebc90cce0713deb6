"""What other business areas may use of institutions, staff and tokens."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnExpressionArgument, ScalarSelect, select

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.institutions.audit import record_action as record_admin_action
from creditbank.institutions.handlers import USER_DISABLED_HOOKS
from creditbank.institutions.model import (
    Institution,
    InstitutionError,
    InstitutionType,
    Role,
    check_institution_code,
)
from creditbank.institutions.service import (
    User,
    get_institution,
    get_user,
    institution_id,
    list_institutions,
    principal_for,
    set_staff_password,
    staff_principal,
    users_by_id,
    verify_staff_password,
)
from creditbank.institutions.tables import InstitutionRow, UserRow


def institution_codes(*, uow: UnitOfWork) -> dict[int, str]:
    """Every institution's code by row id (institutions are few: thousands, not millions)."""
    rows = uow.session.execute(select(InstitutionRow.id, InstitutionRow.code))
    return {row.id: row.code for row in rows}


def institution_code_of(institution_id: ColumnExpressionArgument[int]) -> ScalarSelect[str]:
    """The code of the institution ``institution_id`` (a column of another area's table) names,
    as a correlated subquery: for reading the code with the rows that name it, in one query,
    instead of reading every institution's code after them."""
    return (
        select(InstitutionRow.code)
        .where(InstitutionRow.id == institution_id)
        .correlate_except(InstitutionRow)
        .scalar_subquery()
    )


def institutions_coded(*, uow: UnitOfWork, codes: Collection[str]) -> dict[str, Institution]:
    """These institutions (codes), by code, in one query, without alliances (unknown codes are
    left out): for naming them and placing them by region and type."""
    if not codes:
        return {}
    rows = uow.session.execute(
        select(
            InstitutionRow.code,
            InstitutionRow.name,
            InstitutionRow.name_en,
            InstitutionRow.type,
            InstitutionRow.region,
        ).where(InstitutionRow.code.in_(set(codes)))
    )
    return {
        row.code: Institution(
            row.code, row.name, row.name_en, InstitutionType(row.type), row.region, ()
        )
        for row in rows
    }


def principal_or_none(*, uow: UnitOfWork, email: str) -> Principal | None:
    """The staff user ``email`` as a principal, or None when there is no such user."""
    try:
        return principal_for(uow=uow, email=email)
    except InstitutionError:
        return None


def user_names(*, uow: UnitOfWork, user_ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
    """Each user's e-mail address and institution code (None for bank-wide roles), by id."""
    if not user_ids:
        return {}
    rows = uow.session.execute(
        select(UserRow.id, UserRow.email, InstitutionRow.code)
        .outerjoin(InstitutionRow, InstitutionRow.id == UserRow.institution_id)
        .where(UserRow.id.in_(set(user_ids)))
    )
    return {row.id: (row.email, row.code) for row in rows}


ACTOR_PREFIX = "user:"
"""How a log record names a staff user: ``user:`` and the user's public id (ADR 0017)."""


def actor_ids(*, uow: UnitOfWork, user_ids: Collection[int]) -> dict[int, str]:
    """Each user's stable pseudonymous id as log records name actors (``user:<uuid>``), by
    row id: never the row id, never the e-mail address."""
    if not user_ids:
        return {}
    rows = uow.session.execute(
        select(UserRow.id, UserRow.public_id).where(UserRow.id.in_(set(user_ids)))
    )
    return {row.id: ACTOR_PREFIX + row.public_id for row in rows}


def actors_by_email(*, uow: UnitOfWork, emails: Collection[str]) -> dict[str, str]:
    """The pseudonymous id (``user:<uuid>``) of each of these staff e-mail addresses that names
    a user, by address (where an older record stored who acted by address)."""
    if not emails:
        return {}
    rows = uow.session.execute(
        select(UserRow.email, UserRow.public_id).where(UserRow.email.in_(set(emails)))
    )
    return {row.email: ACTOR_PREFIX + row.public_id for row in rows}


__all__ = [
    "ACTOR_PREFIX",
    "USER_DISABLED_HOOKS",
    "Institution",
    "InstitutionError",
    "InstitutionType",
    "Role",
    "User",
    "actor_ids",
    "actors_by_email",
    "check_institution_code",
    "get_institution",
    "get_user",
    "institution_code_of",
    "institution_codes",
    "institution_id",
    "institutions_coded",
    "list_institutions",
    "principal_for",
    "principal_or_none",
    "record_admin_action",
    "set_staff_password",
    "staff_principal",
    "user_names",
    "users_by_id",
    "verify_staff_password",
]
