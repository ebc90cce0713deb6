"""Skills: each import's provenance (``skill_imports``), the skills by a global URI (``skills``)
and what each occupation requires (``occupation_skills``: essential or optional, importance
where the source gives one).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skill_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("licence", sa.String(length=1000), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=320), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_imports")),
    )
    op.create_index(op.f("ix_skill_imports_sha256"), "skill_imports", ["sha256"], unique=False)
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["skill_imports.id"], name=op.f("fk_skills_import_id_skill_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("uri", name=op.f("uq_skills_uri")),
    )
    op.create_index(op.f("ix_skills_import_id"), "skills", ["import_id"], unique=False)
    op.create_table(
        "occupation_skills",
        sa.Column("occupation_code", sa.String(length=16), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("importance", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["skill_imports.id"],
            name=op.f("fk_occupation_skills_import_id_skill_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupations.code"],
            name=op.f("fk_occupation_skills_occupation_code_occupations"),
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_occupation_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("occupation_code", "skill_id", name=op.f("pk_occupation_skills")),
    )
    op.create_index(
        op.f("ix_occupation_skills_import_id"), "occupation_skills", ["import_id"], unique=False
    )
    op.create_index(
        op.f("ix_occupation_skills_skill_id"), "occupation_skills", ["skill_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_occupation_skills_skill_id"), table_name="occupation_skills")
    op.drop_index(op.f("ix_occupation_skills_import_id"), table_name="occupation_skills")
    op.drop_table("occupation_skills")
    op.drop_index(op.f("ix_skills_import_id"), table_name="skills")
    op.drop_table("skills")
    op.drop_index(op.f("ix_skill_imports_sha256"), table_name="skill_imports")
    op.drop_table("skill_imports")
