"""Races on one conversion, on SQLite and PostgreSQL, over two server processes: learning is
never counted twice.

- Five confirms and five declines of one pending conversion at once: exactly one wins. When a
  confirm won, the transferred credit exists and the source stays claimed (a second conversion
  of it is refused, 409); when a decline won, no transferred credit exists.
- Ten declines at once: one ``declined`` event. Ten confirms at once: one ``confirmed`` event
  and one set of transferred-credit outcomes.
- Confirms against reverses of a pending conversion: one reverse wins (a pending conversion is
  withdrawn, a confirmed one reversed), at most one confirm, and any transferred credit is
  revoked.
- Parallel requests to convert one learner's source: one conversion (201), 409 for the others.
- After every round, no source outcome counts in two standing conversions toward one
  programme (the figure is added to the suite's tally).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import count
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts.tables import OutcomeEventRow, OutcomeRow
from creditbank.conversion import api as conversion
from creditbank.conversion.model import Caps, Component
from creditbank.conversion.tables import (
    ClaimRow,
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ConversionSourceRow,
)
from tests import conversion_world
from tests.concurrency.conftest import (
    RACERS,
    ROUNDS,
    TALLY,
    Call,
    World,
    losers_are_conflicts,
    race,
)

PROGRAMME = "RACE-DIP"
_serial = count(11_000)


@dataclass(frozen=True)
class Desk:
    """The world with a programme of its own (other modules' rules do not apply to it)."""

    world: World

    def deciders(self) -> list[str]:
        """Tokens of those who may decide on the programme's conversions, in turn."""
        return [(self.world.shvc, self.world.admin2)[i % 2] for i in range(RACERS)]

    def holder(self) -> str:
        with self.world.banks.live.database.unit_of_work() as uow:
            return conversion_world.x_certificate_holder(uow, next(_serial))

    def request(self, account: str) -> httpx2.Response:
        with self.world.banks.client(self.world.admin1) as client:
            return client.post(
                "/api/v1/conversions", json={"account_number": account, "programme": PROGRAMME}
            )

    def pending(self) -> tuple[str, str]:
        """A new holder's pending conversion: (account number, conversion id)."""
        account = self.holder()
        answer = self.request(account)
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "pending"
        return account, str(answer.json()["id"])

    def events(self, public_id: str) -> list[str]:
        with self.world.banks.live.database.unit_of_work() as uow:
            return list(
                uow.session.scalars(
                    select(ConversionEventRow.kind)
                    .join(ConversionRow, ConversionRow.id == ConversionEventRow.conversion_id)
                    .where(ConversionRow.public_id == public_id)
                    .order_by(ConversionEventRow.id)
                )
            )

    def transferred(self, public_id: str) -> dict[str, list[str]]:
        """The transferred-credit outcomes the conversion deposited, with their events."""
        with self.world.banks.live.database.unit_of_work() as uow:
            rows = uow.session.execute(
                select(OutcomeRow.id, OutcomeRow.public_id)
                .join(ConversionGrantRow, ConversionGrantRow.id == OutcomeRow.conversion_grant_id)
                .join(ConversionRow, ConversionRow.id == ConversionGrantRow.conversion_id)
                .where(ConversionRow.public_id == public_id)
            ).all()
            return {
                public: list(
                    uow.session.scalars(
                        select(OutcomeEventRow.kind).where(OutcomeEventRow.outcome_id == row_id)
                    )
                )
                for row_id, public in rows
            }

    def claims(self, public_id: str) -> int:
        with self.world.banks.live.database.unit_of_work() as uow:
            return (
                uow.session.scalar(
                    select(func.count())
                    .select_from(ClaimRow)
                    .join(ConversionRow, ConversionRow.id == ClaimRow.conversion_id)
                    .where(ConversionRow.public_id == public_id)
                )
                or 0
            )

    def double_conversions(self) -> int:
        """Source outcomes counted by two or more standing (pending or confirmed, not declined
        or reversed) conversions toward the same programme, over the whole bank."""
        with self.world.banks.live.database.unit_of_work() as uow:
            ended = select(ConversionEventRow.conversion_id).where(
                ConversionEventRow.kind.in_(["declined", "reversed"])
            )
            doubled = (
                select(ConversionRow.programme_id, ConversionSourceRow.outcome_id)
                .join(ConversionGrantRow, ConversionGrantRow.id == ConversionSourceRow.grant_id)
                .join(ConversionRow, ConversionRow.id == ConversionGrantRow.conversion_id)
                .where(ConversionRow.id.not_in(ended))
                .group_by(ConversionRow.programme_id, ConversionSourceRow.outcome_id)
                .having(func.count(func.distinct(ConversionRow.id)) > 1)
            )
            return len(uow.session.execute(doubled).all())

    def no_source_converted_twice(self) -> None:
        doubled = self.double_conversions()
        TALLY.double_conversions += doubled
        assert doubled == 0


@pytest.fixture(scope="session")
def desk(world: World) -> Desk:
    with world.banks.live.database.unit_of_work() as uow:
        conversion.create_programme(
            uow=uow,
            spec=conversion.ProgrammeSpec(
                code=PROGRAMME,
                institution="SHVC",
                item="DIP-CE",
                name="建筑工程技术（高职，并发测试）",
                total_credits=Decimal(60),
                components=(
                    Component(
                        "BIM-101", "BIM 建模", Decimal(4), "core", mandatory=True, item="BIM-101"
                    ),
                    Component("BIM-102", "BIM 应用", Decimal(3), "core", item="BIM-102"),
                ),
                caps=Caps(per_source_item=Decimal(6), programme_share=Decimal("0.333")),
            ),
            by=conversion_world.SHVC_REGISTRAR,
        )
        draft = replace(conversion_world.x_certificate_rule("RACE-X"), programme=PROGRAMME)
        conversion_world.approved(uow, world.users, draft, "SHVC")
    return Desk(world)


def decline(reason: str) -> dict[str, Any]:
    return {"reason": reason}


def test_confirms_against_declines_have_one_winner(desk: Desk) -> None:
    for _ in range(ROUNDS):
        account, public_id = desk.pending()
        url = f"/api/v1/conversions/{public_id}"
        calls = [
            Call(token, "POST", f"{url}/confirm")
            if i % 2
            else Call(token, "POST", f"{url}/decline", decline("certificate forged"))
            for i, token in enumerate(desk.deciders())
        ]
        answers = race("conversion confirm vs decline", desk.world.banks, calls)
        won = [i for i, answer in enumerate(answers) if answer.status_code == 200]
        assert len(won) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-status-conflict")
        transferred = desk.transferred(public_id)
        again = desk.request(account)
        if won[0] % 2:  # a confirm won
            assert desk.events(public_id) == ["confirmed"]
            assert transferred, "the confirmed conversion deposited no transferred credit"
            assert all(events == [] for events in transferred.values()), transferred
            assert desk.claims(public_id) > 0  # the source stays claimed
            assert again.status_code == 409, again.text  # and cannot be converted again
            assert again.json()["type"] == "/problems/conversion-conflict"
        else:
            assert desk.events(public_id) == ["declined"]
            assert transferred == {}
            assert desk.claims(public_id) == 0
            assert again.status_code == 201, again.text  # a declined source is free again
        desk.no_source_converted_twice()


def test_parallel_declines_decline_once(desk: Desk) -> None:
    for round_ in range(ROUNDS):
        _, public_id = desk.pending()
        answers = race(
            "conversion decline",
            desk.world.banks,
            [
                Call(
                    token,
                    "POST",
                    f"/api/v1/conversions/{public_id}/decline",
                    decline(f"not ours ({round_}.{i})"),
                )
                for i, token in enumerate(desk.deciders())
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-status-conflict")
        assert desk.events(public_id) == ["declined"]
        assert desk.transferred(public_id) == {}
        desk.no_source_converted_twice()


def test_parallel_confirms_confirm_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        account, public_id = desk.pending()
        answers = race(
            "conversion confirm",
            desk.world.banks,
            [
                Call(token, "POST", f"/api/v1/conversions/{public_id}/confirm")
                for token in desk.deciders()
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-status-conflict")
        assert desk.events(public_id) == ["confirmed"]
        winner = next(a for a in answers if a.status_code == 200).json()
        made = {grant["transferred"] for grant in winner["grants"]}
        assert set(desk.transferred(public_id)) == made  # one set of transferred credit
        assert desk.request(account).status_code == 409
        desk.no_source_converted_twice()


def test_confirms_against_reverses_leave_it_reversed_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        account, public_id = desk.pending()
        url = f"/api/v1/conversions/{public_id}"
        calls = [
            Call(token, "POST", f"{url}/confirm")
            if i % 2
            else Call(token, "POST", f"{url}/reverse", decline("source in doubt"))
            for i, token in enumerate(desk.deciders())
        ]
        answers = race("conversion confirm vs reverse", desk.world.banks, calls)
        confirms = [a.status_code for a in answers[1::2]]
        reverses = [a.status_code for a in answers[0::2]]
        assert reverses.count(200) == 1, [a.text for a in answers]
        assert confirms.count(200) <= 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-status-conflict")
        events = desk.events(public_id)
        transferred = desk.transferred(public_id)
        if confirms.count(200):
            assert events == ["confirmed", "reversed"]
            assert transferred
            assert all(kinds == ["revoked"] for kinds in transferred.values()), transferred
        else:
            assert events == ["reversed"]
            assert transferred == {}
        assert desk.claims(public_id) == 0
        assert desk.request(account).status_code == 201  # the source is free again
        desk.no_source_converted_twice()


def test_parallel_reverses_of_a_confirmed_conversion_reverse_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        _, public_id = desk.pending()
        with desk.world.banks.client(desk.world.shvc) as client:
            confirmed = client.post(f"/api/v1/conversions/{public_id}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        answers = race(
            "conversion reverse",
            desk.world.banks,
            [
                Call(
                    token,
                    "POST",
                    f"/api/v1/conversions/{public_id}/reverse",
                    decline("issued in error"),
                )
                for token in desk.deciders()
            ],
        )
        assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-status-conflict")
        assert desk.events(public_id) == ["confirmed", "reversed"]
        transferred = desk.transferred(public_id)
        assert transferred
        assert all(kinds == ["revoked"] for kinds in transferred.values()), transferred
        desk.no_source_converted_twice()


def test_parallel_requests_for_one_source_make_one_conversion(desk: Desk) -> None:
    for _ in range(ROUNDS):
        account = desk.holder()
        body = {"account_number": account, "programme": PROGRAMME}
        answers = race(
            "conversion request",
            desk.world.banks,
            [
                Call(
                    (desk.world.admin1, desk.world.admin2)[i % 2],
                    "POST",
                    "/api/v1/conversions",
                    body,
                )
                for i in range(RACERS)
            ],
        )
        assert [a.status_code for a in answers].count(201) == 1, [a.text for a in answers]
        losers_are_conflicts(answers, "conversion-conflict", ok=201)
        desk.no_source_converted_twice()
