"""Learning outcomes: deposited once, never edited, unique per institution and record id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 15:41:26.730186
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("setting", sa.String(length=16), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_outcomes_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_outcomes_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_outcomes_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_outcomes_learner_id_learners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint(
            "institution_id", "record_id", name=op.f("uq_outcomes_institution_id_record_id")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_outcomes_public_id")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_outcomes_learner_id_id", ["learner_id", "id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_outcomes_learner_id_id")
        batch_op.drop_index(batch_op.f("ix_outcomes_batch_id"))

    op.drop_table("outcomes")
