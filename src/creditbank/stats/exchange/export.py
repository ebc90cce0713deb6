"""Exporting the bank's statistics as Parquet files for the national bank (``export_stats``).

``cells.parquet`` holds every cell of ``stat_cells`` as it is (the aggregates another bank
combines; unsuppressed, so the directory is the bank's to send, not to publish), each with the
bank's log origin and, for a cell about an institution, its region and type resolved by code
(the institution's current ones, as the bank's own figures derive them when read: a region of
China as its ISO 3166-2 code, e.g. CN-GD, however the bank wrote it).

``facts.parquet`` is the de-identified fact table, counted again from the rebuild sources
(``stats.api.FACT_SOURCES``, the facts the bank's records hold) and summed in memory by
(figure, measure, month, institution, level, certificate, setting, kind, peer, cohort, after):
a sum of fewer facts than the threshold is suppressed (``count`` and ``amount`` null,
``suppressed`` true). A fact's ``sex`` and ``age`` dims are dropped (the sources yield none:
they are not stored per person), as is any dim the table has no column for.

Each file is written beside its final name and renamed into place; ``manifest.json`` last, with
each file's row count and sha256, so that a reader sees a whole export or a missing manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from creditbank.db import UnitOfWork
from creditbank.institutions.api import list_institutions
from creditbank.ledger.api import log_origin
from creditbank.messages import msg
from creditbank.regions import region_of
from creditbank.stats.api import FACT_SOURCES, Fact
from creditbank.stats.exchange.engines import StatsExchangeError
from creditbank.stats.exchange.files import (
    CELLS,
    FACT_DIMS,
    FACTS,
    FORMAT,
    MANIFEST,
    SCHEMA_VERSION,
    cells_schema,
    facts_schema,
    sha256_of,
)
from creditbank.stats.model import INSTITUTION, month_of
from creditbank.stats.tables import StatCellRow

if TYPE_CHECKING:
    import pyarrow as pa

FactSource = Callable[[UnitOfWork], Iterator[Fact]]
CENT = Decimal("0.01")
FactKey = tuple[str, str, int, str | None, *tuple[str | None, ...]]
"""(figure, measure, month, institution, *FACT_DIMS) of a row of the fact table."""


def export_stats(
    uow: UnitOfWork,
    directory: Path,
    *,
    suppress_below: int,
    sources: Sequence[FactSource] | None = None,
) -> list[Path]:
    """Write ``cells.parquet``, ``facts.parquet`` and ``manifest.json`` into ``directory``
    (made if missing; files of an earlier export replaced) and answer their paths.

    ``sources`` are the functions that yield the bank's facts (default: the rebuild sources,
    ``stats.api.FACT_SOURCES``); a row of the fact table counting fewer facts than
    ``suppress_below`` is suppressed.
    """
    with _writing(directory):
        directory.mkdir(parents=True, exist_ok=True)
    origin = log_origin(uow=uow)
    places = {i.code: (_region(i.region), i.type.value) for i in list_institutions(uow=uow)}
    cells = _cells_table(uow, origin, places)
    facts = _facts_table(
        _summed(uow, FACT_SOURCES if sources is None else sources),
        origin,
        places,
        suppress_below,
    )
    with _writing(directory):
        written = [_write(cells, directory / CELLS), _write(facts, directory / FACTS)]
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "origin": origin,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "threshold": suppress_below,
        "files": {
            path.name: {"rows": table.num_rows, "sha256": sha256_of(path)}
            for path, table in zip(written, (cells, facts), strict=True)
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    with _writing(directory):
        written.append(_replace(directory / MANIFEST, lambda part: part.write_text(text, "utf-8")))
    return written


@contextmanager
def _writing(directory: Path) -> Iterator[None]:
    """A file system's refusal (no such place, no permission, disk full) as a problem that
    names the directory, not a crash."""
    try:
        yield
    except OSError as error:
        raise StatsExchangeError(
            "stats_directory_unwritable",
            msg(
                "cannot write the statistics into {directory}: {reason}",
                directory=str(directory),
                reason=error.strerror or type(error).__name__,
            ),
        ) from error


def _region(written: str) -> str:
    """A region as the bank's figures group it: its ISO 3166-2 code where it is one of China's
    (however written: 广东, 广东省, CN-GD), else as written."""
    region = region_of(written)
    return region[0] if region else written


def _cells_table(uow: UnitOfWork, origin: str, places: dict[str, tuple[str, str]]) -> pa.Table:
    import pyarrow as pa  # noqa: PLC0415 - pyarrow only when statistics are exchanged

    columns: dict[str, list[Any]] = {name: [] for name in cells_schema().names}
    rows = uow.session.execute(
        select(
            StatCellRow.figure,
            StatCellRow.measure,
            StatCellRow.scope,
            StatCellRow.dim,
            StatCellRow.value,
            StatCellRow.month,
            StatCellRow.n,
            StatCellRow.amount,
        ).order_by(
            StatCellRow.figure,
            StatCellRow.scope,
            StatCellRow.dim,
            StatCellRow.month,
            StatCellRow.measure,
            StatCellRow.value,
        )
    )
    for figure, measure, scope, dim, value, month, n, amount in rows:
        code = value if dim == INSTITUTION else scope or None
        region, kind = places.get(code, (None, None)) if code is not None else (None, None)
        for name, item in (
            ("bank", origin),
            ("figure", figure),
            ("measure", measure),
            ("scope", scope),
            ("dim", dim),
            ("value", value),
            ("month", month),
            ("n", n),
            ("amount", Decimal(amount).quantize(CENT)),
            ("region", region),
            ("institution_type", kind),
        ):
            columns[name].append(item)
    return pa.Table.from_pydict(columns, schema=cells_schema())


def _summed(uow: UnitOfWork, sources: Iterable[FactSource]) -> dict[FactKey, list[Any]]:
    """Every fact of ``sources``, summed by the fact table's key: {key: [count, amount]}."""
    sums: dict[FactKey, list[Any]] = {}
    for source in sources:
        for fact in source(uow):
            key: FactKey = (
                fact.figure,
                fact.measure,
                month_of(fact.at),
                fact.institution,
                *(fact.dims.get(dim) for dim in FACT_DIMS),
            )
            found = sums.get(key)
            if found is None:
                sums[key] = [fact.count, fact.amount]
            else:
                found[0] += fact.count
                found[1] += fact.amount
    return sums


def _facts_table(
    sums: dict[FactKey, list[Any]],
    origin: str,
    places: dict[str, tuple[str, str]],
    suppress_below: int,
) -> pa.Table:
    import pyarrow as pa  # noqa: PLC0415 - pyarrow only when statistics are exchanged

    columns: dict[str, list[Any]] = {name: [] for name in facts_schema().names}
    for key in sorted(sums, key=lambda k: tuple("" if part is None else str(part) for part in k)):
        count, amount = sums[key]
        figure, measure, month, institution, *dims = key
        region, kind = places.get(institution, (None, None)) if institution else (None, None)
        hidden = count < suppress_below
        for name, item in (
            ("bank", origin),
            ("figure", figure),
            ("measure", measure),
            ("month", month),
            ("institution", institution),
            ("region", region),
            ("institution_type", kind),
            *zip(FACT_DIMS, dims, strict=True),
            ("count", None if hidden else count),
            ("amount", None if hidden else Decimal(amount).quantize(CENT)),
            ("suppressed", hidden),
        ):
            columns[name].append(item)
    return pa.Table.from_pydict(columns, schema=facts_schema())


def _write(table: pa.Table, path: Path) -> Path:
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow only when statistics are exchanged

    return _replace(path, lambda part: pq.write_table(table, part))


def _replace(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through a file beside it, renamed into place when whole."""
    part = path.with_name(path.name + ".partial")
    try:
        write(part)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return path
