"""Handlers of the catalogue and its grants: each checks the policy, then calls the service.

An institution's registrars add its items and grant other institutions the right to issue
them; everyone who may read the catalogue reads items and grants. At the console, grants are
made by the operator (:data:`creditbank.access.policy.OPERATOR`), recording ``--by``.
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.catalog import grants, service
from creditbank.catalog.commands import AddItem, GrantItem, ListGrants, ListItems, WithdrawGrant
from creditbank.catalog.grants import Grant
from creditbank.catalog.model import CatalogItem
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.usecases import handler


@handler
def add_item(command: AddItem, *, principal: Principal, uow: UnitOfWork) -> CatalogItem:
    owner = institutions.check_institution_code(command.draft.institution)
    require(principal, Action.CREATE_CATALOG_ITEM, owner)
    return service.add_item(uow=uow, draft=command.draft, on=command.on)


@handler
def list_items(query: ListItems, *, principal: Principal, uow: UnitOfWork) -> list[CatalogItem]:
    owner = institutions.check_institution_code(query.institution) if query.institution else None
    require(principal, Action.READ_CATALOG, owner)
    return service.list_items(uow=uow, institution=owner, kind=query.kind)


@handler
def grant_item(command: GrantItem, *, principal: Principal, uow: UnitOfWork) -> Grant:
    owner = institutions.check_institution_code(command.owner)
    require(principal, Action.GRANT_ITEM, owner)
    granted = grants.grant_item(
        uow=uow,
        owner=owner,
        code=command.code,
        grantee=institutions.check_institution_code(command.grantee),
        valid_from=command.valid_from,
        valid_until=command.valid_until,
        by=command.by or principal.email,
    )
    _audit(uow, principal, "grant.add", granted)
    return granted


@handler
def list_grants(query: ListGrants, *, principal: Principal, uow: UnitOfWork) -> list[Grant]:
    owner = institutions.check_institution_code(query.owner)
    require(principal, Action.READ_CATALOG, owner)
    return grants.list_grants(uow=uow, owner=owner, code=query.code)


@handler
def withdraw_grant(command: WithdrawGrant, *, principal: Principal, uow: UnitOfWork) -> Grant:
    require(principal, Action.GRANT_ITEM, grants.grant_owner(uow=uow, grant_id=command.grant_id))
    withdrawn = grants.withdraw_grant(
        uow=uow, grant_id=command.grant_id, by=command.by or principal.email
    )
    _audit(uow, principal, "grant.withdraw", withdrawn)
    return withdrawn


def _audit(uow: UnitOfWork, principal: Principal, action: str, grant: Grant) -> None:
    """A grant made or withdrawn bank-wide (by an administrator, or the operator at the
    console) goes into the audit of administrators' actions; an owner's registrars' do not."""
    if principal.institution is None:
        institutions.record_admin_action(
            uow,
            principal,
            action,
            target_kind="grant",
            target=grant.id,
            institution=grant.owner,
            detail=grant.institution,  # the grantee's code
        )
