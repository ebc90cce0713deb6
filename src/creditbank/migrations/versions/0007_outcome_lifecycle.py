"""Outcome lifecycle: outcome events, grants to issue others' items, evidence files.

outcome_events: verified, revoked, superseded (pointing at the correction), appended
and never updated; an outcome's status is derived from them. catalog_grants: an
institution accredited to issue another's catalogue item for assessments in a window
of dates, withdrawn by timestamp. evidence_files: files by SHA-256, with
evidence_uploads recording which institutions uploaded each.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 16:57:02.090258
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
        "evidence_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_files")),
    )
    op.create_table(
        "evidence_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=254), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_evidence_uploads_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["evidence_files.sha256"],
            name=op.f("fk_evidence_uploads_sha256_evidence_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_uploads")),
        sa.UniqueConstraint(
            "sha256", "institution_id", name=op.f("uq_evidence_uploads_sha256_institution_id")
        ),
    )
    with op.batch_alter_table("evidence_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_uploads_institution_id"), ["institution_id"], unique=False
        )

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
    with op.batch_alter_table("evidence_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_uploads_institution_id"))

    op.drop_table("evidence_uploads")
    op.drop_table("evidence_files")
