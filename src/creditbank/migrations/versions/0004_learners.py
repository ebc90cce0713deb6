"""Learners: accounts, identity index, wrapped keys, sealed personal data, access audit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:37:35.558662
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=14), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_institution_id", sa.Integer(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by_institution_id"],
            ["institutions.id"],
            name=op.f("fk_learners_opened_by_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("account_number", name=op.f("uq_learners_account_number")),
    )
    op.create_table(
        "learner_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("id_hmac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_learner_identities_learner_id_learners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_identities")),
        sa.UniqueConstraint("id_hmac", name=op.f("uq_learner_identities_id_hmac")),
    )
    with op.batch_alter_table("learner_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_identities_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "learner_keys",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_learner_keys_learner_id_learners")
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_learner_keys")),
    )
    op.create_table(
        "learner_personal_data",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_learner_personal_data_learner_id_learners"),
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_learner_personal_data")),
    )
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_personal_data_access_learner_id_learners"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personal_data_access_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_access_learner_id"))

    op.drop_table("personal_data_access")
    op.drop_table("learner_personal_data")
    op.drop_table("learner_keys")
    with op.batch_alter_table("learner_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_identities_learner_id"))

    op.drop_table("learner_identities")
    op.drop_table("learners")
