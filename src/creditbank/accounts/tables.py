"""Persistence of learners: accounts, the identity index, wrapped keys, sealed personal data.

No column holds a name or an identity number in clear: ``learner_identities``
holds an HMAC, ``learner_personal_data`` AES-GCM ciphertext under the learner's
key, and ``learner_keys`` that key wrapped by the bank's data key (which is not
in the database). ``personal_data_access`` is the audit trail the learner sees.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class LearnerRow(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(14), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerIdentityRow(Base):
    __tablename__ = "learner_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    id_hmac: Mapped[str] = mapped_column(String(64), unique=True)


class LearnerKeyRow(Base):
    __tablename__ = "learner_keys"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)


class LearnerPersonalDataRow(Base):
    __tablename__ = "learner_personal_data"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class PersonalDataAccessRow(Base):
    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
