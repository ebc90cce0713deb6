"""Transferred credit recorded as what it is: outcomes gain ``transfer`` (what a conversion
grant transferred: programme, component or elective credits, rule version, source outcomes),
and a grant may have more than one outcome over time (the one a correction superseded and its
replacement), so ``conversion_grant_id`` is indexed but no longer unique. A grant deposited
twice is still impossible: its outcome's ``record_id`` is unique per institution.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outcomes", sa.Column("transfer", sa.JSON(), nullable=True))
    op.drop_index("ix_outcomes_conversion_grant_id", table_name="outcomes")
    op.create_index(
        "ix_outcomes_conversion_grant_id", "outcomes", ["conversion_grant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outcomes_conversion_grant_id", table_name="outcomes")
    op.create_index(
        "ix_outcomes_conversion_grant_id", "outcomes", ["conversion_grant_id"], unique=True
    )
    with op.batch_alter_table("outcomes") as batch_op:
        batch_op.drop_column("transfer")
