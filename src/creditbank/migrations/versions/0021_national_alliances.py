"""The national platform: pilot schools (``national_schools``), batches received
(``national_batches``), references held once each (``national_references``), and a regional
bank's batches sent (``national_sends``); the bank's alliances (``bank_alliances``) and its steps
in them (``bank_alliance_events``); joint-certification schemes (``joint_schemes``,
``joint_participants``) and the outcomes of joint assessments (``joint_results``,
``joint_result_outcomes``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("verifier_key", sa.String(length=400), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registered_by_user_id"],
            ["users.id"],
            name=op.f("fk_national_schools_registered_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_schools")),
        sa.UniqueConstraint("code", name=op.f("uq_national_schools_code")),
        sa.UniqueConstraint("origin", name=op.f("uq_national_schools_origin")),
    )
    op.create_table(
        "national_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("sender_kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference_count", sa.Integer(), nullable=False),
        sa.Column("new_references", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_batches")),
    )
    op.create_index(
        op.f("ix_national_batches_sender"), "national_batches", ["sender"], unique=False
    )
    op.create_table(
        "national_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=44), nullable=False),
        sa.Column("item_owner", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("item_kind", sa.String(length=32), nullable=False),
        sa.Column("level_framework", sa.String(length=64), nullable=False),
        sa.Column("level_version", sa.Integer(), nullable=False),
        sa.Column("level_code", sa.String(length=64), nullable=False),
        sa.Column("credits", sa.Numeric(precision=6, scale=1), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["national_batches.id"],
            name=op.f("fk_national_references_batch_id_national_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_references")),
        sa.UniqueConstraint(
            "origin", "leaf_hash", name=op.f("uq_national_references_origin_leaf_hash")
        ),
    )
    op.create_index(
        op.f("ix_national_references_batch_id"), "national_references", ["batch_id"], unique=False
    )
    op.create_index(
        "ix_national_references_item",
        "national_references",
        ["item_owner", "item_code"],
        unique=False,
    )
    op.create_index(
        "ix_national_references_level",
        "national_references",
        ["level_framework", "level_code"],
        unique=False,
    )
    op.create_table(
        "national_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("first_leaf", sa.BigInteger(), nullable=False),
        sa.Column("last_leaf", sa.BigInteger(), nullable=False),
        sa.Column("reference_count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_national_sends_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_sends")),
        sa.UniqueConstraint(
            "target", "first_leaf", name=op.f("uq_national_sends_target_first_leaf")
        ),
    )
    op.create_table(
        "bank_alliances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("frameworks", sa.Text(), nullable=False),
        sa.Column("item_kinds", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["users.id"],
            name=op.f("fk_bank_alliances_proposed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_alliances")),
    )
    op.create_index(
        "uq_bank_alliances_code_in_use",
        "bank_alliances",
        ["code"],
        unique=True,
        sqlite_where=sa.text("status != 'left'"),
        postgresql_where=sa.text("status != 'left'"),
    )
    op.create_table(
        "bank_alliance_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["bank_alliances.id"],
            name=op.f("fk_bank_alliance_events_alliance_id_bank_alliances"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_bank_alliance_events_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_alliance_events")),
        sa.UniqueConstraint(
            "alliance_id", "kind", name=op.f("uq_bank_alliance_events_alliance_id_kind")
        ),
    )
    op.create_index(
        op.f("ix_bank_alliance_events_alliance_id"),
        "bank_alliance_events",
        ["alliance_id"],
        unique=False,
    )
    op.create_table(
        "joint_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("result_levels", sa.Text(), nullable=False),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("defined_by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["defined_by_user_id"],
            ["users.id"],
            name=op.f("fk_joint_schemes_defined_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_schemes")),
        sa.UniqueConstraint("code", name=op.f("uq_joint_schemes_code")),
    )
    op.create_table(
        "joint_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["joint_schemes.id"],
            name=op.f("fk_joint_participants_scheme_id_joint_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_participants")),
        sa.UniqueConstraint(
            "scheme_id", "institution", name=op.f("uq_joint_participants_scheme_id_institution")
        ),
    )
    op.create_index(
        op.f("ix_joint_participants_scheme_id"), "joint_participants", ["scheme_id"], unique=False
    )
    op.create_table(
        "joint_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["joint_schemes.id"],
            name=op.f("fk_joint_results_scheme_id_joint_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_results")),
        sa.UniqueConstraint(
            "scheme_id", "record_id", name=op.f("uq_joint_results_scheme_id_record_id")
        ),
    )
    op.create_index(
        op.f("ix_joint_results_scheme_id"), "joint_results", ["scheme_id"], unique=False
    )
    op.create_table(
        "joint_result_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["joint_results.id"],
            name=op.f("fk_joint_result_outcomes_result_id_joint_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_result_outcomes")),
        sa.UniqueConstraint("outcome", name=op.f("uq_joint_result_outcomes_outcome")),
    )
    op.create_index(
        op.f("ix_joint_result_outcomes_result_id"),
        "joint_result_outcomes",
        ["result_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_joint_result_outcomes_result_id"), table_name="joint_result_outcomes")
    op.drop_table("joint_result_outcomes")
    op.drop_index(op.f("ix_joint_results_scheme_id"), table_name="joint_results")
    op.drop_table("joint_results")
    op.drop_index(op.f("ix_joint_participants_scheme_id"), table_name="joint_participants")
    op.drop_table("joint_participants")
    op.drop_table("joint_schemes")
    op.drop_index(op.f("ix_bank_alliance_events_alliance_id"), table_name="bank_alliance_events")
    op.drop_table("bank_alliance_events")
    op.drop_index("uq_bank_alliances_code_in_use", table_name="bank_alliances")
    op.drop_table("bank_alliances")
    op.drop_table("national_sends")
    op.drop_index("ix_national_references_level", table_name="national_references")
    op.drop_index("ix_national_references_item", table_name="national_references")
    op.drop_index(op.f("ix_national_references_batch_id"), table_name="national_references")
    op.drop_table("national_references")
    op.drop_index(op.f("ix_national_batches_sender"), table_name="national_batches")
    op.drop_table("national_batches")
    op.drop_table("national_schools")
