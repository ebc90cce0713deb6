"""Occupations of other classifications (ESCO, O*NET) beside China's (filled in later).

Their codes carry their scheme (``ESCO:2512.4``, ``ONET:15-1252.00``; China's 2022 codes stay as
they are), so they fit the existing ``code`` column. What is new is the concept's global URI
where its source gives one (ESCO's ``conceptUri``): the key ESCO's occupation-skill relations
name an occupation by.

- ``occupations.uri``: the occupation's URI in its source, unique where given.
- ``occupation_skills.level``: the level (0..7) a skill is needed at where the source gives one
  (O*NET's ``LV`` scale), beside its importance.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("occupations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uri", sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f("ix_occupations_uri"), ["uri"], unique=True)
    with op.batch_alter_table("occupation_skills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.Numeric(precision=3, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("occupation_skills", schema=None) as batch_op:
        batch_op.drop_column("level")
    with op.batch_alter_table("occupations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupations_uri"))
        batch_op.drop_column("uri")
