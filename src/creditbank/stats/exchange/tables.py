"""Tables of the statistics across banks, private to the stats area.

- ``stat_network_cells``: the cells of the last combine of many banks' exported statistics, as
  ``stat_cells`` holds this bank's (figure, scope, dim, month, measure, value -> n, amount), plus
  ``bank``: the log origin of the bank whose cell it is, or "" for the network's total (the sum
  over the banks). Beside the dims of ``stat_cells`` it holds dims ``region`` and
  ``institution_type`` (resolved by each bank at export, since the national bank does not know
  the other banks' institutions). A combine replaces every row in one transaction.
- ``stat_network_combines``: each combine: when, on which engine, how many banks and cells.
- ``stat_network_sources``: each bank's export a combine read: its origin, when it was exported,
  its suppression threshold, and the sha256 of its manifest and files.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

BANK_LENGTH = 255
"""A bank's log origin (as ``peers`` stores it)."""


class StatNetworkCellRow(Base):
    __tablename__ = "stat_network_cells"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy's table options)

    bank: Mapped[str] = mapped_column(String(BANK_LENGTH), primary_key=True)
    figure: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class StatNetworkCombineRow(Base):
    __tablename__ = "stat_network_combines"

    id: Mapped[int] = mapped_column(primary_key=True)
    combined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    engine: Mapped[str] = mapped_column(String(16))
    """``duckdb`` or ``spark``."""
    bank_count: Mapped[int] = mapped_column(Integer)
    cell_count: Mapped[int] = mapped_column(BigInteger)


class StatNetworkSourceRow(Base):
    __tablename__ = "stat_network_sources"
    __table_args__ = (UniqueConstraint("combine_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    combine_id: Mapped[int] = mapped_column(ForeignKey("stat_network_combines.id"), index=True)
    origin: Mapped[str] = mapped_column(String(BANK_LENGTH))
    exported_at: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    cells_sha256: Mapped[str] = mapped_column(String(64))
    facts_sha256: Mapped[str] = mapped_column(String(64))
    cell_rows: Mapped[int] = mapped_column(BigInteger)
    fact_rows: Mapped[int] = mapped_column(BigInteger)
