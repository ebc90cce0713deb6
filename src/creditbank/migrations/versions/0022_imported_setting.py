"""An imported outcome keeps how it was learned at its source (``imported_outcomes.setting``:
formal, non-formal or informal, from the committed record), so that its recognition states it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imported_outcomes") as table:
        table.add_column(sa.Column("setting", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imported_outcomes") as table:
        table.drop_column("setting")
