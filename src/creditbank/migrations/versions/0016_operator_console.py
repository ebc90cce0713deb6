"""The operator console: institutions get a version (an edit loses to one made meanwhile),
users can be disabled, administrators' actions are audited (``admin_actions``), and staff set
their web password with a one-time code (``staff_password_codes``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN on both databases: a batch copy of these tables (SQLite's
    # way to alter them) would drop tables that other tables' rows refer to.
    op.add_column(
        "institutions",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "admin_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("institution", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_admin_actions_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_actions_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_admin_actions_institution"), ["institution"], unique=False
        )

    op.create_table(
        "staff_password_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_password_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_codes")),
        sa.UniqueConstraint("digest", name=op.f("uq_staff_password_codes_digest")),
    )
    with op.batch_alter_table("staff_password_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_password_codes_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_password_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_password_codes_user_id"))
    op.drop_table("staff_password_codes")
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_actions_institution"))
        batch_op.drop_index(batch_op.f("ix_admin_actions_actor_id"))
    op.drop_table("admin_actions")
    op.execute("ALTER TABLE users DROP COLUMN disabled_at")
    op.execute("ALTER TABLE institutions DROP COLUMN version")
