"""Deposit batches: one row per uploaded file, with its status and report.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 15:47:25.247900
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "deposit_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("deposited", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("accounts_opened", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_deposit_batches_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_batches")),
        sa.UniqueConstraint("public_id", name=op.f("uq_deposit_batches_public_id")),
    )
    with op.batch_alter_table("deposit_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deposit_batches_institution_id"), ["institution_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("deposit_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_batches_institution_id"))

    op.drop_table("deposit_batches")
