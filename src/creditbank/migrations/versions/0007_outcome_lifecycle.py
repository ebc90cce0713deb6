"""Outcome lifecycle: append-only outcome events, grants to issue others' items.

outcome_events: verified, revoked, superseded (pointing at the correction); an
outcome's status is derived from them. catalog_grants: an institution accredited
to issue another's catalogue item for assessments in a window of dates.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:49:14.529197
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("grantee_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("granted_by", sa.String(length=254), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=254), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grantee_id"],
            ["institutions.id"],
            name=op.f("fk_catalog_grants_grantee_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_catalog_grants_item_id_catalog_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_grants")),
    )
    with op.batch_alter_table("catalog_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_grants_grantee_id_item_id", ["grantee_id", "item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_grants_item_id"), ["item_id"], unique=False)

    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_outcome_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_outcome_events_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["outcomes.id"],
            name=op.f("fk_outcome_events_replaced_by_id_outcomes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_events")),
        sa.UniqueConstraint("outcome_id", "kind", name=op.f("uq_outcome_events_outcome_id_kind")),
        sa.UniqueConstraint("replaced_by_id", name=op.f("uq_outcome_events_replaced_by_id")),
    )


def downgrade() -> None:
    op.drop_table("outcome_events")
    with op.batch_alter_table("catalog_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_grants_item_id"))
        batch_op.drop_index("ix_catalog_grants_grantee_id_item_id")

    op.drop_table("catalog_grants")
