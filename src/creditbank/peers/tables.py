"""Tables of peer banks; private to the area.

- ``peers``: the trust list, one row per peer proposed (a removed peer's row stays, with its
  history; the same origin may be proposed again, once no other row of it is in use).
- ``peer_events``: each four-eyes step (proposed, approved, removed), by whom, when, why:
  what the log commits to.
- ``peer_checkpoints``: every checkpoint of a peer's log this bank has seen (witnessed or
  accepted), one per tree size.
- ``peer_forks``: two checkpoints of a peer's log that cannot both be true, kept as evidence.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class PeerRow(Base):
    __tablename__ = "peers"
    __table_args__ = (
        # one row of an origin in use (proposed or approved) at a time
        Index(
            "uq_peers_origin_in_use",
            "origin",
            unique=True,
            sqlite_where=text("status != 'removed'"),
            postgresql_where=text("status != 'removed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(300), unique=True)
    """The id of the peer's log entries: ``<origin>@<n>``, its n-th proposal (never a row id)."""
    origin: Mapped[str] = mapped_column(String(255))
    log_key: Mapped[str] = mapped_column(String(400))
    did: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(500))
    witness_url: Mapped[str] = mapped_column(String(500))
    witness_key: Mapped[str] = mapped_column(String(400))
    frameworks: Mapped[str] = mapped_column(Text)
    """Comma-separated codes, as the log's flat record holds them."""
    item_kinds: Mapped[str] = mapped_column(Text)
    institutions: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    """Raised by every step; a step is a conditional update on the version it read."""
    proposed_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PeerEventRow(Base):
    __tablename__ = "peer_events"
    __table_args__ = (UniqueConstraint("peer_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    """The stable pseudonymous id the log names the actor by."""
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PeerCheckpointRow(Base):
    __tablename__ = "peer_checkpoints"
    __table_args__ = (UniqueConstraint("peer_id", "tree_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id"), index=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    """``witnessed`` (our witness cosigned it) or ``accepted`` (carried to us, k-cosigned)."""
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PeerForkRow(Base):
    __tablename__ = "peer_forks"

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of both notes: the same evidence is kept once."""
    seen_note: Mapped[str] = mapped_column(Text)
    new_note: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
