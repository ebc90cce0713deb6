"""The bank's alliances through the handlers, on both databases: joining takes four eyes and
is logged with its v2 record (no row ids, the actor pseudonymous), leaving is logged, an
alliance left may be joined again, ``log verify`` checks every step and finds an alliance
changed after the fact; a refusal names every problem and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update

from creditbank.access.policy import Principal
from creditbank.alliances import membership, views
from creditbank.alliances.commands import (
    ApproveJoining,
    JoinAlliance,
    LeaveAlliance,
    ListAlliances,
    ShowMemberships,
)
from creditbank.alliances.model import AllianceStatus
from creditbank.alliances.records import READERS, record_id
from creditbank.alliances.tables import BankAllianceRow
from creditbank.bootstrap import ledger_readers
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogKind
from creditbank.ledger.verify import verify_log


@dataclass(frozen=True)
class Admins:
    first: Principal
    second: Principal


def _admins(uow: UnitOfWork) -> Admins:
    for email in ("a1@bank.example", "a2@bank.example"):
        institutions.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
    return Admins(
        institutions.principal_for(uow=uow, email="a1@bank.example"),
        institutions.principal_for(uow=uow, email="a2@bank.example"),
    )


def _join(code: str = "OU-MUTUAL", **changes: object) -> JoinAlliance:
    fields: dict[str, object] = {
        "code": code,
        "name": "开放大学学习成果互认联盟",
        "name_en": "Open universities' alliance",
        "members": ("bank-a.example/log", "bank-b.example/log"),
        "frameworks": ("CQF",),
        "item_kinds": ("course", "x_certificate"),
        "valid_from": date(2026, 1, 1),
        "valid_until": None,
    }
    fields.update(changes)
    return JoinAlliance(**fields)  # type: ignore[arg-type]


def _refused(code: str, run: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run()
    assert caught.value.code == code, caught.value.render()
    return caught.value


def test_joining_and_leaving_are_logged_and_verified(database: Database) -> None:
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        proposed = membership.join_alliance(_join(), principal=admins.first, uow=uow)
        assert (proposed.alliance.status, proposed.receipt) == (AllianceStatus.PROPOSED, None)
        alliance = str(proposed.alliance.id)
        _refused(
            "alliance_four_eyes",
            lambda: membership.approve_joining(
                ApproveJoining(alliance), principal=admins.first, uow=uow
            ),
        )
        assert views.show_memberships(ShowMemberships(), principal=None, uow=uow).alliances == ()
        joined = membership.approve_joining(
            ApproveJoining("OU-MUTUAL"), principal=admins.second, uow=uow
        )
        assert joined.receipt is not None
        assert joined.receipt.kind is LogKind.ALLIANCE_JOINED
        record = READERS[LogKind.ALLIANCE_JOINED, 2](uow, [record_id(joined.alliance.id)])
        logged = record[record_id(joined.alliance.id)]
        assert logged["schema"] == 2
        assert logged["members"] == "bank-a.example/log,bank-b.example/log"
        assert str(logged["actor"]).startswith("user:")
        assert not any(key.endswith("_id") for key in logged)
        public = views.show_memberships(ShowMemberships(), principal=None, uow=uow)
        assert [a.code for a in public.alliances] == ["OU-MUTUAL"]
        assert (
            views.show_memberships(
                ShowMemberships(), principal=None, uow=uow, on=date(2025, 12, 31)
            ).alliances
            == ()
        )
        _refused(
            "alliance_status_conflict",
            lambda: membership.approve_joining(
                ApproveJoining(alliance), principal=admins.second, uow=uow
            ),
        )
        left = membership.leave_alliance(
            LeaveAlliance(alliance, "the agreement ended"), principal=admins.first, uow=uow
        )
        assert left.receipt is not None
        assert left.receipt.kind is LogKind.ALLIANCE_LEFT
        assert [e.kind for e in left.alliance.events] == [
            AllianceStatus.PROPOSED,
            AllianceStatus.JOINED,
            AllianceStatus.LEFT,
        ]
        _refused(
            "alliance_not_found",
            lambda: membership.leave_alliance(
                LeaveAlliance("OU-MUTUAL", "again"), principal=admins.first, uow=uow
            ),
        )
        again = membership.join_alliance(_join(), principal=admins.second, uow=uow)
        assert again.alliance.id != left.alliance.id
        assert len(views.list_alliances(ListAlliances(), principal=admins.first, uow=uow)) == 2
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        assert report.ok, [p.render() for p in report.problems]


def test_log_verify_finds_an_alliance_changed_after_the_fact(database: Database) -> None:
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        proposed = membership.join_alliance(_join("OU-2"), principal=admins.first, uow=uow)
        membership.approve_joining(
            ApproveJoining(str(proposed.alliance.id)), principal=admins.second, uow=uow
        )
        uow.session.execute(
            update(BankAllianceRow)
            .where(BankAllianceRow.id == proposed.alliance.id)
            .values(members="bank-a.example/log,bank-x.example/log")
        )
        readers, unlogged = ledger_readers()
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        assert not report.ok
        assert any("alliance" in p.render() for p in report.problems), report.problems


def test_an_alliance_that_cannot_be_joined_names_every_problem(database: Database) -> None:
    with database.unit_of_work() as uow:
        admins = _admins(uow)
        error = _refused(
            "invalid_alliance",
            lambda: membership.join_alliance(
                _join(
                    "no spaces allowed",
                    name=" ",
                    members=("a b", ledger.log_origin(uow=uow)),
                    frameworks=(),
                    item_kinds=(),
                    valid_until=date(2025, 1, 1),
                ),
                principal=admins.first,
                uow=uow,
            ),
        )
        assert len(error.problems) == 6, [p.render() for p in error.problems]
        assert uow.session.scalar(select(func.count(BankAllianceRow.id))) == 0
        _refused(
            "invalid_alliance",
            lambda: membership.leave_alliance(
                LeaveAlliance("1", ""), principal=admins.first, uow=uow
            ),
        )
