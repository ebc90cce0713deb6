"""Handlers of the operator console's grants page ("accredited to issue" grants, bank-wide).

The console is the bank's: its administrators and auditors read every grant there; the
administrators grant and withdraw through the same handlers as the API
(:func:`creditbank.catalog.handlers.grant_item`, ``withdraw_grant``). Institutions' staff read
their own items' grants through the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.catalog import grants, service
from creditbank.catalog.commands import ShowGrantForm, ShowGrantsConsole
from creditbank.catalog.grants import Grant
from creditbank.catalog.model import CatalogItem, ItemKind
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.usecases import handler

NOT_GRANTED = frozenset({ItemKind.TRANSFERRED_CREDIT})
"""Items no grant is made for: transferred credit is deposited by confirmed conversions only
(as :func:`creditbank.catalog.grants.issuable_items` has it)."""


@dataclass(frozen=True, slots=True)
class GrantsConsole:
    """The grants (the latest first), the items a grant may be of, the institutions that may
    hold one, and whether the acting user may grant and withdraw."""

    grants: list[Grant]
    items: list[CatalogItem]
    institutions: list[institutions.Institution]
    may_grant: bool


@handler
def show_grants_console(
    query: ShowGrantsConsole, *, principal: Principal, uow: UnitOfWork
) -> GrantsConsole:
    """The console's readers only (the bank's administrators and auditors, who read every
    institution); an unknown ``institution`` is ``institution_not_found``."""
    require(principal, Action.READ_INSTITUTION, None)
    chosen = institutions.check_institution_code(query.institution) if query.institution else None
    return GrantsConsole(
        grants=grants.every_grant(uow=uow, institution=chosen),
        items=[item for item in service.list_items(uow=uow) if item.kind not in NOT_GRANTED],
        institutions=institutions.list_institutions(uow=uow),
        may_grant=allowed(principal, Action.GRANT_ITEM, None),
    )


@handler
def show_grant_form(query: ShowGrantForm, *, principal: Principal, uow: UnitOfWork) -> None:
    """Refuses (``forbidden``) all but those who grant for any institution (the bank's
    administrators): the console's forms are theirs; an owner's registrars grant through the
    API."""
    del query, uow
    require(principal, Action.GRANT_ITEM, None)
