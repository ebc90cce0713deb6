"""Verifiable credentials: signing keys (private keys sealed), status lists, issued
credentials, their and their status changes.

Issued credentials and status changes are facts: UPDATE and DELETE are refused by
triggers, as on the ledger's tables (0009).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 00:26:10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APPEND_ONLY = ("issued_credentials", "credential_status_changes")


def upgrade() -> None:
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_lists_owner"), ["owner"], unique=False)
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("did_method", sa.String(length=8), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sealed_nonce", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("compromised_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_signing_keys_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("owner", "name", name=op.f("uq_signing_keys_owner_name")),
    )
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signing_keys_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "issued_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("signing_key_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("identity_salt", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_issued_credentials_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["signing_key_id"],
            ["signing_keys.id"],
            name=op.f("fk_issued_credentials_signing_key_id_signing_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_issued_credentials_status_list_id_status_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint(
            "outcome_id",
            "signing_key_id",
            name=op.f("uq_issued_credentials_outcome_id_signing_key_id"),
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_issued_credentials_public_id")),
        sa.UniqueConstraint(
            "status_list_id",
            "status_index",
            name=op.f("uq_issued_credentials_status_list_id_status_index"),
        ),
    )
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_credentials_outcome_id"), ["outcome_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_issued_credentials_signing_key_id"), ["signing_key_id"], unique=False
        )

    op.create_table(
        "credential_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_credential_status_changes_changed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credentials.id"],
            name=op.f("fk_credential_status_changes_credential_id_issued_credentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_status_changes")),
    )
    with op.batch_alter_table("credential_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credential_status_changes_credential", ["credential_id", "id"], unique=False
        )

    refuse_changes(APPEND_ONLY)


def downgrade() -> None:
    with op.batch_alter_table("credential_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_credential_status_changes_credential")

    op.drop_table("credential_status_changes")
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_credentials_signing_key_id"))
        batch_op.drop_index(batch_op.f("ix_issued_credentials_outcome_id"))

    op.drop_table("issued_credentials")

    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_keys_institution_id"))

    op.drop_table("signing_keys")
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_lists_owner"))

    op.drop_table("status_lists")
