"""The use cases of the statistics across banks, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ExportStats:
    """Write the bank's statistics into ``directory`` as Parquet files with a manifest, for the
    national bank to combine."""

    directory: Path


@dataclass(frozen=True, slots=True)
class CombineStats:
    """Combine many banks' exported statistics (one directory each) into the network's figures,
    on ``engine`` (``duckdb``, embedded, or ``spark``)."""

    directories: tuple[Path, ...]
    engine: str = "duckdb"


@dataclass(frozen=True, slots=True)
class ShowCombine:
    """The last combine of many banks' statistics this bank made: when, on which engine, and
    each bank's export it read (None when it has made none)."""
