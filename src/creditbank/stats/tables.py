"""The statistics' tables, private to the area: ``stat_cells`` and ``stat_rollups``.

One row per cell: a ``figure`` (accounts, outcomes, ...), one of its ``measure``s (opened,
deposited, ...), a ``scope`` ("" for the whole bank, else an institution's code), one dimension
``dim`` ("all" with value "", or e.g. "level" with a level's global identifier as ``value``) and
a ``month`` (``year * 100 + month`` in the bank's time zone, e.g. 202612). ``n`` counts the facts,
``amount`` sums their amounts (credits, days).

The primary key is ordered (figure, scope, dim, month, measure, value), so that it is also the
index every figure is read through: ``WHERE figure=? AND scope=? AND dim=? AND month BETWEEN ? AND
?`` is one range of it. On SQLite the table is ``WITHOUT ROWID``: the rows are stored in that
order, so such a read touches nothing but the range.

``stat_rollups`` holds the same counts summed over whole years (``period`` = the year) and over
all time (``period`` = 0), written with the cells (same transaction, same upsert): a figure over
whole years, or over all time, reads one row per value and measure instead of one per month
(at 10 million outcomes, 300 institutions' months are 72,000 cells a measure). Exports and
anything that sums cells read ``stat_cells`` only: the roll-ups repeat them.

``skill_supply`` holds the supply side of "skills in demand and held" as last counted by a
refresh (``stats.supply``): the distinct learners by skill (its URI), occupation, region and in
all (``by`` "total", value ""); ``skill_supply_snapshots`` its one row (id 1): when it was
counted (``as_of``, NULL: never) and by whom, the row a refresh locks.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from creditbank.db import Base

FIGURE_LENGTH = 32
MEASURE_LENGTH = 32
SCOPE_LENGTH = 64
DIM_LENGTH = 32
VALUE_LENGTH = 320


class StatCellRow(Base):
    __tablename__ = "stat_cells"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy's table options)

    figure: Mapped[str] = mapped_column(String(FIGURE_LENGTH), primary_key=True)
    scope: Mapped[str] = mapped_column(String(SCOPE_LENGTH), primary_key=True)
    dim: Mapped[str] = mapped_column(String(DIM_LENGTH), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(MEASURE_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(VALUE_LENGTH), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class StatRollupRow(Base):
    __tablename__ = "stat_rollups"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy's table options)

    figure: Mapped[str] = mapped_column(String(FIGURE_LENGTH), primary_key=True)
    scope: Mapped[str] = mapped_column(String(SCOPE_LENGTH), primary_key=True)
    dim: Mapped[str] = mapped_column(String(DIM_LENGTH), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(MEASURE_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(VALUE_LENGTH), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class SkillSupplyRow(Base):
    __tablename__ = "skill_supply"

    by: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(VALUE_LENGTH), primary_key=True)
    learners: Mapped[int] = mapped_column(BigInteger)


SNAPSHOT_ID = 1
"""The only row of ``skill_supply_snapshots``."""


class SkillSupplySnapshotRow(Base):
    __tablename__ = "skill_supply_snapshots"
    __table_args__ = (CheckConstraint(f"id = {SNAPSHOT_ID}", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refreshed_by: Mapped[str | None] = mapped_column(String(320))
    refreshes: Mapped[int] = mapped_column(Integer)
    """How many refreshes counted: a refresh that saw N wins only while it is still N."""
