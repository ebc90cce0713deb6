"""The catalogue: items and the framework levels (of a version) they sit at.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:34:00.510218
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "catalog_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("credits", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_catalog_items_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_items")),
        sa.UniqueConstraint(
            "institution_id", "code", name=op.f("uq_catalog_items_institution_id_code")
        ),
    )
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_items_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_items_kind"), ["kind"], unique=False)

    op.create_table(
        "catalog_item_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_catalog_item_levels_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_catalog_item_levels_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_item_levels")),
        sa.UniqueConstraint(
            "item_id",
            "framework_level_id",
            name=op.f("uq_catalog_item_levels_item_id_framework_level_id"),
        ),
    )
    with op.batch_alter_table("catalog_item_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_item_levels_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("catalog_item_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_item_levels_item_id"))

    op.drop_table("catalog_item_levels")
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_items_kind"))
        batch_op.drop_index(batch_op.f("ix_catalog_items_institution_id"))

    op.drop_table("catalog_items")
