"""Bulk files kept between the upload page's check and their deposit: ``deposit_uploads`` (who
uploaded which file, its check's report, the batch its deposit made) and
``deposit_upload_parts`` (its bytes, encrypted under a key of its own).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deposit_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("key_nonce", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("batch_public_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_deposit_uploads_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_uploads")),
        sa.UniqueConstraint("public_id", name=op.f("uq_deposit_uploads_public_id")),
        sa.UniqueConstraint("batch_public_id", name=op.f("uq_deposit_uploads_batch_public_id")),
    )
    with op.batch_alter_table("deposit_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deposit_uploads_institution_id"), ["institution_id"], unique=False
        )
    op.create_table(
        "deposit_upload_parts",
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["deposit_uploads.id"],
            name=op.f("fk_deposit_upload_parts_upload_id_deposit_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", "number", name=op.f("pk_deposit_upload_parts")),
    )


def downgrade() -> None:
    op.drop_table("deposit_upload_parts")
    with op.batch_alter_table("deposit_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_uploads_institution_id"))
    op.drop_table("deposit_uploads")
