"""Jobs employers post (``jobs``: title, description, language, region, the confirmed occupation,
open or closed, who posted and closed them), their skills (``job_skills``: essential or
optional) and certificates (``job_certificates``), and learners' consents to be matched to jobs
(``matching_consents``: history kept, at most one active per learner, a unique index over the
rows not withdrawn).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("occupation_code", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=320), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=320), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_jobs_status")),
        sa.CheckConstraint("language IN ('zh', 'en')", name=op.f("ck_jobs_language")),
        sa.CheckConstraint(
            "(status = 'open' AND closed_at IS NULL)"
            " OR (status = 'closed' AND closed_at IS NOT NULL)",
            name=op.f("ck_jobs_closed_when_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_jobs_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupations.code"],
            name=op.f("fk_jobs_occupation_code_occupations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("public_id", name=op.f("uq_jobs_public_id")),
    )
    op.create_index(op.f("ix_jobs_institution_id"), "jobs", ["institution_id"], unique=False)
    op.create_index("ix_jobs_status_region", "jobs", ["status", "region"], unique=False)
    op.create_table(
        "job_skills",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "relation IN ('essential', 'optional')", name=op.f("ck_job_skills_relation")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_skills_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_job_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("job_id", "skill_id", name=op.f("pk_job_skills")),
    )
    op.create_index(op.f("ix_job_skills_skill_id"), "job_skills", ["skill_id"], unique=False)
    op.create_table(
        "job_certificates",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_certificates_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", "certificate", name=op.f("pk_job_certificates")),
    )
    op.create_table(
        "matching_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_matching_consents_learner_id_learners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_consents")),
    )
    op.create_index(
        op.f("ix_matching_consents_learner_id"), "matching_consents", ["learner_id"], unique=False
    )
    op.create_index(
        "uq_matching_consents_active_learner",
        "matching_consents",
        ["learner_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_matching_consents_active_learner", table_name="matching_consents")
    op.drop_index(op.f("ix_matching_consents_learner_id"), table_name="matching_consents")
    op.drop_table("matching_consents")
    op.drop_table("job_certificates")
    op.drop_index(op.f("ix_job_skills_skill_id"), table_name="job_skills")
    op.drop_table("job_skills")
    op.drop_index("ix_jobs_status_region", table_name="jobs")
    op.drop_index(op.f("ix_jobs_institution_id"), table_name="jobs")
    op.drop_table("jobs")
