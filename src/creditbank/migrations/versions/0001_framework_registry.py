"""The framework registry: framework versions, tracks, levels and crosswalks.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:13:50.318659
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "crosswalks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("from_framework", sa.String(length=32), nullable=False),
        sa.Column("to_framework", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note_zh", sa.Text(), nullable=False),
        sa.Column("note_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalks")),
        sa.UniqueConstraint("code", name=op.f("uq_crosswalks_code")),
    )
    op.create_table(
        "framework_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_framework_versions_code_version")),
    )
    with op.batch_alter_table("framework_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_framework_versions_code"), ["code"], unique=False)

    op.create_table(
        "crosswalk_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crosswalk_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=32), nullable=False),
        sa.Column("to_level", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["crosswalk_id"],
            ["crosswalks.id"],
            name=op.f("fk_crosswalk_pairs_crosswalk_id_crosswalks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk_pairs")),
        sa.UniqueConstraint(
            "crosswalk_id", "position", name=op.f("uq_crosswalk_pairs_crosswalk_id_position")
        ),
    )
    with op.batch_alter_table("crosswalk_pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crosswalk_pairs_crosswalk_id"), ["crosswalk_id"], unique=False
        )

    op.create_table(
        "framework_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("track_code", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("code_key", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("descriptors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_framework_levels_framework_version_id_framework_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_levels")),
        sa.UniqueConstraint(
            "framework_version_id",
            "code_key",
            name=op.f("uq_framework_levels_framework_version_id_code_key"),
        ),
    )
    with op.batch_alter_table("framework_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_levels_framework_version_id"),
            ["framework_version_id"],
            unique=False,
        )

    op.create_table(
        "framework_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("highest_first", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_framework_tracks_framework_version_id_framework_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_tracks")),
        sa.UniqueConstraint(
            "framework_version_id",
            "code",
            name=op.f("uq_framework_tracks_framework_version_id_code"),
        ),
    )
    with op.batch_alter_table("framework_tracks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_tracks_framework_version_id"),
            ["framework_version_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("framework_tracks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_tracks_framework_version_id"))

    op.drop_table("framework_tracks")
    with op.batch_alter_table("framework_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_levels_framework_version_id"))

    op.drop_table("framework_levels")
    with op.batch_alter_table("crosswalk_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalk_pairs_crosswalk_id"))

    op.drop_table("crosswalk_pairs")
    with op.batch_alter_table("framework_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_versions_code"))

    op.drop_table("framework_versions")
    op.drop_table("crosswalks")
