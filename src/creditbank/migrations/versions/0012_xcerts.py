"""The 1+X operations: X certificates' profiles, pilot schools' offerings, teachers'
trainings, assessment sessions, their candidates and their results.

Every table is a fact: UPDATE and DELETE are refused by triggers, as on the ledger's tables
(0009). A profile or an offering changes by a newer row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 23:14:06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "xcert_profiles",
    "xcert_offerings",
    "xcert_trainings",
    "xcert_sessions",
    "xcert_registrations",
    "xcert_results",
)


def _create_tables() -> None:
    op.create_table(
        "xcert_offerings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.Column("assessment_centre", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("declared_by", sa.String(length=254), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_xcert_offerings_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_xcert_offerings_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["institutions.id"],
            name=op.f("fk_xcert_offerings_school_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_offerings")),
    )
    with op.batch_alter_table("xcert_offerings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xcert_offerings_item_school", ["item_id", "school_id"], unique=False
        )

    op.create_table(
        "xcert_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("industry_en", sa.Text(), nullable=False),
        sa.Column("valid_years", sa.Integer(), nullable=True),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_xcert_profiles_item_id_catalog_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_profiles")),
        sa.UniqueConstraint("item_id", "version", name=op.f("uq_xcert_profiles_item_id_version")),
    )
    op.create_table(
        "xcert_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scheduled_by", sa.String(length=254), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["institutions.id"],
            name=op.f("fk_xcert_sessions_centre_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_xcert_sessions_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_xcert_sessions_item_id_catalog_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_sessions")),
        sa.UniqueConstraint(
            "item_id",
            "framework_level_id",
            "centre_id",
            "held_on",
            name=op.f("uq_xcert_sessions_item_id_framework_level_id_centre_id_held_on"),
        ),
    )
    with op.batch_alter_table("xcert_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_xcert_sessions_item", ["item_id"], unique=False)

    op.create_table(
        "xcert_trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_xcert_trainings_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_xcert_trainings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_trainings")),
    )
    with op.batch_alter_table("xcert_trainings", schema=None) as batch_op:
        batch_op.create_index("ix_xcert_trainings_user_item", ["user_id", "item_id"], unique=False)

    op.create_table(
        "xcert_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("fee_exempt", sa.Boolean(), nullable=False),
        sa.Column("registered_by", sa.String(length=254), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_xcert_registrations_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["xcert_sessions.id"],
            name=op.f("fk_xcert_registrations_session_id_xcert_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_registrations")),
        sa.UniqueConstraint(
            "session_id", "learner_id", name=op.f("uq_xcert_registrations_session_id_learner_id")
        ),
    )
    with op.batch_alter_table("xcert_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_xcert_registrations_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "xcert_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("weighted", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("assessor_user_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"], ["users.id"], name=op.f("fk_xcert_results_assessor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["deposit_batches.id"],
            name=op.f("fk_xcert_results_batch_id_deposit_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_xcert_results_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["xcert_registrations.id"],
            name=op.f("fk_xcert_results_registration_id_xcert_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_xcert_results_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcert_results")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_xcert_results_registration_id")),
    )


def upgrade() -> None:
    _create_tables()
    refuse_changes(APPEND_ONLY)


def downgrade() -> None:
    op.drop_table("xcert_results")
    with op.batch_alter_table("xcert_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xcert_registrations_learner_id"))

    op.drop_table("xcert_registrations")
    with op.batch_alter_table("xcert_trainings", schema=None) as batch_op:
        batch_op.drop_index("ix_xcert_trainings_user_item")

    op.drop_table("xcert_trainings")
    with op.batch_alter_table("xcert_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_xcert_sessions_item")

    op.drop_table("xcert_sessions")
    op.drop_table("xcert_profiles")
    with op.batch_alter_table("xcert_offerings", schema=None) as batch_op:
        batch_op.drop_index("ix_xcert_offerings_item_school")

    op.drop_table("xcert_offerings")
