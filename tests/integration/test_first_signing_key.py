"""The signing key an issuer's first export makes serves a request that began just before it.

Of two parallel first exports, the loser waits for the winner's key; its own time may fall in
the second before the winner's (the key's start is kept to the second), and it must still find
a key valid at its time: the key made on demand starts a minute before the request that made it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from creditbank.credentials import signing
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType


def test_a_request_from_just_before_the_first_key_uses_it(database: Database) -> None:
    winner_at = datetime(2026, 12, 7, 10, 0, 1, 100_000, tzinfo=UTC)
    loser_at = winner_at - timedelta(milliseconds=900)  # the second before the winner's
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="KEYS-U", name="钥匙大学", type=InstitutionType.UNIVERSITY
        )
        made = signing.ensure_key(uow=uow, owner="KEYS-U", now=winner_at)
        found = signing.ensure_key(uow=uow, owner="KEYS-U", now=loser_at)
        assert (found.id, found.name) == (made.id, "key-1")
        assert signing.utc(made.valid_from) <= loser_at
