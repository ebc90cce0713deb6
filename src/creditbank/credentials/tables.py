"""Persistence of signing keys, issued credentials and their status changes.

A private key is stored only sealed (AES-256-GCM under a key derived from the
bank's data key, bound to the key's owner and name); the table alone signs
nothing. Issued credentials and status changes are appended, never edited; a
key's end of validity and its compromise date are the only fields that change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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


class SigningKeyRow(Base):
    """An Ed25519 key of an institution (or, with no institution, of the bank itself)."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("owner", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(32))
    """The institution's code, or ``bank``."""
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    """The fragment of the verification method id (``key-1``)."""
    did_method: Mapped[str] = mapped_column(String(8))
    public_key: Mapped[str] = mapped_column(String(64))
    """Multikey text (``z6Mk…``)."""
    sealed_nonce: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    compromised_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    """Counts the changes of the key's logged facts (its end, its compromise): ADR 0017."""


class StatusListRow(Base):
    """One pair of Bitstring Status Lists (revocation and suspension) of the same size."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    """Who signs it, the issuer of its credentials: an institution's code (its did:web), or
    ``CODE/key-N`` for a did:key."""
    entries: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IssuedCredentialRow(Base):
    """An Open Badges credential of one outcome, signed with one key; its place in the lists."""

    __tablename__ = "issued_credentials"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        UniqueConstraint("outcome_id", "signing_key_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)
    signing_key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id"), index=True)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    identity_salt: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusChangeRow(Base):
    """A credential suspended or revoked (``value`` true), or a suspension lifted (false)."""

    __tablename__ = "credential_status_changes"
    __table_args__ = (Index("ix_credential_status_changes_credential", "credential_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("issued_credentials.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    value: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
