"""Occupations of other classifications (ESCO, O*NET) beside China's (filled in by the occupations area).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 15:15:00
"""

from __future__ import annotations

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
