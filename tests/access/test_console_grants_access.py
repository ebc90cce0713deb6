"""Who may use the operator console's grants page (handlers of ``creditbank.catalog.console``):
the bank's administrators and auditors read every grant; only administrators reach its forms
(an owner's registrars grant their own items through the API)."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.catalog import console
from creditbank.catalog.commands import ShowGrantForm, ShowGrantsConsole
from creditbank.db import Database
from creditbank.institutions.model import Role
from tests.access.matrix import BANK_WIDE, OTHER, OWN, READERS, Door, let_through

DOORS = [
    Door("the console's grants", console.show_grants_console,
         lambda _: ShowGrantsConsole(), READERS),
    Door("the console's grants of own institution", console.show_grants_console,
         lambda _: ShowGrantsConsole(OWN), READERS),
    Door("the console's grants of another institution", console.show_grants_console,
         lambda _: ShowGrantsConsole(OTHER), READERS),
    Door("the console's grant forms", console.show_grant_form, lambda _: ShowGrantForm(),
         BANK_WIDE),
]  # fmt: skip


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed
