"""Who may open institutions, read them, add staff and manage tokens (handlers of
``creditbank.institutions``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import handlers, service, views
from creditbank.institutions.commands import (
    AddInstitution,
    AddUser,
    CreateToken,
    DisableUser,
    EditInstitution,
    EnableUser,
    ListAdminActions,
    ListInstitutions,
    ListTokens,
    ListUsers,
    RevokeToken,
    ShowConsole,
    ShowConsoleRights,
    ShowInstitution,
)
from creditbank.institutions.model import InstitutionType, Role
from creditbank.sessions import handlers as sessions
from creditbank.sessions.commands import IssueStaffPasswordCode
from tests.access.matrix import BANK_WIDE, OTHER, OWN, READERS, Door, let_through

_serials = count(1)
OWN_STAFF = frozenset({Role.REGISTRAR, Role.ASSESSOR, Role.ACCREDITATION_OFFICER})


def _new_user(uow: UnitOfWork, institution: str | None) -> str:
    email = f"new{next(_serials)}@matrix.example"
    role = Role.REGISTRAR if institution else Role.AUDITOR
    service.add_user(uow=uow, email=email, role=role, institution=institution)
    return email


def _new_token(uow: UnitOfWork, institution: str | None) -> int:
    return service.create_token(uow=uow, email=_new_user(uow, institution)).id


def _disabled_user(uow: UnitOfWork, institution: str | None) -> str:
    email = _new_user(uow, institution)
    service.set_user_enabled(uow=uow, email=email, enabled=False, now=datetime.now(UTC))
    return email


def _edit(code: str) -> EditInstitution:
    return EditInstitution(code, version=1, name="改名", name_en="Renamed", region="CN-SH")


NOW = {"now": datetime.now(UTC)}
THREE_DAYS = timedelta(days=3)


DOORS = [
    Door(
        "open an institution",
        handlers.add_institution,
        lambda _: AddInstitution(f"NEW{next(_serials)}", "新机构", InstitutionType.UNIVERSITY),
        BANK_WIDE,
    ),
    Door(
        "read own institution",
        handlers.show_institution,
        lambda _: ShowInstitution(OWN),
        READERS | OWN_STAFF | {Role.EMPLOYER},  # an employer reads its own institution
    ),
    Door(
        "read another institution",
        handlers.show_institution,
        lambda _: ShowInstitution(OTHER),
        READERS,
    ),
    Door(
        "add staff to own",
        handlers.add_user,
        lambda _: AddUser(f"u{next(_serials)}@m.example", Role.REGISTRAR, OWN),
        BANK_WIDE,
    ),
    Door(
        "add a bank-wide user",
        handlers.add_user,
        lambda _: AddUser(f"u{next(_serials)}@m.example", Role.AUDITOR),
        BANK_WIDE,
    ),
    Door(
        "token for own staff",
        handlers.create_token,
        lambda uow: CreateToken(_new_user(uow, OWN)),
        BANK_WIDE,
    ),
    Door(
        "token for another's staff",
        handlers.create_token,
        lambda uow: CreateToken(_new_user(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "revoke own staff's token",
        handlers.revoke_token,
        lambda uow: RevokeToken(_new_token(uow, OWN)),
        BANK_WIDE,
    ),
    Door(
        "revoke a bank-wide user's token",
        handlers.revoke_token,
        lambda uow: RevokeToken(_new_token(uow, None)),
        BANK_WIDE,
    ),
    Door("list institutions", views.list_institutions, lambda _: ListInstitutions(), READERS),
    Door("edit own institution", handlers.edit_institution, lambda _: _edit(OWN), BANK_WIDE),
    Door("edit another institution", handlers.edit_institution, lambda _: _edit(OTHER), BANK_WIDE),
    Door(
        "disable own staff",
        handlers.disable_user,
        lambda uow: DisableUser(_new_user(uow, OWN)),
        BANK_WIDE,
    ),
    Door(
        "disable another's staff",
        handlers.disable_user,
        lambda uow: DisableUser(_new_user(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "disable a bank-wide user",
        handlers.disable_user,
        lambda uow: DisableUser(_new_user(uow, None)),
        BANK_WIDE,
    ),
    Door(
        "enable own staff",
        handlers.enable_user,
        lambda uow: EnableUser(_disabled_user(uow, OWN)),
        BANK_WIDE,
    ),
    Door(
        "enable another's staff",
        handlers.enable_user,
        lambda uow: EnableUser(_disabled_user(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "password-set code for own staff",
        sessions.issue_staff_password_code,
        lambda uow: IssueStaffPasswordCode(_new_user(uow, OWN), THREE_DAYS),
        BANK_WIDE,
        NOW,
    ),
    Door(
        "password-set code for another's staff",
        sessions.issue_staff_password_code,
        lambda uow: IssueStaffPasswordCode(_new_user(uow, OTHER), THREE_DAYS),
        BANK_WIDE,
        NOW,
    ),
    Door(
        "password-set code for a bank-wide user",
        sessions.issue_staff_password_code,
        lambda uow: IssueStaffPasswordCode(_new_user(uow, None), THREE_DAYS),
        BANK_WIDE,
        NOW,
    ),
    Door("list all users", views.list_users, lambda _: ListUsers(), READERS),
    Door("list own staff", views.list_users, lambda _: ListUsers(institution=OWN), READERS),
    Door("list tokens", views.list_tokens, lambda _: ListTokens(), READERS),
    Door(
        "list own staff's tokens", views.list_tokens, lambda _: ListTokens(institution=OWN), READERS
    ),
    Door("read the admins' audit", views.list_admin_actions, lambda _: ListAdminActions(), READERS),
    Door(
        "read the audit of own institution",
        views.list_admin_actions,
        lambda _: ListAdminActions(institution=OWN),
        READERS,
    ),
    Door("open the console", views.show_console, lambda _: ShowConsole(), READERS),
    Door("the console's rights", views.show_console_rights, lambda _: ShowConsoleRights(), READERS),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
