"""Who may read the banks' figures combined (a national bank's: ``ShowFigure(source="network")``
of ``creditbank.stats.figures``): the bank's administrators and auditors, whatever scope they
ask; an institution's staff not even their own institution's code, which means nothing across
banks. What the last combine read (``show_combine``) is public, like the network's summary:
``OPEN``, tested here with no principal at all."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.stats import figures
from creditbank.stats.commands import ShowFigure
from creditbank.stats.exchange.commands import ShowCombine
from creditbank.stats.exchange.views import show_combine
from tests.access.matrix import OWN, READERS, Door, let_through

DOORS = [
    Door(
        "a figure of the banks combined",
        figures.show_figure,
        lambda _: ShowFigure("outcomes", "bank", source="network"),
        READERS,
    ),
    Door(
        "a figure of the banks combined for own institution",
        figures.show_figure,
        lambda _: ShowFigure("outcomes", "year", scope=OWN, source="network"),
        READERS,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_what_was_combined_is_public(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        assert show_combine(ShowCombine(), principal=None, uow=uow) is None  # nothing combined
