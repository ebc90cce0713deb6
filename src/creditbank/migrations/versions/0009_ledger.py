"""The ledger: log entries, salts, leaves, Merkle nodes, head, checkpoints, cosignatures.

The log's tables, and the outcomes and outcome events they record, refuse UPDATE and
DELETE at the database level: a trigger on each (SQLite ``RAISE(ABORT)``, PostgreSQL a
function raising ``creditbank: <table> is append-only``; PostgreSQL also refuses
TRUNCATE). Salts and the one-row head stay writable: a salt is erased with a learner's
data, the head moves with every seal.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:10:00
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id64 = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Appended, never changed. The ledger's own tables, and the facts they record.
APPEND_ONLY = (
    "log_entries",
    "log_leaves",
    "log_nodes",
    "log_checkpoints",
    "log_cosignatures",
    "outcomes",
    "outcome_events",
)


def _create_tables() -> None:
    op.create_table(
        "log_entries",
        sa.Column("id", Id64, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_entries")),
    )
    op.create_index(op.f("ix_log_entries_record_id"), "log_entries", ["record_id"])
    op.create_index(op.f("ix_log_entries_leaf_hash"), "log_entries", ["leaf_hash"])
    op.create_table(
        "log_salts",
        sa.Column("entry_id", Id64, nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["log_entries.id"], name=op.f("fk_log_salts_entry_id_log_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_log_salts")),
    )
    op.create_table(
        "log_leaves",
        sa.Column("leaf_index", Id64, autoincrement=False, nullable=False),
        sa.Column("entry_id", Id64, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["log_entries.id"], name=op.f("fk_log_leaves_entry_id_log_entries")
        ),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_log_leaves")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_log_leaves_entry_id")),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", Id64, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("id", Id64, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoints")),
    )
    op.create_index(op.f("ix_log_checkpoints_tree_size"), "log_checkpoints", ["tree_size"])
    op.create_table(
        "log_cosignatures",
        sa.Column("id", Id64, nullable=False),
        sa.Column("checkpoint_id", Id64, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("signature_line", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["log_checkpoints.id"],
            name=op.f("fk_log_cosignatures_checkpoint_id_log_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_cosignatures")),
    )
    op.create_index(
        op.f("ix_log_cosignatures_checkpoint_id"), "log_cosignatures", ["checkpoint_id"]
    )


def _refuse_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION creditbank_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'creditbank: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
    refuse_changes(APPEND_ONLY)


def upgrade() -> None:
    _create_tables()
    head = sa.table(
        "log_head",
        sa.column("id", sa.Integer()),
        sa.column("tree_size", sa.BigInteger()),
        sa.column("root_hash", sa.LargeBinary()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    # The empty tree: size 0, root SHA-256 of nothing (RFC 9162 2.1.1).
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "tree_size": 0,
                "root_hash": hashlib.sha256(b"").digest(),
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    _refuse_changes()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS creditbank_refuse_change()")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    for table in (
        "log_cosignatures",
        "log_checkpoints",
        "log_head",
        "log_nodes",
        "log_leaves",
        "log_salts",
        "log_entries",
    ):
        op.drop_table(table)
