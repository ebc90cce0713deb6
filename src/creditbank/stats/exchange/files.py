"""The files a bank exports its statistics in, and how a reader checks them.

An export is a directory of three files:

- ``cells.parquet``: every cell of the bank's ``stat_cells`` (unsuppressed: the aggregates the
  national bank combines), each with the bank's log origin (``bank``) and, for a cell about an
  institution (dim ``institution``, or an institution's scope), that institution's ``region``
  and ``institution_type`` resolved by its code;
- ``facts.parquet``: the de-identified fact table: one row per figure, measure, month,
  institution (with its region and type), level, certificate, setting, kind, peer, cohort and
  ``after``, with the number of facts and their amount; a row of fewer facts than the
  threshold has ``count`` and ``amount`` null and ``suppressed`` true. Never a person, an
  account, a sex or an age band per row;
- ``manifest.json``: the format and its schema version, the bank's origin, when it was exported,
  the threshold, and each file's row count and sha256.

The Arrow schemas are typed (int32 months, int64 counts, decimal(20, 2) amounts, as
``stat_cells`` stores them), so that DuckDB and Spark read the same types from every bank's files.
pyarrow is imported when a schema is first asked for, not when the application starts.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT = "creditbank-stats-export"
"""The ``format`` member of a manifest."""
SCHEMA_VERSION = 1
"""The version of the files' schemas; a reader refuses any other."""
CELLS = "cells.parquet"
FACTS = "facts.parquet"
MANIFEST = "manifest.json"
FILES = (CELLS, FACTS)
"""The data files a manifest lists, in this order."""
AMOUNT_PRECISION = 20
AMOUNT_SCALE = 2
FACT_DIMS = ("level", "certificate", "setting", "kind", "peer", "cohort", "after")
"""The dims of a fact that the fact table keeps (never ``sex`` or ``age``: those are kept only
as the bank's aggregate counters)."""


@cache
def cells_schema() -> pa.Schema:
    """The schema of ``cells.parquet``."""
    import pyarrow as pa  # noqa: PLC0415 - pyarrow only when statistics are exchanged

    text = pa.string()
    return pa.schema(
        [
            pa.field("bank", text, nullable=False),
            pa.field("figure", text, nullable=False),
            pa.field("measure", text, nullable=False),
            pa.field("scope", text, nullable=False),
            pa.field("dim", text, nullable=False),
            pa.field("value", text, nullable=False),
            pa.field("month", pa.int32(), nullable=False),
            pa.field("n", pa.int64(), nullable=False),
            pa.field("amount", pa.decimal128(AMOUNT_PRECISION, AMOUNT_SCALE), nullable=False),
            pa.field("region", text),
            pa.field("institution_type", text),
        ]
    )


@cache
def facts_schema() -> pa.Schema:
    """The schema of ``facts.parquet``."""
    import pyarrow as pa  # noqa: PLC0415 - pyarrow only when statistics are exchanged

    text = pa.string()
    return pa.schema(
        [
            pa.field("bank", text, nullable=False),
            pa.field("figure", text, nullable=False),
            pa.field("measure", text, nullable=False),
            pa.field("month", pa.int32(), nullable=False),
            pa.field("institution", text),
            pa.field("region", text),
            pa.field("institution_type", text),
            *(pa.field(dim, text) for dim in FACT_DIMS),
            pa.field("count", pa.int64()),
            pa.field("amount", pa.decimal128(AMOUNT_PRECISION, AMOUNT_SCALE)),
            pa.field("suppressed", pa.bool_(), nullable=False),
        ]
    )


def schemas() -> dict[str, pa.Schema]:
    """Each data file's schema, by file name."""
    return {CELLS: cells_schema(), FACTS: facts_schema()}


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file at ``path``, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for piece in iter(lambda: file.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()
