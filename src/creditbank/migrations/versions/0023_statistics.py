"""The statistics the bank publishes: ``stat_cells``, monthly counters of facts by figure,
measure, scope (the bank or an institution) and one dimension; ``stat_rollups``, their sums by
year and over all time.

The primary key (figure, scope, dim, month, measure, value) is the index every figure is read
through (``WHERE figure=? AND scope=? AND dim=? AND month BETWEEN ? AND ?``); on SQLite the table
is stored in that order (``WITHOUT ROWID``). ``stat_rollups``: the same counts by year
(``period`` = the year) and over all time (``period`` = 0), for figures over whole years.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_cells",
        sa.Column("figure", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.PrimaryKeyConstraint(
            "figure", "scope", "dim", "month", "measure", "value", name=op.f("pk_stat_cells")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_rollups",
        sa.Column("figure", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.PrimaryKeyConstraint(
            "figure", "scope", "dim", "period", "measure", "value", name=op.f("pk_stat_rollups")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("stat_rollups")
    op.drop_table("stat_cells")
