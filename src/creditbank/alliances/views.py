"""Read models of the bank's alliances: the administrators' list with history, and the public
list of the alliances this bank is a member of today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.alliances.commands import ListAlliances, ShowMemberships
from creditbank.alliances.membership import alliances_of
from creditbank.alliances.model import Alliance, AllianceStatus
from creditbank.alliances.tables import BankAllianceRow
from creditbank.clock import today
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class Memberships:
    """The public list: this bank (its log origin), the day, and its alliances in force."""

    bank: str
    on: date
    alliances: tuple[Alliance, ...]


@handler
def list_alliances(
    query: ListAlliances, *, principal: Principal, uow: UnitOfWork
) -> list[Alliance]:
    """The bank's alliances, proposed, joined and left, with their history (administrators,
    auditors)."""
    require(principal, Action.READ_ALLIANCES, None)
    statement = select(BankAllianceRow).order_by(BankAllianceRow.code, BankAllianceRow.id)
    if query.status is not None:
        statement = statement.where(BankAllianceRow.status == query.status.value)
    return alliances_of(uow, list(uow.session.scalars(statement)))


@handler
def show_memberships(
    query: ShowMemberships,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    on: date | None = None,
) -> Memberships:
    """Public: the alliances this bank has joined whose agreement is in force today."""
    del query, principal  # public
    day = on or today()
    rows = uow.session.scalars(
        select(BankAllianceRow)
        .where(BankAllianceRow.status == AllianceStatus.JOINED.value)
        .order_by(BankAllianceRow.code)
    )
    found = [a for a in alliances_of(uow, list(rows)) if a.scope.in_force(day)]
    return Memberships(ledger.log_origin(uow=uow), day, tuple(found))
