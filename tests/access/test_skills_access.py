"""Who may import skills (``creditbank.skills.importing``): the bank's administrators. One skill,
the search and an occupation's skills are public (``OPEN``; tests in tests/skills and
tests/api/test_skills_api.py, without a login)."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.skills import importing
from creditbank.skills.commands import ImportSkills
from tests.access.matrix import BANK_WIDE, Door, let_through

DOORS = [
    Door(
        "import skills",
        importing.import_skills,
        lambda _: ImportSkills(
            b"uri,name\nurn:test:skill:teamwork,\xe5\x9b\xa2\xe9\x98\x9f\xe5\x8d\x8f\xe4\xbd\x9c\n",
            "ours.csv",
            source="Our skills",
            version="1",
            licence="CC0",
        ),
        BANK_WIDE,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
