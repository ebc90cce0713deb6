"""SQLite has one writer: a write that waits longer than the busy timeout (while a large bulk
deposit holds the lock) answers 503 with Retry-After, changes nothing, and succeeds later.

SQLite only, by nature: PostgreSQL writers of different rows do not wait for each other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from creditbank.accounts.model import resident_check_character
from creditbank.bootstrap import build_app
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests import conftest
from tests.support.browser import LiveServer

FIRST = "31011519991231123"
ID_NUMBER = FIRST + resident_check_character(FIRST)
BUSY_TIMEOUT_MS = 500
"""How long the bank's writes wait for the lock here: the bank's 5 s (creditbank.db) would only
make the 503 come later; what times out, and what is answered, is the same."""


def _short_busy_timeout(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def test_a_write_blocked_by_another_answers_503_and_changes_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # a database of its own (a copy of the initialised template: what `creditbank init` makes)
    database = conftest._new_database(request, "sqlite", tmp_path, initialised=True)
    # after the bank's own pragmas (listeners run in the order they were added)
    event.listen(database.engine, "connect", _short_busy_timeout)
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        institutions.add_user(
            uow=uow, email="reg@shou.example", role=Role.REGISTRAR, institution="SHOU"
        )
        secret = institutions.create_token(uow=uow, email="reg@shou.example").secret
    holder = sqlite3.connect(str(make_url(database.url).database), isolation_level=None)
    body = {"id_number": ID_NUMBER, "name": "周敏"}
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    try:
        with (
            LiveServer(build_app(conftest.test_settings(database.url), database)) as server,
            httpx2.Client(base_url=server.base_url, headers=headers, timeout=30) as client,
        ):
            holder.execute("BEGIN IMMEDIATE")  # what a bulk deposit holds until it commits
            busy = client.post("/api/v1/learners", json=body)
            assert busy.status_code == 503, busy.text
            assert busy.headers["retry-after"] == "10"
            problem = busy.json()
            assert problem["type"].endswith("/problems/service-unavailable")
            assert "busy with another write" in problem["detail"]
            assert ID_NUMBER not in busy.text
            holder.execute("ROLLBACK")
            later = client.post("/api/v1/learners", json=body)
            assert later.status_code == 201, later.text  # created now: the 503 left nothing
    finally:
        holder.close()
        database.dispose()
