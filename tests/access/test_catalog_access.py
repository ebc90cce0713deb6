"""Who may add catalogue items, read them, and grant, list and withdraw grants (handlers of
``creditbank.catalog``)."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest

from creditbank import clock
from creditbank.access.policy import Principal
from creditbank.catalog import grants, handlers, service
from creditbank.catalog.commands import AddItem, GrantItem, ListGrants, ListItems, WithdrawGrant
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from tests.access.matrix import BANK_WIDE, EVERY_ROLE, OTHER, OWN, Door, let_through

_serials = count(1)
OWN_REGISTRAR = BANK_WIDE | {Role.REGISTRAR}


def _draft(owner: str) -> ItemDraft:
    return ItemDraft(
        institution=owner,
        code=f"MATRIX-{next(_serials)}",
        kind=ItemKind.COURSE,
        name="课程",
        framework="LOFOUC",
        levels=("5",),
        credits=Decimal(2),
    )


def _new_item(uow: UnitOfWork, owner: str) -> str:
    return service.add_item(uow=uow, draft=_draft(owner), on=clock.today()).code


def _grant(uow: UnitOfWork, owner: str) -> GrantItem:
    grantee = OTHER if owner == OWN else OWN
    return GrantItem(owner, _new_item(uow, owner), grantee, valid_from=clock.today())


def _new_grant(uow: UnitOfWork, owner: str) -> int:
    command = _grant(uow, owner)
    grant = grants.grant_item(
        uow=uow,
        owner=command.owner,
        code=command.code,
        grantee=command.grantee,
        valid_from=command.valid_from,
        valid_until=None,
        by="matrix",
    )
    return grant.id


DOORS = [
    Door(
        "add an item to own",
        handlers.add_item,
        lambda _: AddItem(_draft(OWN), clock.today()),
        OWN_REGISTRAR,
    ),
    Door(
        "add an item to another's",
        handlers.add_item,
        lambda _: AddItem(_draft(OTHER), clock.today()),
        BANK_WIDE,
    ),
    Door("list own items", handlers.list_items, lambda _: ListItems(OWN), EVERY_ROLE),
    Door("list another's items", handlers.list_items, lambda _: ListItems(OTHER), EVERY_ROLE),
    Door("list every item", handlers.list_items, lambda _: ListItems(), EVERY_ROLE),
    Door("grant own item", handlers.grant_item, lambda uow: _grant(uow, OWN), OWN_REGISTRAR),
    Door("grant another's item", handlers.grant_item, lambda uow: _grant(uow, OTHER), BANK_WIDE),
    Door(
        "list own item's grants",
        handlers.list_grants,
        lambda uow: ListGrants(OWN, _new_item(uow, OWN)),
        EVERY_ROLE,
    ),
    Door(
        "list another's item's grants",
        handlers.list_grants,
        lambda uow: ListGrants(OTHER, _new_item(uow, OTHER)),
        EVERY_ROLE,
    ),
    Door(
        "withdraw a grant of own item",
        handlers.withdraw_grant,
        lambda uow: WithdrawGrant(_new_grant(uow, OWN)),
        OWN_REGISTRAR,
    ),
    Door(
        "withdraw a grant of another's item",
        handlers.withdraw_grant,
        lambda uow: WithdrawGrant(_new_grant(uow, OTHER)),
        BANK_WIDE,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_grants_record_who_acted(
    access_database: Database, principals: dict[Role, Principal]
) -> None:
    """A grant records the acting staff user, or whom the console names with ``--by``."""
    registrar = principals[Role.REGISTRAR]
    with access_database.unit_of_work() as uow:
        granted = handlers.grant_item(_grant(uow, OWN), principal=registrar, uow=uow)
        named = handlers.withdraw_grant(
            WithdrawGrant(granted.id, by="ops"), principal=registrar, uow=uow
        )
        uow.session.rollback()
    assert granted.granted_by == registrar.email
    assert named.withdrawn_by == "ops"
