"""Alignments of catalogue items to skills, four eyes (filled in by the alignments area).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 14:20:00
"""

from __future__ import annotations

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
