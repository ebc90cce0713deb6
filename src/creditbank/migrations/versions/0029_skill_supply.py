"""Skills held, counted ahead of reading, and outcomes found by their item.

- ``skill_supply``: the distinct learners holding aligned skills, counted by a refresh
  (``stats.supply``), by skill (its URI), occupation (its code), region (ISO 3166-2 code) and in
  all (``by`` "total", value ""): the supply side of "skills in demand and held", read instead of
  counting every outcome on each request.
- ``skill_supply_snapshots``: one row (id 1): when the counts were made (``as_of``, NULL: never)
  and by whom, and how many refreshes there were; the row a refresh locks, so that of two
  refreshes at once one counts.
- ``ix_outcomes_item_id_framework_level_id``: outcomes by item and level with their learner,
  issuer and id, so that the join of outcomes with the alignments in force (matching a job,
  counting skills held) reads the index alone (an index of item and level only made
  PostgreSQL fetch each row from the heap: 2.6 times slower than scanning them all for a job
  whose skills a third of the outcomes give; docs/performance.md).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_outcomes_item_id_framework_level_id",
        "outcomes",
        ["item_id", "framework_level_id", "learner_id", "institution_id", "id"],
        unique=False,
    )
    op.create_table(
        "skill_supply",
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("learners", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("by", "value", name=op.f("pk_skill_supply")),
    )
    op.create_table(
        "skill_supply_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_by", sa.String(length=320), nullable=True),
        sa.Column("refreshes", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_skill_supply_snapshots_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_supply_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("skill_supply_snapshots")
    op.drop_table("skill_supply")
    op.drop_index("ix_outcomes_item_id_framework_level_id", table_name="outcomes")
