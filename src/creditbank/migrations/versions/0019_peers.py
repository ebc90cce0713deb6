"""Peer banks: the trust list (``peers``), its four-eyes steps (``peer_events``), the peers'
checkpoints seen (``peer_checkpoints``) and the evidence of forks (``peer_forks``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=300), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("log_key", sa.String(length=400), nullable=False),
        sa.Column("did", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("witness_url", sa.String(length=500), nullable=False),
        sa.Column("witness_key", sa.String(length=400), nullable=False),
        sa.Column("frameworks", sa.Text(), nullable=False),
        sa.Column("item_kinds", sa.Text(), nullable=False),
        sa.Column("institutions", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"], ["users.id"], name=op.f("fk_peers_proposed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peers")),
        sa.UniqueConstraint("public_id", name=op.f("uq_peers_public_id")),
    )
    op.create_index(
        "uq_peers_origin_in_use",
        "peers",
        ["origin"],
        unique=True,
        sqlite_where=sa.text("status != 'removed'"),
        postgresql_where=sa.text("status != 'removed'"),
    )
    op.create_table(
        "peer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_peer_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["peers.id"], name=op.f("fk_peer_events_peer_id_peers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_events")),
        sa.UniqueConstraint("peer_id", "kind", name=op.f("uq_peer_events_peer_id_kind")),
    )
    op.create_index(op.f("ix_peer_events_peer_id"), "peer_events", ["peer_id"], unique=False)
    op.create_table(
        "peer_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["peers.id"], name=op.f("fk_peer_checkpoints_peer_id_peers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_checkpoints")),
        sa.UniqueConstraint(
            "peer_id", "tree_size", name=op.f("uq_peer_checkpoints_peer_id_tree_size")
        ),
    )
    op.create_index(
        op.f("ix_peer_checkpoints_peer_id"), "peer_checkpoints", ["peer_id"], unique=False
    )
    op.create_table(
        "peer_forks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_note", sa.Text(), nullable=False),
        sa.Column("new_note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["peers.id"], name=op.f("fk_peer_forks_peer_id_peers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_forks")),
        sa.UniqueConstraint("digest", name=op.f("uq_peer_forks_digest")),
    )
    op.create_index(op.f("ix_peer_forks_peer_id"), "peer_forks", ["peer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_peer_forks_peer_id"), table_name="peer_forks")
    op.drop_table("peer_forks")
    op.drop_index(op.f("ix_peer_checkpoints_peer_id"), table_name="peer_checkpoints")
    op.drop_table("peer_checkpoints")
    op.drop_index(op.f("ix_peer_events_peer_id"), table_name="peer_events")
    op.drop_table("peer_events")
    op.drop_index("uq_peers_origin_in_use", table_name="peers")
    op.drop_table("peers")
