"""Outcome lifecycle: append-only outcome events (verified, revoked, superseded); status is derived.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:43:04.353448
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
