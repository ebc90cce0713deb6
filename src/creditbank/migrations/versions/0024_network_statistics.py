"""Statistics across banks: the cells of the last combine of many banks' exported statistics
(``stat_network_cells``, as ``stat_cells`` plus the ``bank`` whose cell it is, "" for the
network's total), each combine (``stat_network_combines``) and the banks' exports it read
(``stat_network_sources``: origin, threshold, sha256 of the manifest and files).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_network_cells",
        sa.Column("bank", sa.String(length=255), nullable=False),
        sa.Column("figure", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.PrimaryKeyConstraint(
            "bank",
            "figure",
            "scope",
            "dim",
            "month",
            "measure",
            "value",
            name=op.f("pk_stat_network_cells"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_network_combines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("combined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("bank_count", sa.Integer(), nullable=False),
        sa.Column("cell_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_network_combines")),
    )
    op.create_table(
        "stat_network_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("combine_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("exported_at", sa.String(length=40), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("cells_sha256", sa.String(length=64), nullable=False),
        sa.Column("facts_sha256", sa.String(length=64), nullable=False),
        sa.Column("cell_rows", sa.BigInteger(), nullable=False),
        sa.Column("fact_rows", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["combine_id"],
            ["stat_network_combines.id"],
            name=op.f("fk_stat_network_sources_combine_id_stat_network_combines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_network_sources")),
        sa.UniqueConstraint(
            "combine_id", "origin", name=op.f("uq_stat_network_sources_combine_id_origin")
        ),
    )
    op.create_index(
        op.f("ix_stat_network_sources_combine_id"),
        "stat_network_sources",
        ["combine_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stat_network_sources_combine_id"), table_name="stat_network_sources")
    op.drop_table("stat_network_sources")
    op.drop_table("stat_network_combines")
    op.drop_table("stat_network_cells")
