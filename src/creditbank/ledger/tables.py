"""The ledger's tables: entries, their leaves and Merkle nodes, checkpoints, cosignatures.

Everything here but the salts and the one-row head is appended and never changed:
the migration adds triggers that refuse UPDATE and DELETE on both databases.

- ``log_entries``: what a fact of record looks like in the log (kind, public id,
  issuer, time, commitment), as the canonical bytes that are hashed into the leaf.
- ``log_salts``: each entry's random salt, off the log. Erasing it (with the personal
  data) leaves the log verifiable and the commitment opaque.
- ``log_leaves``: an entry's place in the tree (leaf index), given when its
  transaction seals the log.
- ``log_nodes``: the hash of every complete subtree (level 0: the leaves), so that a
  proof reads O(log n) rows and never rehashes the log.
- ``log_head``: the one row every writer locks to append (size and root after the
  last seal); it serialises appends so concurrent writers cannot fork the tree.
- ``log_checkpoints``, ``log_cosignatures``: signed tree heads and witnesses' cosignatures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

# An integer key that is 64-bit on PostgreSQL and SQLite's rowid on SQLite.
Id64 = BigInteger().with_variant(Integer, "sqlite")

APPEND_ONLY_TABLES = (
    "log_entries",
    "log_leaves",
    "log_nodes",
    "log_checkpoints",
    "log_cosignatures",
)


class LogEntryRow(Base):
    """One fact of record, as it stands in the log."""

    __tablename__ = "log_entries"

    id: Mapped[int] = mapped_column(Id64, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    issuer: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary, index=True)


class LogSaltRow(Base):
    """The salt of an entry's commitment; deleted when the record's data is erased."""

    __tablename__ = "log_salts"

    entry_id: Mapped[int] = mapped_column(Id64, ForeignKey("log_entries.id"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary)


class LogLeafRow(Base):
    """An entry's leaf index in the tree."""

    __tablename__ = "log_leaves"

    leaf_index: Mapped[int] = mapped_column(Id64, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Id64, ForeignKey("log_entries.id"), unique=True)


class LogNodeRow(Base):
    """The hash of the complete subtree over leaves [index * 2**level, (index + 1) * 2**level)."""

    __tablename__ = "log_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(Id64, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class LogHeadRow(Base):
    """The tree as of the last seal. One row (id 1); locked by every appending transaction."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogCheckpointRow(Base):
    """A signed checkpoint (C2SP tlog-checkpoint on signed-note) of the tree at a size."""

    __tablename__ = "log_checkpoints"

    id: Mapped[int] = mapped_column(Id64, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogCosignatureRow(Base):
    """A witness's cosignature (C2SP tlog-cosignature) of a checkpoint."""

    __tablename__ = "log_cosignatures"

    id: Mapped[int] = mapped_column(Id64, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(Id64, ForeignKey("log_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(200))
    signature_line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
