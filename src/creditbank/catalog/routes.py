"""HTTP for the catalogue. Thin: authenticate, build the command, call its handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from creditbank.catalog import handlers
from creditbank.catalog.commands import AddItem, GrantItem, ListGrants, ListItems, WithdrawGrant
from creditbank.catalog.model import ItemKind
from creditbank.catalog.schemas import GrantCreate, GrantRead, ItemCreate, ItemRead
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Today, Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/catalog", tags=["catalogue"])


@api.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses=responses(401, 403, 404, 409, 422),
)
def create_item(body: ItemCreate, uow: Uow, today: Today, principal: Authenticated) -> ItemRead:
    """Add an item to an institution's catalogue (its registrars, or a bank administrator)."""
    command = AddItem(body.to_draft(), today)
    return ItemRead.of(handlers.add_item(command, principal=principal, uow=uow))


@api.get("/items", response_model=list[ItemRead], responses=responses(401, 403, 404, 422))
def list_items(
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[str | None, Query(description="Institution code.")] = None,
    kind: Annotated[ItemKind | None, Query()] = None,
) -> list[ItemRead]:
    """Catalogue items, by institution and kind."""
    items = handlers.list_items(ListItems(institution, kind), principal=principal, uow=uow)
    return [ItemRead.of(i) for i in items]


@api.post(
    "/items/{code}/grants",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantRead,
    responses=responses(401, 403, 404, 409, 422),
)
def grant_item(
    code: str, body: GrantCreate, uow: Uow, today: Today, principal: Authenticated
) -> GrantRead:
    """Accredit an institution to issue the owner's item, for assessments from `valid_from`
    (default today) to `valid_until` (default open-ended); the owner's registrars, bank
    administrators. 409 when a grant of the same item to the same institution overlaps."""
    command = GrantItem(
        owner=body.owner,
        code=code,
        grantee=body.institution,
        valid_from=body.valid_from or today,
        valid_until=body.valid_until,
    )
    return GrantRead.of(handlers.grant_item(command, principal=principal, uow=uow))


@api.get(
    "/items/{code}/grants",
    response_model=list[GrantRead],
    responses=responses(401, 403, 404, 422),
)
def list_grants(
    code: str,
    uow: Uow,
    principal: Authenticated,
    owner: Annotated[str, Query(description="The institution that owns the item.")],
) -> list[GrantRead]:
    """Every grant of an item, withdrawn ones too (everyone who may read the catalogue)."""
    found = handlers.list_grants(ListGrants(owner, code), principal=principal, uow=uow)
    return [GrantRead.of(g) for g in found]


@api.post(
    "/grants/{grant_id}/withdrawal",
    response_model=GrantRead,
    responses=responses(401, 403, 404, 409, 422),
)
def withdraw_grant(grant_id: int, uow: Uow, principal: Authenticated) -> GrantRead:
    """Withdraw a grant (the owner's registrars, bank administrators): its holder may deposit no
    more outcomes under it. The grant is kept, with when and by whom it was withdrawn."""
    withdrawn = handlers.withdraw_grant(WithdrawGrant(grant_id), principal=principal, uow=uow)
    return GrantRead.of(withdrawn)
