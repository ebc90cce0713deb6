"""Migration 0018 on a bank that has rows already (ADR 0017), on SQLite and on PostgreSQL.

A database at 0017 with a user, a catalogue item, a grant, a programme and a conversion rule
is upgraded: each row gets a public id of its own and the item version 1, and the conversion
rules, whose append-only triggers step aside while they get theirs, are append-only again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from creditbank.bootstrap import alembic_config
from creditbank.db import Database
from tests.conftest import BACKENDS
from tests.support.postgres import PostgresCluster

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'upgrade.db'}")
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        database = Database(cluster.create_database(f"upgrade_{uuid.uuid4().hex[:12]}"))
    yield database
    database.dispose()


def upgrade(database: Database, revision: str) -> None:
    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


ROWS = (
    (
        "INSERT INTO institutions (id, code, name, name_en, type, region, created_at) "
        "VALUES (1, 'JSVC', '江苏某学院', '', 'university', '', :at)"
    ),
    (
        "INSERT INTO institutions (id, code, name, name_en, type, region, created_at) "
        "VALUES (2, 'TEO', '某组织', '', 'university', '', :at)"
    ),
    (
        "INSERT INTO users (id, email, role, institution_id, created_at) "
        "VALUES (1, 'a@jsvc.example', 'registrar', 1, :at), "
        "(2, 'b@jsvc.example', 'registrar', 1, :at)"
    ),
    (
        "INSERT INTO catalog_items (id, institution_id, code, kind, name, name_en, framework, "
        "attributes, created_at) VALUES (1, 1, 'CAD-201', 'course', '课', '', 'LOFOUC', '{}', :at), "
        "(2, 1, 'CAD-202', 'course', '课', '', 'LOFOUC', '{}', :at)"
    ),
    (
        "INSERT INTO catalog_grants (id, item_id, grantee_id, valid_from, granted_by, granted_at) "
        "VALUES (1, 1, 2, :on, 'a@jsvc.example', :at)"
    ),
    (
        "INSERT INTO programmes (id, code, institution_id, item_id, name, name_en, total_credits, "
        "category_credits, reverse_on_withdrawal, created_by, created_at) "
        "VALUES (1, 'P', 1, 1, '专业', '', 60, '{}', false, 'a@jsvc.example', :at)"
    ),
    (
        "INSERT INTO conversion_rules (id, programme_id, institution_id, code, version, name, "
        "name_en, spec, valid_from, drafted_by_user_id, drafted_at) "
        "VALUES (1, 1, 1, 'R', 1, '规则', '', '{}', :on, 1, :at), "
        "(2, 1, 1, 'R', 2, '规则', '', '{}', :on, 1, :at)"
    ),
)


def test_0018_gives_existing_rows_public_ids_and_keeps_rules_append_only(
    empty: Database,
) -> None:
    upgrade(empty, "0017")
    with empty.engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement), {"at": AT, "on": date(2026, 1, 1)})
    upgrade(empty, "0018")
    with empty.engine.connect() as connection:
        users = connection.execute(text("SELECT public_id FROM users")).scalars().all()
        items = connection.execute(text("SELECT public_id, version FROM catalog_items")).all()
        grants = connection.execute(text("SELECT public_id FROM catalog_grants")).scalars().all()
        rules = connection.execute(text("SELECT public_id FROM conversion_rules")).scalars().all()
        keys_version = connection.execute(
            text("SELECT COUNT(*) FROM signing_keys WHERE version <> 1")
        ).scalar()
    uuid_text = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert len(set(users)) == 2
    assert all(uuid_text.match(public_id) for public_id in users)
    hex32 = re.compile(r"^[0-9a-f]{32}$")
    assert [version for _, version in items] == [1, 1]
    assert len({public_id for public_id, _ in items}) == 2
    for public_id in [*(public_id for public_id, _ in items), *grants, *rules]:
        assert hex32.match(public_id), public_id
    assert len(set(rules)) == 2
    assert keys_version == 0
    with pytest.raises(DBAPIError, match="append-only"), empty.engine.begin() as connection:
        connection.execute(text("UPDATE conversion_rules SET name = 'changed'"))
    with pytest.raises(DBAPIError, match="append-only"), empty.engine.begin() as connection:
        connection.execute(text("DELETE FROM conversion_rules"))
