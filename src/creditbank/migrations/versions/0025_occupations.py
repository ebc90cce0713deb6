"""Occupations: each import's provenance (``occupation_imports``: source, version, licence,
file name and sha256, when, by whom, how many added and changed), the occupations and groups by
code (``occupations``) and their aliases, one row each (``occupation_aliases``).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "occupation_imports",
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupation_imports")),
    )
    op.create_index(
        op.f("ix_occupation_imports_sha256"), "occupation_imports", ["sha256"], unique=False
    )
    op.create_table(
        "occupations",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("marks", sa.String(length=8), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["occupation_imports.id"],
            name=op.f("fk_occupations_import_id_occupation_imports"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_occupations")),
    )
    op.create_index(op.f("ix_occupations_import_id"), "occupations", ["import_id"], unique=False)
    op.create_index(
        op.f("ix_occupations_parent_code"), "occupations", ["parent_code"], unique=False
    )
    op.create_table(
        "occupation_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["occupations.code"], name=op.f("fk_occupation_aliases_code_occupations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupation_aliases")),
        sa.UniqueConstraint("code", "alias", name=op.f("uq_occupation_aliases_code_alias")),
    )
    op.create_index(
        op.f("ix_occupation_aliases_code"), "occupation_aliases", ["code"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_occupation_aliases_code"), table_name="occupation_aliases")
    op.drop_table("occupation_aliases")
    op.drop_index(op.f("ix_occupations_parent_code"), table_name="occupations")
    op.drop_index(op.f("ix_occupations_import_id"), table_name="occupations")
    op.drop_table("occupations")
    op.drop_index(op.f("ix_occupation_imports_sha256"), table_name="occupation_imports")
    op.drop_table("occupation_imports")
