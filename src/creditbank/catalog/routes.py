"""HTTP for the catalogue. Thin: authenticate, check the policy, call the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from creditbank.access.policy import Action, require
from creditbank.catalog import service
from creditbank.catalog.model import ItemKind
from creditbank.catalog.schemas import ItemCreate, ItemRead
from creditbank.institutions.model import check_institution_code
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
    require(principal, Action.CREATE_CATALOG_ITEM, check_institution_code(body.institution))
    return ItemRead.of(service.add_item(uow=uow, draft=body.to_draft(), on=today))


@api.get("/items", response_model=list[ItemRead], responses=responses(401, 403, 404, 422))
def list_items(
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[str | None, Query(description="Institution code.")] = None,
    kind: Annotated[ItemKind | None, Query()] = None,
) -> list[ItemRead]:
    """Catalogue items, by institution and kind."""
    owner = check_institution_code(institution) if institution else None
    require(principal, Action.READ_CATALOG, owner)
    return [ItemRead.of(i) for i in service.list_items(uow=uow, institution=owner, kind=kind)]
