"""HTTP for the catalogue. Thin: authenticate, check the policy, call the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from creditbank.access.policy import Action, require
from creditbank.catalog import grants, service
from creditbank.catalog.model import ItemKind
from creditbank.catalog.schemas import GrantCreate, GrantRead, ItemCreate, ItemRead
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
    owner = check_institution_code(body.owner)
    require(principal, Action.GRANT_ITEM, owner)
    grant = grants.grant_item(
        uow=uow,
        owner=owner,
        code=code,
        grantee=check_institution_code(body.institution),
        valid_from=body.valid_from or today,
        valid_until=body.valid_until,
        by=principal.email,
    )
    return GrantRead.of(grant)


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
    owner_code = check_institution_code(owner)
    require(principal, Action.READ_CATALOG, owner_code)
    return [GrantRead.of(g) for g in grants.list_grants(uow=uow, owner=owner_code, code=code)]


@api.post(
    "/grants/{grant_id}/withdrawal",
    response_model=GrantRead,
    responses=responses(401, 403, 404, 409, 422),
)
def withdraw_grant(grant_id: int, uow: Uow, principal: Authenticated) -> GrantRead:
    """Withdraw a grant (the owner's registrars, bank administrators): its holder may deposit no
    more outcomes under it. The grant is kept, with when and by whom it was withdrawn."""
    require(principal, Action.GRANT_ITEM, grants.grant_owner(uow=uow, grant_id=grant_id))
    return GrantRead.of(grants.withdraw_grant(uow=uow, grant_id=grant_id, by=principal.email))
