"""Who may verify the log and ask witnesses to cosign (handlers of ``creditbank.ledger``).

Reading the log is public (``OPEN`` of ``test_matrix_covers_every_handler``); a test here
shows its reads answer with no principal at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.ledger import operations, views
from creditbank.ledger.commands import AskWitnesses, ShowLogKey, VerifyLog
from tests.access.matrix import BANK_WIDE, READERS, Door, let_through

_witnessing: dict[str, Any] = {}  # the module's bank, which the witnesses' handler opens itself


@pytest.fixture(autouse=True)
def _the_bank(access_database: Database) -> Iterator[None]:
    _witnessing["database"] = access_database
    yield
    _witnessing.clear()


DOORS = [
    Door(
        "verify the log",
        operations.verify,
        lambda _: VerifyLog(),
        READERS,
        extra={"readers": {}, "unlogged": ()},
    ),
    Door(
        "ask the witnesses",
        operations.ask_witnesses,
        lambda _: AskWitnesses(),
        BANK_WIDE,
        extra=_witnessing,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_the_log_is_read_by_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        key = views.show_log_key(ShowLogKey(), principal=None, uow=uow)
    assert "+" in key
