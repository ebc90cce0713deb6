"""Who may publish a framework (handlers of ``creditbank.frameworks``).

The registry's queries are public (``OPEN`` of ``test_matrix_covers_every_handler``); a test
here shows they answer with no principal at all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import count

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.frameworks import publishing, views
from creditbank.frameworks.commands import ListFrameworks, PublishFramework, ShowFramework
from creditbank.frameworks.files import builtin_frameworks
from creditbank.institutions.model import Role
from tests.access.matrix import BANK_WIDE, Door, let_through

_serials = count(1)


def _new_framework() -> PublishFramework:
    draft = next(d for d in builtin_frameworks() if d.code == "LOFOUC")
    return PublishFramework(replace(draft, code=f"MATRIX{next(_serials)}"), actor="matrix")


DOORS = [
    Door(
        "publish a framework", publishing.publish_framework, lambda _: _new_framework(), BANK_WIDE
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_the_registry_is_read_by_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        listed = views.list_frameworks(ListFrameworks(date(2026, 1, 1)), principal=None, uow=uow)
        detail = views.show_framework(ShowFramework("LOFOUC"), principal=None, uow=uow)
    assert "LOFOUC" in {summary.code for summary in listed}
    assert detail.framework.code == "LOFOUC" and detail.versions
