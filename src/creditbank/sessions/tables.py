"""Persistence of web sessions, failed logins, learners' passwords and activation codes.

Nothing here can be read back into a secret: sessions and activation codes are
kept as SHA-256 digests (they are long random values), learners' passwords as
argon2 hashes, failed logins under a digest of the login name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class WebSessionRow(Base):
    """A logged-in browser: a staff user's or a learner's. Revoked at logout, never reused."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailureRow(Base):
    """One failed login, counted towards the throttle of its login name (kept as a digest)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_login_key_at", "login_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    login_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerCredentialRow(Base):
    """A learner's web password (argon2). Learners without one cannot log in."""

    __tablename__ = "learner_credentials"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivationCodeRow(Base):
    """A one-time code with which a learner chooses a password at /activate."""

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffPasswordCodeRow(Base):
    """A one-time code a bank administrator gives a staff user, with which they set their web
    password at /set-password (kept as a digest bound to the user's e-mail address)."""

    __tablename__ = "staff_password_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
