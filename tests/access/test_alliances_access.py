"""Who may keep the bank's alliances (handlers of ``creditbank.alliances``): bank
administrators propose joining, approve it (another one) and leave; administrators and auditors
read the list. The public list of the bank's alliances is ``OPEN``; a test here shows it
answers with no principal at all."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.alliances import membership, views
from creditbank.alliances.commands import (
    ApproveJoining,
    JoinAlliance,
    LeaveAlliance,
    ListAlliances,
    ShowMemberships,
)
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.institutions.tables import UserRow
from creditbank.usecases import HANDLERS
from tests.access.matrix import BANK_WIDE, READERS, Door, let_through


def _join(code: str) -> JoinAlliance:
    return JoinAlliance(
        code=code,
        name="开放大学学习成果互认联盟",
        name_en="Open University alliance",
        members=("bank-a.example/log", "bank-b.example/log"),
        frameworks=("CQF",),
        item_kinds=("course",),
        valid_from=date(2026, 1, 1),
    )


def _first_user(uow: UnitOfWork) -> Principal:
    user_id = uow.session.scalar(select(UserRow.id).order_by(UserRow.id).limit(1))
    assert user_id is not None
    return Principal(user_id, "first@alpha.example", Role.BANK_ADMIN, None)


def _proposed(uow: UnitOfWork) -> str:
    """An alliance proposed by the bank's first user (so that the administrator tried may
    approve it)."""
    change = membership.join_alliance(_join("DOOR-A"), principal=_first_user(uow), uow=uow)
    return str(change.alliance.id)


def _joined(uow: UnitOfWork) -> str:
    alliance = _proposed(uow)
    other = uow.session.scalar(select(UserRow.id).order_by(UserRow.id.desc()).limit(1))
    assert other is not None
    membership.approve_joining(
        ApproveJoining(alliance),
        principal=Principal(other, "last@alpha.example", Role.BANK_ADMIN, None),
        uow=uow,
    )
    return alliance


DOORS = [
    Door("propose joining", membership.join_alliance, lambda _: _join("DOOR-NEW"), BANK_WIDE),
    Door(
        "approve joining",
        membership.approve_joining,
        lambda uow: ApproveJoining(_proposed(uow)),
        BANK_WIDE,
    ),
    Door(
        "leave an alliance",
        membership.leave_alliance,
        lambda uow: LeaveAlliance(_joined(uow), "the agreement ended"),
        BANK_WIDE,
    ),
    Door("list the alliances", views.list_alliances, lambda _: ListAlliances(), READERS),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_the_alliances_answer_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        listed = views.show_memberships(ShowMemberships(), principal=None, uow=uow)
        assert listed.alliances == ()
        uow.session.rollback()


def test_every_alliance_handler_has_a_door() -> None:
    names = {f"{d.handler.__module__}.{d.handler.__qualname__}" for d in DOORS}
    ours = {name for name in HANDLERS if name.startswith("creditbank.alliances.")}
    assert ours - names == {"creditbank.alliances.views.show_memberships"}
