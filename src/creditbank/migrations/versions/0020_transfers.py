"""Transfer packages between peer banks: ``transfer_exports`` (packages made here, with their
one-time links), ``transfer_imports`` (packages accepted here, once per origin and nonce) and
``imported_outcomes`` (each outcome recognised-from-a-peer, once per origin and leaf hash, with
this bank's recognition decision) and ``recognition_terms`` (per peer: who recognises, whether
automatically, the agreement's own level mapping).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("outcome_count", sa.Integer(), nullable=False),
        sa.Column("made_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link_digest", sa.String(length=64), nullable=True),
        sa.Column("link_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("package", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_transfer_exports_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["made_by_user_id"],
            ["users.id"],
            name=op.f("fk_transfer_exports_made_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_exports")),
        sa.UniqueConstraint("public_id", name=op.f("uq_transfer_exports_public_id")),
        sa.UniqueConstraint("nonce", name=op.f("uq_transfer_exports_nonce")),
        sa.UniqueConstraint("link_digest", name=op.f("uq_transfer_exports_link_digest")),
    )
    op.create_index(
        op.f("ix_transfer_exports_learner_id"), "transfer_exports", ["learner_id"], unique=False
    )
    op.create_table(
        "recognition_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_recognition_terms_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"], ["users.id"], name=op.f("fk_recognition_terms_set_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_terms")),
        sa.UniqueConstraint("source", name=op.f("uq_recognition_terms_source")),
    )
    op.create_table(
        "transfer_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("checkpoint_size", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_transfer_imports_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_transfer_imports_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_imports")),
        sa.UniqueConstraint("public_id", name=op.f("uq_transfer_imports_public_id")),
        sa.UniqueConstraint("source", "nonce", name=op.f("uq_transfer_imports_source_nonce")),
    )
    op.create_index(
        op.f("ix_transfer_imports_learner_id"), "transfer_imports", ["learner_id"], unique=False
    )
    op.create_table(
        "imported_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("leaf_index", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=255), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("source_institution", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=100), nullable=False),
        sa.Column("item_kind", sa.String(length=32), nullable=False),
        sa.Column("item_name", sa.String(length=500), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("credits", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("target_framework", sa.String(length=32), nullable=True),
        sa.Column("target_level", sa.String(length=32), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["transfer_imports.id"],
            name=op.f("fk_imported_outcomes_import_id_transfer_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_imported_outcomes_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_imported_outcomes_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_imported_outcomes_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_imported_outcomes_outcome_id_outcomes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_outcomes")),
        sa.UniqueConstraint("public_id", name=op.f("uq_imported_outcomes_public_id")),
        sa.UniqueConstraint(
            "source", "leaf_hash", name=op.f("uq_imported_outcomes_source_leaf_hash")
        ),
        sa.UniqueConstraint("outcome_id", name=op.f("uq_imported_outcomes_outcome_id")),
    )
    op.create_index(
        op.f("ix_imported_outcomes_import_id"), "imported_outcomes", ["import_id"], unique=False
    )
    op.create_index(
        op.f("ix_imported_outcomes_learner_id"), "imported_outcomes", ["learner_id"], unique=False
    )
    op.create_index(
        op.f("ix_imported_outcomes_status"), "imported_outcomes", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_outcomes_status"), table_name="imported_outcomes")
    op.drop_index(op.f("ix_imported_outcomes_learner_id"), table_name="imported_outcomes")
    op.drop_index(op.f("ix_imported_outcomes_import_id"), table_name="imported_outcomes")
    op.drop_table("imported_outcomes")
    op.drop_index(op.f("ix_transfer_imports_learner_id"), table_name="transfer_imports")
    op.drop_table("transfer_imports")
    op.drop_table("recognition_terms")
    op.drop_index(op.f("ix_transfer_exports_learner_id"), table_name="transfer_exports")
    op.drop_table("transfer_exports")
