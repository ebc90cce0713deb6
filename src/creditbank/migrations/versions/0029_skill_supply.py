"""Skills held, counted ahead of reading, and outcomes found by their item (filled in by the statistics area).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 15:15:00
"""

from __future__ import annotations

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
