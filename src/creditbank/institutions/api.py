"""What other business areas may use of institutions, staff and tokens."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

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


__all__ = [
    "USER_DISABLED_HOOKS",
    "Institution",
    "InstitutionError",
    "InstitutionType",
    "Role",
    "User",
    "check_institution_code",
    "get_institution",
    "get_user",
    "institution_codes",
    "institution_id",
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
