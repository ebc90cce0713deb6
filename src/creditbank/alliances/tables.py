"""Tables of the bank's alliances (alliances of BANKS; ``institutions`` keeps the alliances its
institutions belong to, in ``alliances``); private to the area.

- ``bank_alliances``: each alliance this bank proposed to join (a row left stays, with its history;
  the same code may be joined again once no other row of it is in use).
- ``bank_alliance_events``: each step (proposed, joined, left), by whom, when, why: what the log
  commits to.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base


class BankAllianceRow(Base):
    __tablename__ = "bank_alliances"
    __table_args__ = (
        # one row of a code in use (proposed or joined) at a time
        Index(
            "uq_bank_alliances_code_in_use",
            "code",
            unique=True,
            sqlite_where=text("status != 'left'"),
            postgresql_where=text("status != 'left'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    members: Mapped[str] = mapped_column(Text)
    """The other member banks' origins, comma-separated, as the log's flat record holds them."""
    frameworks: Mapped[str] = mapped_column(Text)
    item_kinds: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    """Raised by every step; a step is a conditional update on the version it read."""
    proposed_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class BankAllianceEventRow(Base):
    __tablename__ = "bank_alliance_events"
    __table_args__ = (UniqueConstraint("alliance_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("bank_alliances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    """The stable pseudonymous id the log names the actor by."""
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
