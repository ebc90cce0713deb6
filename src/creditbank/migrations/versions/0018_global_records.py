"""Records that mean the same everywhere (ADR 0017): stable public ids and versions.

- ``users.public_id``: a random UUID, the stable pseudonymous id a log record names an actor by
  (``user:<uuid>``), never the row id or the e-mail address;
- ``catalog_items.public_id`` and ``catalog_items.version``: the id of an item's log entries
  (``<public id>@<version>``) and the version a change of its committed facts increments;
- ``outcomes.item_version``: the version of its item an outcome was deposited against (set
  for outcomes logged with record schema 2; empty for those logged before);
- ``signing_keys.version``: counts the changes of a key's committed facts (its end, its
  compromise);
- ``catalog_grants.public_id``: the id of a grant's log entries;
- ``conversion_rules.public_id``: the id of a rule version's log entries (v2; v1 entries were
  ``rule-<row id>``). The rules are append-only: their triggers step aside while the existing
  rows get theirs.

Existing rows get fresh random public ids and version 1.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _fill_public_ids(table: str, make: Callable[[], str]) -> None:
    """Give every existing row of ``table`` a public id of its own."""
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer()), sa.column("public_id", sa.String()))
    ids = bind.execute(sa.select(rows.c.id)).scalars().all()
    for row_id in ids:
        bind.execute(sa.update(rows).where(rows.c.id == row_id).values(public_id=make()))


def _with_rules_writable(fill: Callable[[], None]) -> None:
    """Run ``fill`` with ``conversion_rules``' append-only triggers out of the way (migration
    0010 made them; they are back, the same, when it returns)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE conversion_rules DISABLE TRIGGER conversion_rules_append_only")
        fill()
        op.execute("ALTER TABLE conversion_rules ENABLE TRIGGER conversion_rules_append_only")
        return
    op.execute("DROP TRIGGER IF EXISTS conversion_rules_no_update")
    op.execute("DROP TRIGGER IF EXISTS conversion_rules_no_delete")
    fill()
    refuse_changes(["conversion_rules"])


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN on both databases (a batch copy, SQLite's way to alter a
    # table, would drop the tables others refer to, and the append-only triggers of outcomes).
    op.add_column(
        "users",
        sa.Column("public_id", sa.String(length=36), server_default="", nullable=False),
    )
    _fill_public_ids("users", lambda: str(uuid.uuid4()))
    op.create_index("ix_users_public_id", "users", ["public_id"], unique=True)

    op.add_column(
        "catalog_items",
        sa.Column("public_id", sa.String(length=32), server_default="", nullable=False),
    )
    op.add_column(
        "catalog_items",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    _fill_public_ids("catalog_items", lambda: uuid.uuid4().hex)
    op.create_index("ix_catalog_items_public_id", "catalog_items", ["public_id"], unique=True)

    op.add_column(
        "catalog_grants",
        sa.Column("public_id", sa.String(length=32), server_default="", nullable=False),
    )
    _fill_public_ids("catalog_grants", lambda: uuid.uuid4().hex)
    op.create_index("ix_catalog_grants_public_id", "catalog_grants", ["public_id"], unique=True)

    op.add_column(
        "conversion_rules",
        sa.Column("public_id", sa.String(length=32), server_default="", nullable=False),
    )
    _with_rules_writable(lambda: _fill_public_ids("conversion_rules", lambda: uuid.uuid4().hex))
    op.create_index("ix_conversion_rules_public_id", "conversion_rules", ["public_id"], unique=True)

    op.add_column("outcomes", sa.Column("item_version", sa.Integer(), nullable=True))
    op.add_column(
        "signing_keys",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_conversion_rules_public_id", table_name="conversion_rules")
    op.drop_index("ix_catalog_grants_public_id", table_name="catalog_grants")
    op.drop_index("ix_catalog_items_public_id", table_name="catalog_items")
    op.drop_index("ix_users_public_id", table_name="users")
    for table, column in (
        ("signing_keys", "version"),
        ("outcomes", "item_version"),
        ("conversion_rules", "public_id"),
        ("catalog_grants", "public_id"),
        ("catalog_items", "version"),
        ("catalog_items", "public_id"),
        ("users", "public_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
