"""A learner's skills as matching reads them, on both databases (tests/matching_world.py): from
outcomes that still count through the alignments in force (at any level and at the outcome's
level), plus what approved conversion rules would give (the conversion engine's plan, under the
programme's caps); a revoked
outcome gives nothing; the items teaching skills as offers (at any level, at a level)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from creditbank.accounts import api as accounts
from creditbank.bootstrap import wire
from creditbank.db import Database
from creditbank.matching.learners import learner_skills, offers_teaching
from creditbank.matching.model import Evidence
from tests import conftest, conversion_world
from tests import matching_world as world
from tests.conftest import BACKENDS, _new_database


@pytest.fixture(scope="module", params=BACKENDS)
def bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, world.World]]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("matching"), initialised=True
    )
    wire(database, conftest.test_settings(database.url))
    with database.unit_of_work() as uow:
        built = world.build(uow)
    yield database, built
    database.dispose()


@pytest.fixture(autouse=True)
def rolled_back(bank: tuple[Database, world.World]) -> Iterator[None]:
    with bank[0].pinned():  # type: ignore[attr-defined]
        yield


def test_outcomes_and_conversion_give_skills(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        learner = accounts.learner_id_of(uow, built.x_holder)
        held = learner_skills(uow, learner)
        direct = learner_skills(uow, learner, conversions=False)
    # the rule exempts BIM-101 (4 credits) and BIM-102 (3), but the diploma's cap of 6 credits
    # per source item lets the engine's plan grant BIM-101 only: BIM-102's RENDER is not given
    assert set(held) == {ids["model"], ids["coord"]}
    level = held[ids["model"]][0].level
    assert level is not None
    assert level.startswith("1X@")
    assert level.endswith(":intermediate")
    assert held[ids["model"]] == [
        Evidence(
            ids["model"],
            built.x_outcome,
            "BIMTEO:BIM-X",
            held[ids["model"]][0].item_name,
            level,
            by_conversion=False,
        ),
        Evidence(
            ids["model"], built.x_outcome, "SHVC:BIM-101", "BIM-101", None, by_conversion=True
        ),
    ]
    assert [e.by_conversion for e in held[ids["coord"]]] == [False]
    assert set(direct) == {ids["model"], ids["coord"]}


def test_a_revoked_outcome_gives_nothing_and_levels_matter(
    bank: tuple[Database, world.World],
) -> None:
    database, built = bank
    with database.unit_of_work() as uow:
        assert learner_skills(uow, accounts.learner_id_of(uow, built.revoked)) == {}
        beginner = conversion_world.x_certificate_holder(uow, 9, level="beginner")
        # BIM-X's alignment names intermediate only, and the rule asks for intermediate or more
        assert learner_skills(uow, accounts.learner_id_of(uow, beginner)) == {}
        drawer = learner_skills(uow, accounts.learner_id_of(uow, built.drawer))
    assert list(drawer) == [built.skills["draw"]]
    assert drawer[built.skills["draw"]][0].outcome == built.draw_outcome


def test_offers_at_any_level_and_at_a_level(bank: tuple[Database, world.World]) -> None:
    database, built = bank
    ids = built.skills
    with database.unit_of_work() as uow:
        offers = offers_teaching(uow, [ids["model"], ids["coord"], ids["survey"]])
    shown = sorted((o.item, o.level is not None, sorted(o.skills), o.credits) for o in offers)
    assert shown == [
        ("BIMTEO:BIM-X", True, sorted([ids["model"], ids["coord"]]), None),
        ("SHVC:BIM-101", False, [ids["model"]], Decimal(4)),
        ("SHVC:BIM-102", False, [ids["coord"]], Decimal(3)),
    ]
    (certificate,) = [o for o in offers if o.item == "BIMTEO:BIM-X"]
    assert certificate.kind == "x_certificate"
    assert certificate.owner == "BIMTEO"
    assert certificate.level is not None
    assert certificate.level.endswith(":intermediate")
