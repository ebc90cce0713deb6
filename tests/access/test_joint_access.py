"""Who may do what with joint certification (handlers of ``creditbank.joint``): bank
administrators define schemes; depositing under a scheme needs the right to deposit for EVERY
participating body, so a registrar of one of them is refused (only the bank's administrators
hold it for all). Listing schemes and an outcome's linked outcomes are ``OPEN`` (public); a
test here shows they answer with no principal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.institutions.tables import UserRow
from creditbank.joint import schemes
from creditbank.joint.commands import (
    DefineJointScheme,
    DepositJointOutcome,
    JointBody,
    ListJointSchemes,
    ShowLinkedOutcomes,
)
from creditbank.joint.model import JointError
from tests.access.matrix import BANK_WIDE, OTHER, OWN, Door, let_through


def _scheme(uow: UnitOfWork) -> DepositJointOutcome:
    """A scheme of OWN's and OTHER's items (defined by a bank administrator), and a deposit
    under it for an account that does not exist (refused after the policy)."""
    for owner in (OWN, OTHER):
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=owner,
                code=f"J-{owner}",
                kind=ItemKind.COURSE,
                name="联合课程",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(2),
            ),
            on=date(2025, 1, 1),
        )
    user_id = uow.session.scalar(select(UserRow.id).order_by(UserRow.id).limit(1))
    assert user_id is not None
    schemes.define_joint_scheme(
        DefineJointScheme(
            "DOOR-J",
            "门",
            "",
            ("pass",),
            (JointBody(OWN, f"J-{OWN}", "pass=4"), JointBody(OTHER, f"J-{OTHER}", "pass=4")),
        ),
        principal=Principal(user_id, "first@alpha.example", Role.BANK_ADMIN, None),
        uow=uow,
    )
    return DepositJointOutcome("DOOR-J", "0" * 16, "R-1", "pass", date(2025, 1, 1))


DOORS = [
    Door(
        "define a joint scheme",
        schemes.define_joint_scheme,
        lambda _: DefineJointScheme(
            "DOOR-N",
            "门",
            "",
            ("pass",),
            (JointBody(OWN, "NONE-1", "pass=1"), JointBody(OTHER, "NONE-2", "pass=1")),
        ),
        BANK_WIDE,
    ),
    Door("deposit under a joint scheme", schemes.deposit_joint_outcome, _scheme, BANK_WIDE),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_schemes_and_linked_outcomes_answer_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        assert schemes.list_joint_schemes(ListJointSchemes(), principal=None, uow=uow) == []
        with pytest.raises(JointError) as unknown:
            schemes.show_linked_outcomes(ShowLinkedOutcomes("0" * 32), principal=None, uow=uow)
        assert unknown.value.code == "joint_outcome_not_found"
        uow.session.rollback()
