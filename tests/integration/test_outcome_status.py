"""Outcome status on real databases: derived from events, filtered in SQL exactly as in Python."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import combinations

import pytest
from sqlalchemy import func, select

from creditbank.accounts import lifecycle, outcomes
from creditbank.accounts.model import (
    STATUS_PRECEDENCE,
    AccountError,
    LearningSetting,
    OutcomeFacts,
    OutcomeStatus,
    derive_status,
)
from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.bulk_files import add_college_with_course, course_outcome, open_learner

TODAY = date(2026, 11, 22)


facts = course_outcome


@pytest.fixture
def bank(database: Database) -> tuple[Database, str, int]:
    """A college with a course, one learner's account and a registrar's user id."""
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        user = institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        account = open_learner(uow)
    return database, account, user.id


def deposit(database: Database, account: str, record_id: str) -> str:
    with database.unit_of_work() as uow:
        return outcomes.deposit_outcome(
            uow=uow, institution="JSVC", account_number=account, facts=facts(record_id), today=TODAY
        ).outcome.public_id


SUBSETS = [set(c) for n in range(4) for c in combinations(STATUS_PRECEDENCE, n)]


def test_the_status_filter_in_sql_agrees_with_the_rule(bank: tuple[Database, str, int]) -> None:
    database, account, user = bank
    expected: dict[str, OutcomeStatus] = {}
    for n, kinds in enumerate(SUBSETS):  # every combination, even ones the use cases never make
        public_id = deposit(database, account, f"R-{n}")
        expected[public_id] = derive_status(kinds)
        with database.unit_of_work() as uow:
            row_id = uow.session.scalar(
                select(OutcomeRow.id).where(OutcomeRow.public_id == public_id)
            )
            assert row_id is not None
            for kind in kinds:
                uow.session.add(
                    OutcomeEventRow(
                        outcome_id=row_id,
                        kind=kind.value,
                        reason="",
                        by_user_id=user,
                        at=datetime.now(UTC),
                        replaced_by_id=None,
                    )
                )
    with database.unit_of_work() as uow:
        everything = outcomes.transcript(uow=uow, account_number=account).outcomes
        assert {o.public_id: o.status for o in everything} == expected
        for status in OutcomeStatus:
            page = outcomes.transcript(uow=uow, account_number=account, status=status)
            assert {o.public_id for o in page.outcomes} == {
                public_id for public_id, got in expected.items() if got is status
            }, status
    assert set(expected.values()) == set(OutcomeStatus)


def test_a_correction_is_a_new_outcome_and_the_old_one_is_kept(
    bank: tuple[Database, str, int],
) -> None:
    database, account, user = bank
    old = deposit(database, account, "R-1")
    with database.unit_of_work() as uow:
        corrected = lifecycle.supersede_outcome(
            uow=uow,
            public_id=old,
            facts=facts("R-1-fix", score="85"),
            reason="score mistyped",
            user_id=user,
            today=TODAY,
        )
    assert corrected.created and corrected.record.replaces == old
    with database.unit_of_work() as uow:
        before = lifecycle.get_outcome(uow=uow, public_id=old)
        assert before.outcome.status is OutcomeStatus.SUPERSEDED
        assert before.outcome.score == Decimal("80.00")  # never edited
        assert before.replaced_by == corrected.record.outcome.public_id
        assert [(e.kind, e.reason, e.by) for e in before.history] == [
            (OutcomeStatus.SUPERSEDED, "score mistyped", "reg@jsvc.example")
        ]
        assert uow.session.scalar(select(func.count()).select_from(OutcomeRow)) == 2
    with pytest.raises(AccountError) as refused, database.unit_of_work() as uow:
        lifecycle.revoke_outcome(uow=uow, public_id=old, user_id=user, reason="wrong")
    assert refused.value.code == "outcome_status_conflict"
    assert "superseded" in str(refused.value)


def test_a_refused_correction_changes_nothing(bank: tuple[Database, str, int]) -> None:
    database, account, user = bank
    old = deposit(database, account, "R-1")
    with pytest.raises(AccountError) as refused, database.unit_of_work() as uow:
        lifecycle.supersede_outcome(
            uow=uow,
            public_id=old,
            facts=OutcomeFacts(
                record_id="R-1-fix",
                item_code="CAD-201",
                level="9",
                credits=None,
                score=None,
                assessed_on=date(2024, 6, 30),
                setting=LearningSetting.FORMAL,
            ),
            reason="level",
            user_id=user,
            today=TODAY,
        )
    assert refused.value.code == "invalid_outcome"
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutcomeEventRow)) == 0
        assert uow.session.scalar(select(func.count()).select_from(OutcomeRow)) == 1
