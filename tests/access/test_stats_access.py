"""Who may read the statistics' figures of which scope, and rebuild them (handlers of
``creditbank.stats.figures``; the summary and the list of figures are public: ``OPEN``), and
skills in demand and held (``creditbank.stats.demand``: public, every role too) and the
refresh of the skills held it reads (``creditbank.stats.supply``: bank administrators)."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.stats import demand, figures, supply
from creditbank.stats.commands import (
    RebuildStats,
    RefreshSkillSupply,
    ShowFigure,
    ShowSkillDemand,
)
from tests.access.matrix import BANK_WIDE, EVERY_ROLE, OTHER, OWN, READERS, Door, let_through

DOORS = [
    Door(
        "a figure of own institution",
        figures.show_figure,
        lambda _: ShowFigure("outcomes", "level", scope=OWN),
        EVERY_ROLE,
    ),
    Door(
        "a figure of another institution",
        figures.show_figure,
        lambda _: ShowFigure("outcomes", "level", scope=OTHER),
        READERS,
    ),
    Door(
        # staff asking for no scope get their own institution's (tests/stats/test_figures.py)
        "a figure without a scope",
        figures.show_figure,
        lambda _: ShowFigure("outcomes", "year"),
        EVERY_ROLE,
    ),
    Door(
        # public (anyone, no login: OPEN too); every staff role, employers included
        "skills in demand and held",
        demand.show_skill_demand,
        lambda _: ShowSkillDemand("occupation"),
        EVERY_ROLE,
    ),
    Door(
        # the snapshot the figure above reads: counted again by bank administrators only
        "refresh the skills held",
        supply.refresh_skill_supply,
        lambda _: RefreshSkillSupply(),
        BANK_WIDE,
    ),
    Door(
        "rebuild the figures",
        figures.rebuild_stats,
        lambda _: RebuildStats(),
        BANK_WIDE,
        {"sources": []},
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
