"""The storage helpers bulk deposit relies on, on both databases: membership by one
parameter, and primary keys reserved ahead of a bulk insert."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from creditbank.accounts.model import new_account_number
from creditbank.accounts.tables import LearnerRow
from creditbank.db import Database, bulk_insert, find_each, one_of, reserve_ids


def add_learners(database: Database, count: int) -> list[str]:
    numbers = sorted({new_account_number() for _ in range(count)})
    with database.unit_of_work() as uow:
        ids = reserve_ids(uow.session, LearnerRow, len(numbers))
        now = datetime.now(UTC)
        bulk_insert(
            uow.session,
            LearnerRow,
            [
                {"id": learner_id, "account_number": number, "opened_at": now}
                for learner_id, number in zip(ids, numbers, strict=True)
            ],
        )
    return numbers


def test_one_of_finds_exactly_the_listed_values_however_many(database: Database) -> None:
    numbers = add_learners(database, 3000)
    asked = [*numbers[::2], "CB000000000000", "it's not; a number"]
    with database.unit_of_work() as uow:
        found = set(
            uow.session.scalars(
                select(LearnerRow.account_number).where(
                    one_of(uow.session, LearnerRow.account_number, asked)
                )
            )
        )
        assert found == set(numbers[::2])
        assert (
            uow.session.scalars(
                select(LearnerRow.id).where(one_of(uow.session, LearnerRow.id, []))
            ).all()
            == []
        )


def test_reserved_ids_follow_every_id_in_use_and_later_inserts_follow_them(
    database: Database,
) -> None:
    add_learners(database, 10)
    with database.unit_of_work() as uow:
        uow.session.add(
            LearnerRow(account_number=new_account_number(), opened_at=datetime.now(UTC))
        )
        uow.session.flush()
        highest = uow.session.scalar(select(func.max(LearnerRow.id))) or 0
        reserved = reserve_ids(uow.session, LearnerRow, 5)
        assert reserved == list(range(reserved[0], reserved[0] + 5))
        assert reserved[0] > highest
    add_learners(database, 5)  # the ids reserved above were never used: no clash, no reuse below
    with database.unit_of_work() as uow:
        ids = uow.session.scalars(select(LearnerRow.id).order_by(LearnerRow.id)).all()
    assert len(ids) == len(set(ids)) == 16


def test_find_each_gives_the_rows_of_the_listed_keys_only(database: Database) -> None:
    numbers = add_learners(database, 3000)
    asked = [*numbers[::3], "CB000000000000", "it's not; a number"]
    with database.unit_of_work() as uow:
        found = find_each(
            uow.session,
            [LearnerRow.account_number, LearnerRow.id],
            LearnerRow.account_number,
            asked,
        )
        assert sorted(row[0] for row in found) == numbers[::3]
        ids = {row.account_number: row.id for row in uow.session.scalars(select(LearnerRow))}
        assert all(row[1] == ids[row[0]] for row in found)
        narrowed = find_each(
            uow.session,
            [LearnerRow.account_number],
            LearnerRow.account_number,
            asked,
            LearnerRow.id <= ids[numbers[300]],
        )
        assert sorted(row[0] for row in narrowed) == numbers[:301:3]
        assert find_each(uow.session, [LearnerRow.id], LearnerRow.account_number, []) == []
        some_ids = [ids[number] for number in numbers[:5]]
        by_id = find_each(uow.session, [LearnerRow.id], LearnerRow.id, [*some_ids, 10**9])
        assert sorted(row[0] for row in by_id) == sorted(some_ids)
