"""Who may import occupations (``creditbank.occupations.importing``): the bank's administrators.
The search and one occupation by code are public (``OPEN``)."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.occupations import importing
from creditbank.occupations.commands import ImportOccupations
from tests.access.matrix import BANK_WIDE, Door, let_through

DOORS = [
    Door(
        "import occupations",
        importing.import_occupations,
        lambda _: ImportOccupations(
            "code,name\n4-08-08-23,建筑信息模型技术员\n".encode(),
            "ours.csv",
            source="Our test set",
            version="1",
            licence="CC0",
        ),
        BANK_WIDE,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
