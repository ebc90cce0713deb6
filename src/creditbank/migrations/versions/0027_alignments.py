"""Alignments of catalogue items to skills, four eyes: the subjects (an item, at a level or at
any), the versions of their alignments, each version's skills and events (facts: UPDATE and
DELETE refused by triggers, as conversion rules'), and ``aligned_skills``, the sets in force.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

APPEND_ONLY = ("skill_alignments", "skill_alignment_skills", "skill_alignment_events")


def upgrade() -> None:
    op.create_table(
        "skill_alignment_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("level_key", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_skill_alignment_subjects_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["framework_levels.id"],
            name=op.f("fk_skill_alignment_subjects_level_id_framework_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_alignment_subjects")),
        sa.UniqueConstraint(
            "item_id", "level_key", name=op.f("uq_skill_alignment_subjects_item_id_level_key")
        ),
    )
    op.create_table(
        "skill_alignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("drafted_by_user_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["skill_alignment_subjects.id"],
            name=op.f("fk_skill_alignments_subject_id_skill_alignment_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_skill_alignments_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["framework_levels.id"],
            name=op.f("fk_skill_alignments_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by_user_id"],
            ["users.id"],
            name=op.f("fk_skill_alignments_drafted_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_alignments")),
        sa.UniqueConstraint(
            "subject_id", "version", name=op.f("uq_skill_alignments_subject_id_version")
        ),
        sa.UniqueConstraint(
            "id", "drafted_by_user_id", name=op.f("uq_skill_alignments_id_drafted_by_user_id")
        ),
    )
    op.create_index("ix_skill_alignments_public_id", "skill_alignments", ["public_id"], unique=True)
    op.create_index(
        op.f("ix_skill_alignments_subject_id"), "skill_alignments", ["subject_id"], unique=False
    )
    op.create_index(
        op.f("ix_skill_alignments_item_id"), "skill_alignments", ["item_id"], unique=False
    )
    op.create_table(
        "skill_alignment_skills",
        sa.Column("alignment_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["alignment_id"],
            ["skill_alignments.id"],
            name=op.f("fk_skill_alignment_skills_alignment_id_skill_alignments"),
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_skill_alignment_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("alignment_id", "skill_id", name=op.f("pk_skill_alignment_skills")),
    )
    op.create_index(
        op.f("ix_skill_alignment_skills_skill_id"),
        "skill_alignment_skills",
        ["skill_id"],
        unique=False,
    )
    op.create_table(
        "skill_alignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alignment_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind NOT IN ('approved', 'rejected') OR by_user_id <> author_user_id",
            name=op.f("ck_skill_alignment_events_four_eyes"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_skill_alignment_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["alignment_id", "author_user_id"],
            ["skill_alignments.id", "skill_alignments.drafted_by_user_id"],
            name="fk_skill_alignment_events_alignment_author",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_alignment_events")),
        sa.UniqueConstraint(
            "alignment_id", "kind", name=op.f("uq_skill_alignment_events_alignment_id_kind")
        ),
    )
    op.create_index(
        op.f("ix_skill_alignment_events_alignment_id"),
        "skill_alignment_events",
        ["alignment_id"],
        unique=False,
    )
    op.create_table(
        "aligned_skills",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("alignment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["skill_alignment_subjects.id"],
            name=op.f("fk_aligned_skills_subject_id_skill_alignment_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_aligned_skills_skill_id_skills")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_aligned_skills_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["framework_levels.id"],
            name=op.f("fk_aligned_skills_level_id_framework_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["alignment_id"],
            ["skill_alignments.id"],
            name=op.f("fk_aligned_skills_alignment_id_skill_alignments"),
        ),
        sa.PrimaryKeyConstraint("subject_id", "skill_id", name=op.f("pk_aligned_skills")),
    )
    op.create_index(
        op.f("ix_aligned_skills_skill_id"), "aligned_skills", ["skill_id"], unique=False
    )
    op.create_index(op.f("ix_aligned_skills_item_id"), "aligned_skills", ["item_id"], unique=False)
    refuse_changes(APPEND_ONLY)


def downgrade() -> None:
    for table in (
        "aligned_skills",
        "skill_alignment_events",
        "skill_alignment_skills",
        "skill_alignments",
        "skill_alignment_subjects",
    ):
        op.drop_table(table)
