"""Job requirements and learners' consent to be matched (filled in by the jobs area).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 14:20:00
"""

from __future__ import annotations

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
