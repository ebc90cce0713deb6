"""Accreditation: competence standards and their units, assessment schemes, certifications
of teachers and assessors, accreditation applications with their evidence, events, marks,
decisions and confirmations.

Everything but ``accreditation_applications`` (working state: where each application stands)
and ``accreditation_evidence`` is a fact: UPDATE and DELETE are refused by triggers, as on the
ledger's tables (0009).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "competence_standards",
    "standard_units",
    "assessment_schemes",
    "assessment_scheme_components",
    "certifications",
    "accreditation_events",
    "accreditation_marks",
    "accreditation_decisions",
    "accreditation_confirmations",
)


def _create_tables() -> None:
    op.create_table(
        "competence_standards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("occupation", sa.Text(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("framework_version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=254), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_competence_standards_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_standards")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_competence_standards_code_version")),
    )
    with op.batch_alter_table("competence_standards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competence_standards_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "assessment_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_assessment_schemes_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_assessment_schemes_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_schemes")),
        sa.UniqueConstraint(
            "item_id",
            "framework_level_id",
            "version",
            name=op.f("uq_assessment_schemes_item_id_framework_level_id_version"),
        ),
    )
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=True),
        sa.Column("person_hmac", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("training", sa.Text(), nullable=False),
        sa.Column("certified_by", sa.String(length=254), nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_certifications_window")),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_certifications_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_certifications_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_certifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
    )
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certifications_person_hmac"), ["person_hmac"], unique=False
        )
        batch_op.create_index("ix_certifications_user_item", ["user_id", "item_id"], unique=False)

    op.create_table(
        "assessment_scheme_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.CheckConstraint(
            "weight BETWEEN 1 AND 100", name=op.f("ck_assessment_scheme_components_weight_percent")
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_assessment_scheme_components_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scheme_components")),
        sa.UniqueConstraint(
            "scheme_id", "kind", name=op.f("uq_assessment_scheme_components_scheme_id_kind")
        ),
    )
    with op.batch_alter_table("assessment_scheme_components", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_scheme_components_scheme_id"), ["scheme_id"], unique=False
        )

    op.create_table(
        "standard_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework_level_id", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_standard_units_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_standard_units_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_standard_units_scheme_id_assessment_schemes"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["competence_standards.id"],
            name=op.f("fk_standard_units_standard_id_competence_standards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_units")),
        sa.UniqueConstraint("standard_id", "code", name=op.f("uq_standard_units_standard_id_code")),
    )
    with op.batch_alter_table("standard_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standard_units_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_standard_units_standard_id"), ["standard_id"], unique=False
        )

    op.create_table(
        "accreditation_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("setting", sa.String(length=16), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("taught_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_by", sa.String(length=254), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assessor_user_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["institutions.id"],
            name=op.f("fk_accreditation_applications_applied_by_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_applications_assessor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["institutions.id"],
            name=op.f("fk_accreditation_applications_centre_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_accreditation_applications_learner_id_learners"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_accreditation_applications_outcome_id_outcomes"),
        ),
        sa.ForeignKeyConstraint(
            ["taught_by_id"],
            ["institutions.id"],
            name=op.f("fk_accreditation_applications_taught_by_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["standard_units.id"],
            name=op.f("fk_accreditation_applications_unit_id_standard_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_applications")),
        sa.UniqueConstraint("public_id", name=op.f("uq_accreditation_applications_public_id")),
    )
    with op.batch_alter_table("accreditation_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_applications_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            "ix_accreditation_applications_queue", ["centre_id", "state", "due_on"], unique=False
        )

    op.create_table(
        "accreditation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("assessor_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["accreditation_applications.id"],
            name=op.f("fk_accreditation_events_application_id_accreditation_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_events_assessor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_accreditation_events_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_events")),
    )
    with op.batch_alter_table("accreditation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_events_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "accreditation_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["accreditation_applications.id"],
            name=op.f("fk_accreditation_evidence_application_id_accreditation_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["evidence_files.sha256"],
            name=op.f("fk_accreditation_evidence_sha256_evidence_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_evidence")),
        sa.UniqueConstraint(
            "application_id", "sha256", name=op.f("uq_accreditation_evidence_application_id_sha256")
        ),
    )
    with op.batch_alter_table("accreditation_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_evidence_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "accreditation_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("assessor_user_id", sa.Integer(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("weighted", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["accreditation_applications.id"],
            name=op.f("fk_accreditation_marks_application_id_accreditation_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_marks_assessor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_accreditation_marks_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_marks")),
    )
    with op.batch_alter_table("accreditation_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_marks_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "accreditation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("mark_id", sa.Integer(), nullable=True),
        sa.Column("framework_level_id", sa.Integer(), nullable=True),
        sa.Column("credits", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("assessor_user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["accreditation_applications.id"],
            name=op.f("fk_accreditation_decisions_application_id_accreditation_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_decisions_assessor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_accreditation_decisions_framework_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["mark_id"],
            ["accreditation_marks.id"],
            name=op.f("fk_accreditation_decisions_mark_id_accreditation_marks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_decisions")),
        sa.UniqueConstraint(
            "id", "assessor_user_id", name=op.f("uq_accreditation_decisions_id_assessor_user_id")
        ),
    )
    with op.batch_alter_table("accreditation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_decisions_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "accreditation_confirmations",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("assessor_user_id", sa.Integer(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "by_user_id <> assessor_user_id", name=op.f("ck_accreditation_confirmations_four_eyes")
        ),
        sa.ForeignKeyConstraint(
            ["assessor_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_confirmations_assessor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["users.id"],
            name=op.f("fk_accreditation_confirmations_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id", "assessor_user_id"],
            ["accreditation_decisions.id", "accreditation_decisions.assessor_user_id"],
            name=op.f("fk_accreditation_confirmations_decision_id_accreditation_decisions"),
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_accreditation_confirmations")),
    )


def upgrade() -> None:
    _create_tables()
    refuse_changes(APPEND_ONLY)


def downgrade() -> None:
    op.drop_table("accreditation_confirmations")
    with op.batch_alter_table("accreditation_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_decisions_application_id"))

    op.drop_table("accreditation_decisions")
    with op.batch_alter_table("accreditation_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_marks_application_id"))

    op.drop_table("accreditation_marks")
    with op.batch_alter_table("accreditation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_evidence_application_id"))

    op.drop_table("accreditation_evidence")
    with op.batch_alter_table("accreditation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_events_application_id"))

    op.drop_table("accreditation_events")
    with op.batch_alter_table("accreditation_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_accreditation_applications_queue")
        batch_op.drop_index(batch_op.f("ix_accreditation_applications_learner_id"))

    op.drop_table("accreditation_applications")
    with op.batch_alter_table("standard_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_units_standard_id"))
        batch_op.drop_index(batch_op.f("ix_standard_units_item_id"))

    op.drop_table("standard_units")
    with op.batch_alter_table("assessment_scheme_components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_scheme_components_scheme_id"))

    op.drop_table("assessment_scheme_components")
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_index("ix_certifications_user_item")
        batch_op.drop_index(batch_op.f("ix_certifications_person_hmac"))

    op.drop_table("certifications")
    op.drop_table("assessment_schemes")
    with op.batch_alter_table("competence_standards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competence_standards_institution_id"))

    op.drop_table("competence_standards")
