"""Combining many banks' exported statistics into the network's cells (``combine_stats``).

Each directory is checked first, all of them before anything runs: its ``manifest.json`` (the
format, schema version 1, an origin, a threshold, each file's row count and sha256), each file's
sha256 against the manifest's, its Parquet schema against the one of the version, its row count,
and that its rows are the manifest's bank's. Two exports of one bank are refused. Every problem
found is named (the file and what is wrong) in one ``invalid_stats_export`` error, and nothing
is stored.

Then the figure definitions (``definitions``) run on the engine asked for over the union of the
``cells.parquet`` files, and their rows replace ``stat_network_cells`` in the caller's
transaction, with a record of the combine (``stat_network_combines``) and of each bank's export
it read (``stat_network_sources``). Two combines at once run one after the other: the first
locks the network's cells (PostgreSQL: the table; SQLite: the database's write lock) until it
commits, and the second then replaces what the first stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text

from creditbank.db import UnitOfWork, hold_write_lock, insert_rows
from creditbank.messages import Message, msg
from creditbank.stats.exchange.definitions import COLUMNS, DEFINITIONS, STORED
from creditbank.stats.exchange.engines import Engine, StatsExchangeError, engine_named
from creditbank.stats.exchange.files import (
    CELLS,
    FACTS,
    FILES,
    FORMAT,
    MANIFEST,
    SCHEMA_VERSION,
    schemas,
    sha256_of,
)
from creditbank.stats.exchange.tables import (
    BANK_LENGTH,
    StatNetworkCellRow,
    StatNetworkCombineRow,
    StatNetworkSourceRow,
)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_EXPORTED_AT = 40


@dataclass(frozen=True)
class BankExport:
    """One bank's export, as its manifest describes it and the files were found to be."""

    directory: Path
    origin: str
    exported_at: str
    threshold: int
    schema_version: int
    manifest_sha256: str
    sha256: Mapping[str, str]
    """Each file's sha256, by file name."""
    rows: Mapping[str, int]
    """Each file's number of rows, by file name."""

    @property
    def cells(self) -> Path:
        return self.directory / CELLS


@dataclass(frozen=True)
class BankYear:
    """One bank's bank-wide total of a figure's measure in a year."""

    bank: str
    figure: str
    measure: str
    year: int
    n: int
    amount: Decimal


@dataclass(frozen=True)
class CombineReport:
    """What a combine read and stored."""

    engine: str
    combined_at: datetime
    banks: tuple[BankExport, ...]
    cells: int
    """How many cells ``stat_network_cells`` holds now."""
    years: tuple[BankYear, ...]
    """Each bank's bank-wide totals by figure, measure and year."""


def combine_stats(
    uow: UnitOfWork,
    directories: Sequence[Path],
    *,
    engine: str | Engine = "duckdb",
    spark_master: str = "local[*]",
) -> CombineReport:
    """Check every export in ``directories``, run the figure definitions over them on
    ``engine`` (a name, ``duckdb`` or ``spark`` on ``spark_master``, or an engine) and store the
    network's cells in ``uow``'s transaction, replacing the previous combine's."""
    runner = engine_named(engine, spark_master=spark_master) if isinstance(engine, str) else engine
    banks = read_exports(directories)
    results = runner.run([bank.cells for bank in banks], DEFINITIONS)
    rows = [row for name in STORED for row in results[name]]
    combined_at = datetime.now(UTC)
    _store(uow, rows, banks, engine=runner.name, combined_at=combined_at)
    years = tuple(
        BankYear(bank, figure, measure, int(year), int(n), Decimal(amount))
        for bank, figure, measure, year, n, amount in sorted(results["bank_years"])
    )
    return CombineReport(runner.name, combined_at, banks, len(rows), years)


def read_exports(directories: Sequence[Path]) -> tuple[BankExport, ...]:
    """Each directory's export, checked; one ``invalid_stats_export`` naming every problem (and
    two exports of one bank) otherwise."""
    problems: list[Message] = []
    if not directories:
        problems.append(msg("no directory of exported statistics was given"))
    banks: list[BankExport] = []
    seen: dict[str, Path] = {}
    for directory in directories:
        bank = read_export(directory, problems)
        if bank is None:
            continue
        if bank.origin in seen:
            problems.append(
                msg(
                    "{first} and {second} are both exports of {origin}",
                    first=str(seen[bank.origin]),
                    second=str(directory),
                    origin=bank.origin,
                )
            )
            continue
        seen[bank.origin] = directory
        banks.append(bank)
    if problems:
        raise StatsExchangeError(
            "invalid_stats_export",
            msg("the exported statistics cannot be combined"),
            problems,
        )
    return tuple(banks)


def read_export(directory: Path, problems: list[Message]) -> BankExport | None:
    """The export in ``directory`` if it is whole and unchanged; else None, with what is wrong
    added to ``problems``."""
    path = directory / MANIFEST
    try:
        body = path.read_bytes()
    except OSError:
        problems.append(msg("{file}: missing", file=str(path)))
        return None
    manifest = _manifest(body, path, problems)
    if manifest is None:
        return None
    origin, files = manifest["origin"], manifest["files"]
    sha256: dict[str, str] = {}
    rows: dict[str, int] = {}
    whole = True
    for name in FILES:
        file = directory / name
        found = _check_file(file, files[name], origin, problems)
        whole = whole and found is not None
        sha256[name] = files[name]["sha256"]
        rows[name] = files[name]["rows"]
    if not whole:
        return None
    return BankExport(
        directory=directory,
        origin=origin,
        exported_at=manifest["exported_at"],
        threshold=manifest["threshold"],
        schema_version=manifest["schema_version"],
        manifest_sha256=hashlib.sha256(body).hexdigest(),
        sha256=sha256,
        rows=rows,
    )


def _manifest(body: bytes, path: Path, problems: list[Message]) -> dict[str, Any] | None:
    try:
        manifest = json.loads(body)
    except (ValueError, RecursionError):
        problems.append(msg("{file}: not JSON", file=str(path)))
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        problems.append(msg("{file}: not a manifest of exported statistics", file=str(path)))
        return None
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(
            msg(
                "{file}: schema version {found}, this bank reads {version}",
                file=str(path),
                found=str(manifest.get("schema_version"))[:20],
                version=SCHEMA_VERSION,
            )
        )
        return None
    origin, threshold = manifest.get("origin"), manifest.get("threshold")
    exported_at, files = manifest.get("exported_at"), manifest.get("files")
    if not (
        isinstance(origin, str)
        and 0 < len(origin) <= BANK_LENGTH
        and type(threshold) is int
        and threshold >= 1
        and isinstance(exported_at, str)
        and len(exported_at) <= MAX_EXPORTED_AT
        and isinstance(files, dict)
        and all(_file_entry(files.get(name)) for name in FILES)
    ):
        problems.append(
            msg(
                "{file}: origin, threshold, exported_at or the files' rows and sha256 missing "
                "or malformed",
                file=str(path),
            )
        )
        return None
    return manifest


def _file_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and _SHA256.match(entry["sha256"]) is not None
        and type(entry.get("rows")) is int
        and entry["rows"] >= 0
    )


def _check_file(
    path: Path, entry: Mapping[str, Any], origin: str, problems: list[Message]
) -> Path | None:
    """``path`` if it is the file ``entry`` of the manifest names, else None (what is wrong
    added to ``problems``)."""
    problem = _file_problem(path, entry, origin)
    if problem is None:
        return path
    problems.append(problem)
    return None


def _file_problem(path: Path, entry: Mapping[str, Any], origin: str) -> Message | None:
    if not path.is_file():
        return msg("{file}: missing", file=str(path))
    if sha256_of(path) != entry["sha256"]:
        return msg(
            "{file}: its sha256 is not the one its manifest names (changed?)", file=str(path)
        )
    return _parquet_problem(path, entry, origin)


def _parquet_problem(path: Path, entry: Mapping[str, Any], origin: str) -> Message | None:
    import pyarrow.compute as pc  # noqa: PLC0415 - pyarrow only when statistics are exchanged
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow.remove_metadata()
        banks = pc.unique(parquet.read(columns=["bank"]).column("bank")).to_pylist()
    except Exception:  # noqa: BLE001 - pyarrow's errors of a file that is no Parquet vary
        return msg("{file}: not a Parquet file of exported statistics", file=str(path))
    if not schema.equals(schemas()[path.name]):
        return msg(
            "{file}: its columns are not those of schema version {version}",
            file=str(path),
            version=SCHEMA_VERSION,
        )
    if parquet.metadata.num_rows != entry["rows"]:
        return msg(
            "{file}: {found} rows, its manifest says {rows}",
            file=str(path),
            found=parquet.metadata.num_rows,
            rows=entry["rows"],
        )
    if any(bank != origin for bank in banks):
        return msg(
            "{file}: holds rows of a bank other than {origin}", file=str(path), origin=origin
        )
    return None


def _store(
    uow: UnitOfWork,
    rows: Sequence[tuple[Any, ...]],
    banks: Sequence[BankExport],
    *,
    engine: str,
    combined_at: datetime,
) -> None:
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE stat_network_cells IN SHARE ROW EXCLUSIVE MODE"))
    else:
        hold_write_lock(session)
    session.execute(delete(StatNetworkCellRow))
    insert_rows(session, StatNetworkCellRow, COLUMNS, rows)
    combine = StatNetworkCombineRow(
        combined_at=combined_at, engine=engine, bank_count=len(banks), cell_count=len(rows)
    )
    session.add(combine)
    session.flush()
    session.add_all(
        StatNetworkSourceRow(
            combine_id=combine.id,
            origin=bank.origin,
            exported_at=bank.exported_at,
            threshold=bank.threshold,
            schema_version=bank.schema_version,
            manifest_sha256=bank.manifest_sha256,
            cells_sha256=bank.sha256[CELLS],
            facts_sha256=bank.sha256[FACTS],
            cell_rows=bank.rows[CELLS],
            fact_rows=bank.rows[FACTS],
        )
        for bank in banks
    )
    session.flush()
