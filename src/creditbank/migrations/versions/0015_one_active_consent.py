"""One active consent per learner and institution: a partial unique index on ``consents``
(``learner_id``, ``institution_id``) where ``withdrawn_at`` is null, the database's own guard
of what granting does (a new consent withdraws the one before it). Granting also locks the
learner first, so parallel grants take turns; the index makes a double grant impossible even
so. Pairs left with several active consents (by parallel grants before this revision) keep the
newest; the older ones are withdrawn when the newest was granted.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "uq_consents_active_learner_institution"
ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.execute(
        """
        UPDATE consents SET withdrawn_at = (
            SELECT newest.granted_at FROM consents AS newest
            WHERE newest.learner_id = consents.learner_id
              AND newest.institution_id = consents.institution_id
              AND newest.withdrawn_at IS NULL
            ORDER BY newest.id DESC LIMIT 1
        )
        WHERE withdrawn_at IS NULL AND EXISTS (
            SELECT 1 FROM consents AS later
            WHERE later.learner_id = consents.learner_id
              AND later.institution_id = consents.institution_id
              AND later.withdrawn_at IS NULL
              AND later.id > consents.id
        )
        """
    )
    op.create_index(
        INDEX,
        "consents",
        ["learner_id", "institution_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="consents")
