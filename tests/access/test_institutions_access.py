"""Who may open institutions, read them, add staff and manage tokens (handlers of
``creditbank.institutions``)."""

from __future__ import annotations

from itertools import count

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import handlers, service
from creditbank.institutions.commands import (
    AddInstitution,
    AddUser,
    CreateToken,
    RevokeToken,
    ShowInstitution,
)
from creditbank.institutions.model import InstitutionType, Role
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
        READERS | OWN_STAFF,
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
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
